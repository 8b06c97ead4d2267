"""The reference server as `serve` and the pytest fixture run it: faults, latency, failures, a log.

The layers, outermost first: the request log; latency and failures played on purpose; the faults
named, in the order given; the reference app with its rate limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from conformance.server.app import create_app
from conformance.server.faults import with_faults
from conformance.server.log import RequestLog
from conformance.server.settings import ServerSettings
from conformance.server.store import AccountStore
from conformance.server.unreliable import Unreliable


@dataclass
class Behaviour:
    """How the server misbehaves on purpose, if at all."""

    faults: Sequence[str] = field(default_factory=list)  # names from conformance.server.faults.CATALOG
    latency_ms: float = 0.0
    error_rate: float = 0.0


def build(
    settings: ServerSettings,
    store: AccountStore,
    behaviour: Behaviour | None = None,
    log: Callable[[str], Any] | None = None,
) -> Any:
    """The ASGI app: KeyError names an unknown fault."""
    behaviour = behaviour or Behaviour()
    app = with_faults(list(behaviour.faults), settings, create_app(settings, store), store)
    if behaviour.latency_ms or behaviour.error_rate:
        app = Unreliable(app, behaviour.latency_ms, behaviour.error_rate)
    return RequestLog(app, log) if log is not None else app
