"""A per-minute request budget for the whole account, answered with 429 and Retry-After past it.

It lets a client's waiting and retrying be tested against the reference server, the way Zendesk's
own limits would exercise it.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from conformance.server.errors import error_response

WINDOW_SECONDS = 60.0


class RateLimit:
    """ASGI middleware: a fixed one-minute window shared by every caller."""

    def __init__(self, app: ASGIApp, per_minute: int, clock=time.monotonic) -> None:
        self.app = app
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._window_start = clock()
        self._used = 0

    def _take(self) -> tuple[bool, int, float]:
        """Count one request: (allowed, remaining, seconds until the window resets)."""
        with self._lock:
            now = self._clock()
            if now - self._window_start >= WINDOW_SECONDS:
                self._window_start, self._used = now, 0
            reset_in = WINDOW_SECONDS - (now - self._window_start)
            if self._used >= self.per_minute:
                return False, 0, reset_in
            self._used += 1
            return True, self.per_minute - self._used, reset_in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed, remaining, reset_in = self._take()
        # Zendesk's own headers, and the IETF draft's, which also say when the window resets.
        budget = {
            "X-Rate-Limit": str(self.per_minute),
            "X-Rate-Limit-Remaining": str(remaining),
            "RateLimit-Limit": str(self.per_minute),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(max(1, math.ceil(reset_in))),
        }
        if allowed:

            async def send_with_budget(message: MutableMapping[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    extra = [(name.lower().encode(), value.encode()) for name, value in budget.items()]
                    message = {**message, "headers": [*message.get("headers", []), *extra]}
                await send(message)

            await self.app(scope, receive, send_with_budget)
            return
        wait = max(1, math.ceil(reset_in))
        response = error_response(
            429,
            "TooManyRequests",
            f"Rate limit of {self.per_minute} requests per minute exceeded; retry in {wait} seconds",
            headers={"Retry-After": str(wait), **budget},
        )
        await response(scope, receive, send)
