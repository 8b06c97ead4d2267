"""Leave a live account as it was found: snapshot its billing before writing, put it back after.

Restoring must work whatever state the run leaves the target in: billing null or missing, the
account unreadable, the connection gone. It restores what it can and says exactly what it could
not; the runner then keeps the original billing in a file.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from conformance.exchange import Exchange
from conformance.transport import BudgetSpent, NoResponse, Target, TargetGone

_COPYING: contextvars.ContextVar[bool] = contextvars.ContextVar("copying", default=False)


def copying() -> bool:
    """Whether the request being sent carries what the target sent (so a recording scrubs it like a response)."""
    return _COPYING.get()


@contextlib.contextmanager
def _copying() -> Iterator[None]:
    token = _COPYING.set(True)
    try:
        yield
    finally:
        _COPYING.reset(token)


@dataclass(frozen=True)
class Restore:
    needed: bool
    succeeded: bool
    message: str


def _account(exchange: Exchange) -> dict[str, Any] | None:
    document = exchange.response.json
    return document if exchange.status == 200 and isinstance(document, dict) else None


def _billing(account: dict[str, Any] | None) -> dict[str, Any] | None:
    billing = None if account is None else account.get("billing")
    return billing if isinstance(billing, dict) else None


def take_snapshot(target: Target) -> dict[str, Any] | None:
    """The owner's view of the account (billing null or missing read as empty), or None without one."""
    if not target.has("owner"):
        return None
    account = _account(target.get(target.as_role("owner")))
    if account is None:
        return None
    return {**account, "billing": _billing(account) or {}}


def restore(target: Target, snapshot: dict[str, Any]) -> Restore:
    """Put the snapshot's billing back; fields the run added and the snapshot lacked are emptied."""
    owner = target.as_role("owner")
    original: dict[str, Any] = snapshot["billing"]
    put_status = None
    try:
        current = _billing(_account(target.get(owner)))
        if current == original:
            return Restore(needed=False, succeeded=True, message="the account was left as found")
        # Unreadable now: send the original anyway; only fields the run added cannot be emptied.
        added = {name: "" for name, value in (current or {}).items() if name not in original and isinstance(value, str)}
        with _copying():
            put_status = target.put({"billing": {**original, **added}}, owner).status
        after = _billing(_account(target.get(owner)))
    except (NoResponse, TargetGone) as error:
        sent = "" if put_status is None else f" after the restoring PUT got {put_status}"
        return Restore(True, False, f"billing could not be restored: the target gave no answer{sent} ({error})")
    except BudgetSpent:  # the requests kept for restoring went on 429s: the budget is a promise too
        sent = "" if put_status is None else f" after the restoring PUT got {put_status}"
        return Restore(True, False, f"billing could not be restored within the --max-requests budget{sent}")
    if after is None:
        return Restore(
            True,
            False,
            f"billing could not be restored: the restoring PUT got {put_status}, and the account "
            "could not be read back to confirm it",
        )
    wrong = sorted(name for name, value in original.items() if after.get(name) != value)
    if not wrong:
        return Restore(needed=True, succeeded=True, message="billing was restored to its values before the run")
    return Restore(
        True,
        False,
        f"billing could not be restored (the restoring PUT got {put_status}); these fields still "
        f"differ from before the run: {', '.join(wrong)}",
    )
