"""Helpers for tests that talk to a reference server over loopback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

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


class Counting(faults.Fault):
    """The reference server, counting the requests it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        self.count += 1
        return req
