"""The Zendesk Chat Accounts API in FastAPI with pydantic, written from the API's docs page and FastAPI's tutorial.

Run with `uvicorn app:app`. Configuration comes from the environment: OWNER_TOKEN, ADMIN_TOKEN,
AGENT_TOKEN, SUPPORT_CREATED=1 (an account created in Zendesk Support: every PUT is refused), and
FAULT, one of the mistakes FastAPI apps typically make (see FAULTS), to show the suite catches it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, model_validator

FAULTS = {
    "lax-types": "pydantic's default lax mode, which takes '12' and true for an int",
    "optional-null": "Optional[str] = None fields, so an explicit null is stored",
    "default-errors": "FastAPI's default handler: 422 for a body that is not JSON",
    "unicode-response": "FastAPI's default JSONResponse (ensure_ascii=False): a stored lone surrogate is a 500",
}
FAULT = os.environ.get("FAULT", "")
if FAULT and FAULT not in FAULTS:
    sys.exit(f"unknown FAULT {FAULT}; known: {', '.join(FAULTS)}")

ROLES = {
    os.environ.get("OWNER_TOKEN", "fastapi-owner-token"): "owner",
    os.environ.get("ADMIN_TOKEN", "fastapi-admin-token"): "admin",
    os.environ.get("AGENT_TOKEN", "fastapi-agent-token"): "agent",
}
SUPPORT_CREATED = os.environ.get("SUPPORT_CREATED") == "1"
PATH = "/api/v2/chat/account"


class Strict(BaseModel):
    # Strict: a JSON string is not an integer. Unknown and read-only fields are ignored (pydantic's default).
    model_config = ConfigDict(strict=FAULT != "lax-types")

    @model_validator(mode="after")
    def no_nulls(self) -> Strict:
        """A field may be left out, not sent as null: the docs' types have no null."""
        if FAULT != "optional-null":
            nulls = [name for name in self.model_fields_set if getattr(self, name) is None]
            if nulls:
                raise ValueError(f"{', '.join(nulls)} may not be null")
        return self


class Billing(Strict):
    additional_info: str | None = None
    address1: str | None = None
    address2: str | None = None
    city: str | None = None
    company: str | None = None
    country_code: str | None = None
    cycle: int | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    state: str | None = None


class AccountUpdate(Strict):
    billing: Billing | None = None


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


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: a lone surrogate a client sent cannot be encoded as UTF-8."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":")).encode("ascii")


def not_json(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON (RFC 8259)", name, 0)


class StrictJSONRequest(Request):
    """A request whose body is read as RFC 8259 JSON: json.loads' defaults take NaN and Infinity."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = json.loads(await self.body(), parse_constant=not_json)
        return self._json


class StrictJSONRoute(APIRoute):
    """FastAPI's documented way to give the handlers a request class of one's own."""

    def get_route_handler(self) -> Any:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Any:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict


app = FastAPI(default_response_class=JSONResponse if FAULT == "unicode-response" else AsciiJSONResponse)
app.router.route_class = StrictJSONRoute


def error(status: int, label: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return AsciiJSONResponse({"error": label, "description": description}, status_code=status, headers=headers)


class Refused(Exception):
    def __init__(self, response: JSONResponse) -> None:
        self.response = response


@app.exception_handler(Refused)
async def refused(request: Request, exc: Refused) -> JSONResponse:
    return exc.response


if FAULT != "default-errors":

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """400 for a body that cannot be read (not JSON, or empty), 422 for one that breaks the types."""
        unreadable = [e for e in exc.errors() if e["type"] == "json_invalid" or tuple(e["loc"]) == ("body",)]
        if unreadable:
            return error(400, "BadRequest", "The body is not a JSON document")
        return error(
            422, "InvalidValue", "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        )


def role(authorization: Annotated[str | None, Header()] = None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme != "Bearer" or token not in ROLES:
        raise Refused(error(401, "Unauthorized", "A valid bearer token is required", {"WWW-Authenticate": "Bearer"}))
    return ROLES[token]


def view(who: str) -> dict[str, Any]:
    if who == "owner":
        return account
    return {name: value for name, value in account.items() if name != "billing"}  # the owner's only


@app.get(PATH)
def show_account(who: Annotated[str, Depends(role)]) -> dict[str, Any]:
    if who == "agent":
        raise Refused(error(403, "Forbidden", "Only admins may read the account"))
    return view(who)


@app.put(PATH)
def update_account(update: AccountUpdate, who: Annotated[str, Depends(role)]) -> dict[str, Any]:
    if SUPPORT_CREATED:
        raise Refused(error(403, "Forbidden", "This account was created in Zendesk Support"))
    if who != "owner":
        raise Refused(error(403, "Forbidden", "Only the account owner may update the account"))
    if update.billing is not None:
        account["billing"].update(update.billing.model_dump(exclude_unset=True))
    return view(who)
