"""Plain-text renderings shared by the terminal, JUnit and pytest: h2spec-style failure blocks."""

from __future__ import annotations

from conformance.failures import Failure

BODY_LIMIT = 600


def _clip(text: str) -> str:
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + f"... ({len(text) - BODY_LIMIT} more characters)"


def failure_text(failure: Failure) -> str:
    """The rule broken, what was expected, what came back, and how to reproduce it."""
    lines = [failure.message]
    if failure.expected is not None:
        lines.append(f"  expected: {_clip(failure.expected)}")
    if failure.actual is not None:
        lines.append(f"    actual: {_clip(failure.actual)}")
    if failure.exchange is not None:
        exchange = failure.exchange
        lines.append(f"   sent as: {exchange.credential.label}")
        lines.append(f" reproduce: {_clip(exchange.request.curl())}")
        lines.append(f"  response: {exchange.status} {_clip(exchange.response.body)}")
    return "\n".join(lines)
