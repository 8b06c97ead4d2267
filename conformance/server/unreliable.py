"""A server that is slow, or fails now and then, on purpose: `serve --latency MS --error-rate R`.

A client author must also see what their code does when the network is slow or the server has a
bad moment. The failure is Zendesk's 503 with `Retry-After`, which a well-behaved client retries.
"""

from __future__ import annotations

import asyncio
import random

from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.server.errors import error_response
from conformance.server.log import Decision


class Unreliable:
    """ASGI middleware: every request waits `latency_ms`; a share `error_rate` of them gets a 503."""

    def __init__(self, app: ASGIApp, latency_ms: float = 0.0, error_rate: float = 0.0, seed: int = 0) -> None:
        self.app = app
        self.latency_s = latency_ms / 1000
        self.error_rate = error_rate
        self._random = random.Random(seed)  # seeded: the same requests fail in the same order on every start

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if self.error_rate and self._random.random() < self.error_rate:
            scope.setdefault("state", {})["decision"] = Decision("-", "-", "a failure played on purpose (--error-rate)")
            response = error_response(
                503, "ServiceUnavailable", "The service is briefly unavailable; retry", headers={"Retry-After": "1"}
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
