"""conformance.server.embedded: a background server that is gone soon after it is stopped."""

from __future__ import annotations

import time

import httpx
import pytest

from conformance.server import create_app
from conformance.server.embedded import BackgroundServer


def _answers(url: str) -> bool:
    try:
        httpx.get(url, timeout=1)
    except httpx.TransportError:  # refused, or reset by a server on its way out
        return False
    return True


def test_stop_returns_at_once_and_the_server_winds_down_on_its_own() -> None:
    server = BackgroundServer(create_app()).start()
    assert _answers(server.url)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 0.15  # waiting out uvicorn's shutdown takes 0.2 s or more
    deadline = time.monotonic() + 5
    while _answers(server.url):
        if time.monotonic() > deadline:
            pytest.fail("the server still answers 5 s after stop()")
        time.sleep(0.05)
