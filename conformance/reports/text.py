"""Plain-text renderings shared by the terminal, JUnit and pytest: h2spec-style failure blocks."""

from __future__ import annotations

from typing import Any

BODY_LIMIT = 600


def _clip(text: str) -> str:
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + f"... ({len(text) - BODY_LIMIT} more characters)"


def failure_text(failure: dict[str, Any]) -> str:
    """The rule broken, what was expected, what came back, and how to reproduce it.

    It takes a failure as the JSON report holds it (`Failure.to_dict()`), so that the pytest
    plugin, which may only have a report written by another worker, renders it the same way.
    """
    lines = [failure["message"]]
    if "expected" in failure:
        lines.append(f"  expected: {_clip(failure['expected'])}")
    if "actual" in failure:
        lines.append(f"    actual: {_clip(failure['actual'])}")
    if "request" in failure:
        lines.append(f"   sent as: {failure['credential']}")
        lines.append(f" reproduce: {_clip(failure['curl'])}")
        if "response" in failure:
            lines.append(f"  response: {failure['response']['status']} {_clip(failure['response']['body'])}")
        else:
            lines.append("  response: none")
    return "\n".join(lines)
