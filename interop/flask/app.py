"""The Zendesk Chat Accounts API in Flask, written from the API's docs page and Flask's quickstart.

Run with `flask --app app run`. Configuration comes from the environment: OWNER_TOKEN, ADMIN_TOKEN,
AGENT_TOKEN, SUPPORT_CREATED=1 (an account created in Zendesk Support: every PUT is refused), and
FAULT, one of the mistakes Flask apps typically make (see FAULTS), to show the suite catches it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider

FAULTS = {
    "silent-json": "request.get_json(silent=True) or {}: a body that is not JSON is the empty update",
    "force-json": "request.get_json(force=True): a body is read as JSON whatever it is declared as",
    "recursion-500": "no handler for the RecursionError json.loads raises on a deeply nested body",
}
FAULT = os.environ.get("FAULT", "")
if FAULT and FAULT not in FAULTS:
    sys.exit(f"unknown FAULT {FAULT}; known: {', '.join(FAULTS)}")

ROLES = {
    os.environ.get("OWNER_TOKEN", "flask-owner-token"): "owner",
    os.environ.get("ADMIN_TOKEN", "flask-admin-token"): "admin",
    os.environ.get("AGENT_TOKEN", "flask-agent-token"): "agent",
}
SUPPORT_CREATED = os.environ.get("SUPPORT_CREATED") == "1"
PATH = "/api/v2/chat/account"
# The docs' JSON format table: billing is writable, these are read-only.
BILLING_TYPES = {
    "additional_info": str, "address1": str, "address2": str, "city": str, "company": str, "country_code": str,
    "cycle": int, "email": str, "first_name": str, "last_name": str, "phone": str, "postal_code": str, "state": str,
}  # fmt: skip
READ_ONLY = {"account_key", "create_date", "plan", "status"}

# The docs' Show Account example response.
account: dict[str, Any] = {
    "account_key": "zendesk-chat-account-key",
    "billing": {
        "additional_info": "", "address1": "123 Fictional Street", "address2": "", "city": "West Fiction",
        "company": "John and Friends", "country_code": "US", "cycle": 1, "email": "jonathan@example.com",
        "first_name": "Jonathan", "last_name": "Doe", "phone": "+12(1)123456", "postal_code": "12345",
        "state": "Oklahoma",
    },
    "create_date": "2014-08-06T11:02:09Z",
    "plan": {
        "analytics": False, "file_upload": True, "integrations": True,
        "long_desc": "Ideal for most Lean Teams to Engage Customers.", "max_advanced_triggers": 2, "max_agents": 2,
        "max_basic_triggers": 2, "max_concurrent_chats": "unlimited", "max_departments": 2,
        "max_history_search_days": "unlimited", "name": "team", "operating_hours": False,
        "short_desc": "Great for Lean Teams", "weekly_reports": False, "widget_customization": "full",
    },
    "status": "active",
}  # fmt: skip


def not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259)")


class StrictJSONProvider(DefaultJSONProvider):
    """Bodies read as RFC 8259 JSON: json.loads' defaults take NaN and Infinity, which no other parser reads."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return super().loads(s, parse_constant=not_json, **kwargs)


app = Flask(__name__)
app.json = StrictJSONProvider(app)


def error(status: int, label: str, description: str) -> tuple[Any, int]:
    return jsonify(error=label, description=description), status


if FAULT != "recursion-500":

    @app.errorhandler(RecursionError)
    def too_deep(exc: RecursionError) -> tuple[Any, int]:
        return error(400, "BadRequest", "The body is nested too deeply")


def role() -> str | None:
    auth = request.authorization
    if auth is None or auth.type != "bearer" or auth.token not in ROLES:
        return None
    return ROLES[auth.token]


def unauthorized() -> tuple[Any, int, dict[str, str]]:
    return (*error(401, "Unauthorized", "A valid bearer token is required"), {"WWW-Authenticate": "Bearer"})


def view(who: str) -> dict[str, Any]:
    if who == "owner":
        return account
    return {name: value for name, value in account.items() if name != "billing"}  # the owner's only


def problems(body: Any) -> list[str]:
    """What is wrong with an update: this server refuses read-only and unknown fields rather than ignore them."""
    if not isinstance(body, dict):
        return ["the body must be a JSON object"]
    found = [f"{name} is read-only" for name in body if name in READ_ONLY]
    found += [f"{name} is not a field of the account" for name in body if name not in READ_ONLY | {"billing"}]
    billing = body.get("billing", {})
    if not isinstance(billing, dict):
        return [*found, "billing must be an object"]
    for name, value in billing.items():
        kind = BILLING_TYPES.get(name)
        if kind is None:
            found.append(f"billing.{name} is not a billing field")
        elif not isinstance(value, kind) or isinstance(value, bool):
            found.append(f"billing.{name} must be {'an integer' if kind is int else 'a string'}")
    return found


@app.get(PATH)
def show_account() -> Any:
    who = role()
    if who is None:
        return unauthorized()
    if who == "agent":
        return error(403, "Forbidden", "Only admins may read the account")
    return view(who)


@app.put(PATH)
def update_account() -> Any:
    who = role()
    if who is None:
        return unauthorized()
    if SUPPORT_CREATED:
        return error(403, "Forbidden", "This account was created in Zendesk Support")
    if who != "owner":
        return error(403, "Forbidden", "Only the account owner may update the account")
    if FAULT == "silent-json":
        body = request.get_json(silent=True) or {}
    else:
        body = request.get_json(force=FAULT == "force-json")  # 415 unless declared JSON, 400 unless JSON
    found = problems(body)
    if found:
        return error(422, "InvalidValue", "; ".join(found))
    account["billing"].update(body.get("billing", {}))
    return view(who)
