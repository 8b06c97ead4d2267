"""Helpers for tests that talk to a reference server over loopback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import httpx

from conformance import spec
from conformance.server import ServerSettings, create_app, faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

A = spec.ACCOUNT_PATH


def auth(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {DEFAULT_TOKENS[role]}"}


@contextlib.contextmanager
def client(settings: ServerSettings | None = None) -> Iterator[httpx.Client]:
    """A client of a fresh reference server; `A` is the account endpoint's path."""
    with BackgroundServer(create_app(settings)) as server, httpx.Client(base_url=server.url) as c:
        yield c


def counted(kind: type[faults.Fault]) -> Any:
    """A server playing `kind`, counting in `answered` the requests it answered itself.

    A test that a check accepts some behaviour asserts `answered > 0` too: otherwise the run may
    never have met the behaviour, and the pass would prove nothing.
    """

    class Counted(kind):  # type: ignore[valid-type, misc]
        __doc__ = kind.__doc__
        answered = 0

        def request(self, req: faults.Req) -> faults.Req | faults.Resp:
            answer = super().request(req)
            self.answered += isinstance(answer, faults.Resp)
            return answer

    return Counted()


class Counting(faults.Fault):
    """The reference server, counting the requests it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        self.count += 1
        return req
