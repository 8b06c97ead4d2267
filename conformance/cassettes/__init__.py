"""Runs as vcrpy cassettes: record a run's HTTP traffic, replay the run offline, or mock the API from it.

A cassette holds every exchange of one run, scrubbed as it is saved (see `scrub`), and, as its
metadata, how the run was made (seed, examples, roles, options, library versions), what it found,
and the examples each property was given. With those, `run --replay` needs nothing else: it gives
the checks the recorded examples, answers their requests from the recording, and says whether it
found the same.

- `recording`: vcrpy records the traffic of a live run;
- `replaying`: the run again, offline, answered by a transport that reads the cassette;
- `mocking`: a cassette's account responses served to any client, e.g. an SDK's own tests.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each name from the module that holds it, imported on first use: a replay never needs vcrpy,
# which patches a dozen HTTP libraries as it is imported.
_WHERE = {
    "CassetteError": "format",
    "library_versions": "format",
    "mock": "mocking",
    "record": "recording",
    "run_metadata": "recording",
    "REPLAY_TOKENS": "replaying",
    "Replay": "replaying",
    "replay": "replaying",
    "PERSONAL_BILLING": "scrub",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
