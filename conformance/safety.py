"""Leave a live account as it was found: snapshot its billing before writing, put it back after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.transport import Target


@dataclass(frozen=True)
class Restore:
    needed: bool
    succeeded: bool
    message: str


def take_snapshot(target: Target) -> dict[str, Any] | None:
    """The owner's view of the account, or None when the owner's GET does not return one."""
    if not target.has("owner"):
        return None
    exchange = target.get(target.as_role("owner"))
    document = exchange.response.json
    if exchange.status != 200 or not isinstance(document, dict) or not isinstance(document.get("billing"), dict):
        return None
    return document


def restore(target: Target, snapshot: dict[str, Any]) -> Restore:
    """Put the snapshot's billing back; fields the run added and the snapshot lacked are emptied."""
    owner = target.as_role("owner")
    now = target.get(owner).response.json
    current = now.get("billing") if isinstance(now, dict) else None
    original: dict[str, Any] = snapshot["billing"]
    if current == original:
        return Restore(needed=False, succeeded=True, message="the account was left as found")
    added = {name: "" for name, value in (current or {}).items() if name not in original and isinstance(value, str)}
    put = target.put({"billing": {**original, **added}}, owner)
    check = target.get(owner).response.json
    restored = isinstance(check, dict) and all(
        (check.get("billing") or {}).get(name) == value for name, value in original.items()
    )
    if restored:
        return Restore(needed=True, succeeded=True, message="billing was restored to its values before the run")
    return Restore(
        needed=True,
        succeeded=False,
        message=f"billing could not be restored (the restoring PUT got {put.status}); "
        "restore it by hand from the values saved before the run",
    )
