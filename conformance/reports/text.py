"""Plain-text renderings shared by the terminal, JUnit and pytest: h2spec-style failure blocks."""

from __future__ import annotations

from typing import Any

BODY_LIMIT = 600


def _clip(text: str, limit: int = BODY_LIMIT) -> str:
    return text if len(text) <= limit else text[:limit] + f"... ({len(text) - limit} more characters)"


def failure_text(failure: dict[str, Any], limit: int = BODY_LIMIT) -> str:
    """The rule broken, what was expected, what came back, and how to reproduce it.

    It takes a failure as the JSON report holds it (`Failure.to_dict()`), so that the pytest
    plugin, which may only have a report written by another worker, renders it the same way.
    """
    lines = [failure["message"]]
    if "fault" in failure:
        lines.append(f"     fault: {failure['fault']}")
    if "expected" in failure:
        lines.append(f"  expected: {_clip(failure['expected'], limit)}")
    if "actual" in failure:
        lines.append(f"    actual: {_clip(failure['actual'], limit)}")
    if "request" in failure:
        lines.append(f"   sent as: {failure['credential']}")
        lines.append(f" reproduce: {_clip(failure['curl'])}")
        if "response" in failure:
            lines.append(f"  response: {failure['response']['status']} {_clip(failure['response']['body'], limit)}")
        else:
            lines.append("  response: none")
    return "\n".join(lines)


def failures_text(entry: dict[str, Any], later_limit: int = BODY_LIMIT) -> str:
    """Every failure a report kept of one rule, numbered, then what it counted beyond them.

    `entry` is the rule as the JSON report holds it. The first failure is shown in full; the
    bodies of the others may be clipped shorter (`later_limit`): their curl stays whole.
    """
    failures = entry.get("failures", [])
    distinct = max(entry.get("distinct_failures", len(failures)), len(failures))
    blocks = []
    for number, failure in enumerate(failures, 1):
        text = failure_text(failure, BODY_LIMIT if number == 1 else later_limit)
        blocks.append(f"[{number}/{distinct}] {text}" if distinct > 1 else text)
    summary = not_kept(entry)
    return "\n\n".join(blocks + ([summary] if summary else []))


def not_kept(entry: dict[str, Any]) -> str | None:
    """What a rule's failures left out: distinct failures past the cap, and repeats of those shown."""
    kept = len(entry.get("failures", []))
    distinct = max(entry.get("distinct_failures", kept), kept)
    seen = max(entry.get("failure_count", distinct), distinct)
    parts = []
    if distinct > kept:
        parts.append(f"{distinct - kept} more distinct failure{'s' if distinct - kept != 1 else ''} not kept")
    if seen > distinct:
        parts.append(f"{seen} failures seen in all, each like one of the {distinct} distinct ones")
    return "... " + "; ".join(parts) if parts else None


def count_text(entry: dict[str, Any]) -> str:
    """`3 distinct failures`, or `2 distinct failures (37 seen)` when some were repeats."""
    kept = len(entry.get("failures", []))
    distinct = max(entry.get("distinct_failures", kept), kept)
    seen = max(entry.get("failure_count", distinct), distinct)
    text = "1 failure" if distinct == 1 else f"{distinct} distinct failures"
    return text + (f" ({seen} seen)" if seen > distinct else "")
