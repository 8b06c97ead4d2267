"""The reference server's HTTP layer: authentication, roles, and the two operations.

Each request is judged in the order a client would want to learn of its mistakes: who you are
(401), whether you may (403), then what you sent (415, 400, 422).
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from conformance import jsontext, spec
from conformance.server.errors import JSON, error_response
from conformance.server.log import Decision
from conformance.server.ratelimit import RateLimit
from conformance.server.settings import ServerSettings
from conformance.server.store import AccountStore

ALLOWED_METHODS = "GET, PUT"


class _Unauthorized(Exception):
    def __init__(self, description: str, who: str) -> None:
        self.description = description
        self.who = who  # "none" when nothing was sent, "unknown" for a token or header it does not accept


def _decided(request: Request, who: str, rule: str, why: str) -> None:
    """Note who asked and which rule decided the answer, for the request log (see `log.py`)."""
    request.state.decision = Decision(who, rule, why)


def _role(request: Request, roles: dict[str, str]) -> str:
    header = request.headers.get("authorization")
    if header is None:
        raise _Unauthorized("No credentials were sent: use 'Authorization: Bearer <token>'", "none")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _Unauthorized("The Authorization header must be 'Bearer <token>'", "unknown")
    role = roles.get(token.strip())
    if role is None:
        raise _Unauthorized("The bearer token is not valid", "unknown")
    return role


def _unauthorized(description: str) -> Response:
    return error_response(
        401,
        "Unauthorized",
        description,
        headers={"WWW-Authenticate": 'Bearer realm="Zendesk Chat", error="invalid_token"'},
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN or Infinity, no unpaired surrogate, and not nested past the parser.

    Python's parser takes NaN, Infinity and `"\\ud800"`, none of which a JSON client can rely on;
    an unpaired surrogate could not even be written back out as UTF-8.
    """
    document = jsontext.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    if jsontext.has_unpaired_surrogate(document):
        raise ValueError("a string holds an unpaired UTF-16 surrogate, which is not Unicode text")
    return document


def _field_details(body: Any) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    try:
        if spec.is_valid("AccountUpdate", body):
            return details
        for error in spec.validator("AccountUpdate").iter_errors(body):
            where = ".".join(str(part) for part in error.absolute_path) or "body"
            details.setdefault(where, []).append(_shorten(error.message))
    except RecursionError:
        details["body"] = ["is nested too deeply"]
    return details


def _shorten(message: str, limit: int = 200) -> str:
    # A validator quotes the offending value, which may be ten thousand characters long.
    return message if len(message) <= limit else message[:limit] + "..."


def _describe(details: dict[str, list[str]], body: Any) -> str:
    text = "The account could not be updated: " + "; ".join(
        f"{where}: {message}" for where, messages in details.items() for message in messages
    )
    if isinstance(body, dict) and "account" in body:
        # Some clients wrap the update as {"account": {...}}; the docs send billing at the top level.
        text += '. Send the fields at the top level, as in {"billing": {...}}, not inside "account"'
    return text


class AccountEndpoint:
    """`/api/v2/chat/account`: GET for admins, PUT for the owner."""

    def __init__(self, settings: ServerSettings, store: AccountStore) -> None:
        self.settings = settings
        self.store = store
        self.roles = settings.role_of()

    async def handle(self, request: Request) -> Response:
        try:
            role = _role(request, self.roles)
        except _Unauthorized as error:
            rule = "AUTH-MISSING" if error.who == "none" else "AUTH-INVALID"
            _decided(request, error.who, rule, error.description)
            return _unauthorized(error.description)
        if request.method in ("GET", "HEAD"):
            return self.show(role, request)
        return await self.update(role, request)

    def show(self, role: str, request: Request) -> Response:
        if role == "agent":
            _decided(request, role, "ROLE-GET-AGENT", "agents may not read the account")
            return error_response(403, "Forbidden", "Only admins may read the account")
        if role == "owner":
            _decided(request, role, "BILLING-OWNER-ONLY", "the owner is shown the account with billing")
            return Response(self.store.owner_body, media_type=JSON)
        _decided(request, role, "BILLING-OWNER-ONLY", "an admin is shown the account without billing")
        return Response(self.store.public_body, media_type=JSON)

    async def update(self, role: str, request: Request) -> Response:
        if role != "owner":
            rule = "ROLE-PUT-ADMIN" if role == "admin" else "ROLE-PUT-AGENT"
            _decided(request, role, rule, "only the owner may update the account")
            return error_response(403, "Forbidden", "Only the account owner may update the account")
        if self.settings.support_created:
            _decided(request, role, "SUPPORT-GET-ONLY", "the account was created in Support: it is read-only here")
            return error_response(
                403,
                "Forbidden",
                "This account was created in Zendesk Support: the Chat Accounts API is read-only for it",
            )
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            _decided(request, role, "ROBUST-CONTENT-TYPE", f"a body declared {media_type or 'as nothing'}, not JSON")
            return error_response(
                415, "UnsupportedMediaType", "Send the body as JSON with 'Content-Type: application/json'"
            )
        try:
            raw = await request.body()
        except ClientDisconnect:  # nobody is left to answer; a traceback in the log would say otherwise
            _decided(request, role, "-", "the client went away before its body arrived")
            return error_response(400, "BadRequest", "The request body did not arrive")
        try:
            body = _parse_json(raw)
        except ValueError as error:
            _decided(request, role, "ROBUST-BAD-JSON", f"the body is not valid JSON: {error}")
            return error_response(400, "BadRequest", f"The request body is not valid JSON: {error}")
        details = _field_details(body)
        if details:
            where = ", ".join(details)
            _decided(request, role, "ROBUST-INVALID-REJECTED", f"the body breaks the Account schema at {where}")
            return error_response(422, "InvalidValue", _describe(details, body), details=details)
        # Read-only fields (account_key, create_date, plan, status) are accepted and ignored.
        ignored = [name for name in spec.READ_ONLY_FIELDS if name in body]
        why = "billing updated" + (f"; read-only {', '.join(ignored)} ignored (RO-IGNORED)" if ignored else "")
        _decided(request, role, "UPD-APPLIES", why)
        return Response(self.store.update_billing(body.get("billing", {})), media_type=JSON)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        _decided(request, "-", "ROBUST-METHOD", f"{request.method} is not supported; allowed: {ALLOWED_METHODS}")
        return error_response(
            405,
            "MethodNotAllowed",
            f"{request.method} is not supported here; allowed methods: {ALLOWED_METHODS}",
            headers={"Allow": ALLOWED_METHODS},
        )
    if error.status_code == 404:
        _decided(request, "-", "-", f"no resource at {request.url.path}")
        return error_response(404, "NotFound", f"There is no resource at {request.url.path}")
    return error_response(error.status_code, "Error", str(error.detail))


async def _server_error(request: Request, error: Exception) -> Response:
    return error_response(500, "InternalError", "The server failed to handle the request")


def create_app(settings: ServerSettings | None = None, store: AccountStore | None = None) -> Any:
    """The ASGI application; `store` lets a caller keep a handle on the account it serves."""
    settings = settings or ServerSettings()
    store = store or AccountStore(settings.account, settings.state_file)
    endpoint = AccountEndpoint(settings, store)
    app: Any = Starlette(
        routes=[Route(spec.ACCOUNT_PATH, endpoint.handle, methods=["GET", "PUT"])],
        exception_handlers={HTTPException: _http_error, 500: _server_error},
    )
    app.state.store = store
    if settings.rate_limit_per_minute:
        app = RateLimit(app, settings.rate_limit_per_minute)
    return app
