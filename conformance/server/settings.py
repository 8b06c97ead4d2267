"""How a reference server is set up: tokens, the starting account, and its options.

A fixture file (`serve --fixture FILE`) gives any of these; what it leaves out keeps its default. A
fixture or state file that is not valid JSON, or whose account breaks the Account schema, is refused
with a message naming the problem.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import jsontext, spec
from conformance.server.store import DEFAULT_ACCOUNT

ROLES = ("owner", "admin", "agent")
# Well-known development tokens: the embedded server and `serve` accept these unless told otherwise.
DEFAULT_TOKENS = {"owner": "dev-owner-token", "admin": "dev-admin-token", "agent": "dev-agent-token"}


class SettingsError(ValueError):
    """A fixture or state file that cannot be used; the message names the problem."""


@dataclass
class ServerSettings:
    tokens: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TOKENS))
    account: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULT_ACCOUNT))
    support_created: bool = False
    rate_limit_per_minute: int | None = None
    state_file: Path | None = None

    def role_of(self) -> dict[str, str]:
        """Token -> role, as the server looks tokens up."""
        return {token: role for role, token in self.tokens.items()}


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingsError(f"cannot read {what} {path}: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SettingsError(f"{what} {path} is not valid JSON: {error}") from None


def checked_account(account: Any, origin: str) -> dict[str, Any]:
    """`account` when the description's Account schema holds it valid; else SettingsError naming each problem."""
    if jsontext.has_unpaired_surrogate(account):
        raise SettingsError(
            f"the account in {origin} holds a string with an unpaired UTF-16 surrogate, which is not text"
        )
    problems = spec.errors("Account", account)
    if problems:
        raise SettingsError(f"the account in {origin} breaks the Account schema: " + "; ".join(problems))
    return account


def _checked_tokens(tokens: Any, origin: str) -> dict[str, str]:
    if not isinstance(tokens, dict) or set(tokens) - set(ROLES):
        raise SettingsError(f"'tokens' in {origin} must be an object with keys among {', '.join(ROLES)}")
    if not all(isinstance(value, str) and value.strip() and " " not in value for value in tokens.values()):
        raise SettingsError(f"every token in {origin} must be a non-empty string without spaces")
    merged = {**DEFAULT_TOKENS, **tokens}
    if len(set(merged.values())) != len(merged):
        raise SettingsError(f"the tokens in {origin} must differ from one role to another")
    return merged


def apply_fixture(settings: ServerSettings, path: Path) -> None:
    """Overlay the fixture file's keys onto `settings`."""
    data = _read_json(path, "fixture")
    origin = f"fixture {path}"
    if not isinstance(data, dict):
        raise SettingsError(f"{origin} must be a JSON object")
    unknown = set(data) - {"tokens", "account", "support_created"}
    if unknown:
        raise SettingsError(f"{origin} has unknown keys: {', '.join(sorted(unknown))}")
    if "tokens" in data:
        settings.tokens = _checked_tokens(data["tokens"], origin)
    if "account" in data:
        account = (
            {**copy.deepcopy(DEFAULT_ACCOUNT), **data["account"]}
            if isinstance(data["account"], dict)
            else data["account"]
        )
        settings.account = checked_account(account, origin)
    if "support_created" in data:
        if not isinstance(data["support_created"], bool):
            raise SettingsError(f"'support_created' in {origin} must be true or false")
        settings.support_created = settings.support_created or data["support_created"]


def apply_state(settings: ServerSettings, path: Path) -> None:
    """Start from the account saved in `path`, when it exists; later updates are saved there."""
    settings.state_file = path
    if path.exists():
        settings.account = checked_account(_read_json(path, "state file"), f"state file {path}")
