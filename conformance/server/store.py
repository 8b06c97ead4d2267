"""The one account a server holds, safe under concurrent updates and optionally kept on disk."""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

# The docs' Show Account example, with the e-mail address the capture had hidden put back.
DEFAULT_ACCOUNT: dict[str, Any] = {
    "account_key": "zendesk-chat-account-key",
    "billing": {
        "additional_info": "",
        "address1": "123 Fictional Street",
        "address2": "",
        "city": "West Fiction",
        "company": "John and Friends",
        "country_code": "US",
        "cycle": 1,
        "email": "johndoe@zendesk.com",
        "first_name": "Jonathan",
        "last_name": "Doe",
        "phone": "+12(1)123456",
        "postal_code": "12345",
        "state": "Oklahoma",
    },
    "create_date": "2014-08-06T11:02:09Z",
    "plan": {
        "analytics": False,
        "file_upload": True,
        "integrations": True,
        "long_desc": "Ideal for most Lean Teams to Engage Customers.",
        "max_advanced_triggers": 2,
        "max_agents": 2,
        "max_basic_triggers": 2,
        "max_concurrent_chats": "unlimited",
        "max_departments": 2,
        "max_history_search_days": "unlimited",
        "name": "team",
        "operating_hours": False,
        "short_desc": "Great for Lean Teams",
        "weekly_reports": False,
        "widget_customization": "full",
    },
    "status": "active",
}


class AccountStore:
    """Holds the account and its two serialised views.

    Every update swaps in a new account under a lock, so concurrent PUTs never tear or lose an
    update; the JSON bodies are rendered once per change because reads far outnumber writes.
    """

    def __init__(self, account: dict[str, Any], state_file: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._state_file = state_file
        self._set(account)

    def _set(self, account: dict[str, Any]) -> None:
        self._account = account
        self.owner_body = json.dumps(account, ensure_ascii=False).encode()
        public = {key: value for key, value in account.items() if key != "billing"}
        self.public_body = json.dumps(public, ensure_ascii=False).encode()

    def account(self) -> dict[str, Any]:
        """A copy of the account as the owner sees it."""
        return json.loads(self.owner_body)

    def update_billing(self, changes: dict[str, Any]) -> bytes:
        """Merge `changes` into billing (fields not named keep their values); the owner's new view."""
        with self._lock:
            account = self.account()
            account["billing"] = {**account.get("billing", {}), **changes}
            self._set(account)
            self.save()
            return self.owner_body

    def save(self) -> None:
        """Write the account to the state file, atomically: a crash leaves the old file or the new one."""
        if self._state_file is None:
            return
        directory = self._state_file.resolve().parent
        fd, temporary = tempfile.mkstemp(prefix=".state-", suffix=".json", dir=directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(self.owner_body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self._state_file)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
