"""The request log: one line per request saying who asked, what they got, and which rule decided it.

    PUT admin 403 ROLE-PUT-ADMIN: only the owner may update the account

A client author sees why an answer is what it is, not only what it is. The endpoint notes its
decision on the request (`Decision`); `RequestLog` wraps the whole app, so it also sees what never
reached the endpoint (a 429 from the rate limit).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNDECIDED = {429: ("RATE-RETRY-AFTER", "past the per-minute limit: retry after the time Retry-After gives")}


class Decision(NamedTuple):
    who: str  # owner, admin, agent, none (no credentials), unknown (a token or header not accepted), -
    rule: str  # the requirement ID that decided the answer, or -
    why: str


class RequestLog:
    """ASGI middleware writing one line per HTTP request to `write` (print, by default)."""

    def __init__(self, app: ASGIApp, write: Callable[[str], Any] = print) -> None:
        self.app = app
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0
        state = scope.setdefault("state", {})  # shared with every layer inside, which note their decision here

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            self.write(line(scope["method"], status, state.get("decision")))


def line(method: str, status: int, decision: Decision | None) -> str:
    if decision is None:
        rule, why = UNDECIDED.get(status, ("-", "the server failed" if status >= 500 else ""))
        decision = Decision("-", rule, why)
    return f"{method} {decision.who} {status} {decision.rule}: {decision.why}".rstrip(": ")
