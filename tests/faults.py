"""Deliberately broken servers: the reference server with one rule broken, to prove the suite catches it.

Each fault wraps the reference app and changes one behaviour, in the request on its way in or in
the response on its way out, or reaches into the account store the way a buggy implementation
would. Correct variants (behaviours the catalog allows) are built the same way.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from conformance import spec
from conformance.server import ServerSettings, create_app
from conformance.server.settings import DEFAULT_TOKENS
from conformance.server.store import AccountStore

OWNER, ADMIN, AGENT = (f"Bearer {DEFAULT_TOKENS[role]}" for role in ("owner", "admin", "agent"))


@dataclass
class Req:
    method: str
    headers: dict[str, str]
    body: bytes

    @property
    def auth(self) -> str | None:
        return self.headers.get("authorization")

    def document(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
            return None


@dataclass
class Resp:
    status: int
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    body: bytes = b""

    def document(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses
            return None

    def with_document(self, document: Any) -> Resp:
        return Resp(self.status, {**self.headers}, json.dumps(document).encode())


class Fault:
    """The reference server, with `request` and `response` as the places to break it."""

    def __init__(self, settings: ServerSettings | None = None) -> None:
        self.settings = settings or ServerSettings()
        self.store = AccountStore(self.settings.account)
        self.app = create_app(self.settings, self.store)

    def request(self, req: Req) -> Req | Resp:
        return req

    def response(self, req: Req, resp: Resp) -> Resp:
        return resp

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        original = Req(scope["method"], headers, body)
        changed = self.request(Req(original.method, dict(headers), body))
        resp = changed if isinstance(changed, Resp) else await self._forward(scope, changed)
        resp = self.response(original, resp)
        await send(
            {
                "type": "http.response.start",
                "status": resp.status,
                "headers": [(k.encode(), v.encode()) for k, v in resp.headers.items() if k != "content-length"]
                + [(b"content-length", str(len(resp.body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": resp.body})

    async def _forward(self, scope: dict, req: Req) -> Resp:
        inner_scope = {
            **scope,
            "method": req.method,
            "headers": [(k.encode(), v.encode()) for k, v in req.headers.items() if k != "content-length"]
            + [(b"content-length", str(len(req.body)).encode())],
        }
        sent = False
        out: dict[str, Any] = {"body": b""}

        async def receive() -> dict:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": req.body, "more_body": False}

        async def capture(message: dict) -> None:
            if message["type"] == "http.response.start":
                out["status"] = message["status"]
                out["headers"] = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
            else:
                out["body"] += message.get("body", b"")

        await self.app(inner_scope, receive, capture)
        return Resp(out["status"], out["headers"], out["body"])


def _valid_update(req: Req) -> bool:
    document = req.document()
    return isinstance(document, dict) and spec.validator("AccountUpdate").is_valid(document)


def _json_error(status: int, text: str) -> Resp:
    return Resp(status, body=json.dumps({"error": "Error", "description": text}).encode())


# --- one broken rule each -------------------------------------------------------------------------------


class CreateDateNotUtc(Fault):
    """SHAPE-ACCOUNT: create_date without a time zone."""

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if resp.status == 200 and isinstance(document, dict) and "create_date" in document:
            return resp.with_document({**document, "create_date": "2014-08-06 11:02:09"})
        return resp


class ErrorsAsPlainText(Fault):
    """SHAPE-CONTENT-TYPE: JSON error bodies labelled text/plain."""

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status >= 400:
            return Resp(resp.status, {**resp.headers, "content-type": "text/plain"}, resp.body)
        return resp


class MissingCredentialsAsAdmin(Fault):
    """AUTH-MISSING: a request without credentials is served as an admin's."""

    def request(self, req: Req) -> Req | Resp:
        if req.auth is None:
            req.headers["authorization"] = ADMIN
        return req


class UnknownTokensAsAdmin(Fault):
    """AUTH-INVALID: any Authorization header that is not a known token is served as an admin's."""

    def request(self, req: Req) -> Req | Resp:
        if req.auth is not None and req.auth not in (OWNER, ADMIN, AGENT):
            req.headers["authorization"] = ADMIN
        return req


class RefusalLeaksKey(Fault):
    """AUTH-NO-LEAK: 401 and 403 bodies carry the account key."""

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status in (401, 403):
            return resp.with_document({**resp.document(), "account_key": "zendesk-chat-account-key"})
        return resp


class SilentRefusals(Fault):
    """AUTH-ERROR-BODY (SHOULD): 401 and 403 with an empty body."""

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status in (401, 403):
            return Resp(resp.status, {}, b"")
        return resp


class AdminCannotRead(Fault):
    """ROLE-GET-ADMIN: an admin's GET is refused as an agent's would be."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "GET" and req.auth == ADMIN:
            req.headers["authorization"] = AGENT
        return req


class AgentCanRead(Fault):
    """ROLE-GET-AGENT: an agent's GET is served as an admin's."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "GET" and req.auth == AGENT:
            req.headers["authorization"] = ADMIN
        return req


class OwnerCannotUpdate(Fault):
    """ROLE-PUT-OWNER: the owner's PUT is refused as an admin's would be."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and req.auth == OWNER:
            req.headers["authorization"] = ADMIN
        return req


class _UpdatesAs(Fault):
    """A non-owner's PUT is applied as the owner's; the answer hides billing."""

    role = ""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and req.auth == self.role:
            req.headers["authorization"] = OWNER
        return req

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if req.auth == self.role and isinstance(document, dict):
            document.pop("billing", None)
            return resp.with_document(document)
        return resp


class AdminCanUpdate(_UpdatesAs):
    """ROLE-PUT-ADMIN."""

    role = ADMIN


class AgentCanUpdate(_UpdatesAs):
    """ROLE-PUT-AGENT."""

    role = AGENT


class AdminSeesBilling(Fault):
    """BILLING-OWNER-ONLY: an admin's GET is served as the owner's."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "GET" and req.auth == ADMIN:
            req.headers["authorization"] = OWNER
        return req


class AppliesReadOnlyFields(Fault):
    """RO-IGNORED: read-only fields in an owner's PUT are stored."""

    def response(self, req: Req, resp: Resp) -> Resp:
        document = req.document()
        if req.method != "PUT" or resp.status != 200 or not isinstance(document, dict):
            return resp
        account = self.store.account()
        for name in spec.READ_ONLY_FIELDS:
            if name in document:
                value = document[name]
                account[name] = {**account.get("plan", {}), **value} if name == "plan" else value
        self.store._set(account)
        return Resp(200, resp.headers, self.store.owner_body)


class IgnoresUpdates(Fault):
    """UPD-APPLIES: an owner's PUT is answered 200 with the account, and nothing is applied."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and req.auth == OWNER and _valid_update(req):
            req.body = b"{}"
        return req


class ForgetsUpdates(Fault):
    """UPD-PERSISTS: the PUT's answer shows the update, but it is never stored."""

    def response(self, req: Req, resp: Resp) -> Resp:
        if req.method == "PUT" and resp.status == 200:
            before = json.loads(self._saved)
            self.store._set(before)
        return resp

    def request(self, req: Req) -> Req | Resp:
        self._saved = self.store.owner_body
        return req


class CountsRepeats(Fault):
    """UPD-IDEMPOTENT: a PUT that changes nothing bumps a counter in the account."""

    def request(self, req: Req) -> Req | Resp:
        self._before = self.store.account()
        return req

    def response(self, req: Req, resp: Resp) -> Resp:
        if req.method == "PUT" and resp.status == 200 and self.store.account() == self._before:
            account = self.store.account()
            account["repeated_updates"] = account.get("repeated_updates", 0) + 1
            self.store._set(account)
            return Resp(200, resp.headers, self.store.owner_body)
        return resp


class ReplacesBilling(Fault):
    """UPD-MERGE (SHOULD): a PUT replaces billing whole instead of merging it."""

    def request(self, req: Req) -> Req | Resp:
        is_json = req.headers.get("content-type", "").startswith("application/json")
        if req.method == "PUT" and req.auth == OWNER and is_json and _valid_update(req) and "billing" in req.document():
            account = self.store.account()
            account["billing"] = {}
            self.store._set(account)
        return req


class CrashesOnWrongType(Fault):
    """ROBUST-NO-5XX: a billing field of the wrong type crashes the server."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        billing = document.get("billing") if isinstance(document, dict) else None
        if (
            req.method == "PUT"
            and req.auth == OWNER
            and isinstance(billing, dict)
            and any(not isinstance(value, str) for name, value in billing.items() if name != "cycle")
        ):
            return _json_error(500, "Internal Server Error")
        return req


class MalformedJsonIs422(Fault):
    """ROBUST-BAD-JSON: a body that is not JSON gets 422, not 400."""

    def response(self, req: Req, resp: Resp) -> Resp:
        return Resp(422, resp.headers, resp.body) if resp.status == 400 else resp


class AcceptsWrongTypes(Fault):
    """ROBUST-INVALID-REJECTED: a body with wrong types is answered 200 and ignored."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        if (
            req.method == "PUT"
            and document is not None
            and not spec.types_only_validator("AccountUpdate").is_valid(document)
        ):
            req.body = b"{}"
        return req


class LosesAccountAfterEmptyUpdate(Fault):
    """ROBUST-STATE-VALID: after an empty update the account is gone until billing is sent again."""

    lost = False

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        if req.method == "PUT" and req.auth == OWNER and document is not None:
            self.lost = document == {}
        if req.method == "GET" and self.lost and req.auth in (OWNER, ADMIN):
            return _json_error(404, "No account")
        return req


def _depth(raw: bytes) -> int:
    depth = deepest = 0
    for byte in raw:
        if byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


class CrashesOnDeepNesting(Fault):
    """ROBUST-NO-5XX: a body nested deeper than the parser's stack fails with 500, as a recursive parser does."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and _depth(req.body) > 500:
            return _json_error(500, "maximum recursion depth exceeded")
        return req


class CrashesOnAstralCharacters(Fault):
    """ROBUST-NO-5XX: storing a character beyond the Basic Multilingual Plane fails with 500 (a 3-byte UTF-8 column)."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        stored = req.method == "PUT" and req.auth == OWNER and document is not None
        if stored and any(ord(char) > 0xFFFF for char in json.dumps(document, ensure_ascii=False)):
            return _json_error(500, "Incorrect string value")
        return req


class NumbersAsStringsAccepted(Fault):
    """ROBUST-INVALID-REJECTED: a billing cycle sent as a string of digits is taken as the number."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        billing = document.get("billing") if isinstance(document, dict) else None
        cycle = billing.get("cycle") if isinstance(billing, dict) else None
        if req.method == "PUT" and isinstance(cycle, str) and cycle.isdigit():
            billing["cycle"] = int(cycle)  # type: ignore[index]
            req.body = json.dumps(document).encode()
        return req


class AnyContentTypeIsJson(Fault):
    """ROBUST-CONTENT-TYPE (SHOULD): every PUT body is read as JSON, whatever it is declared as."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT":
            req.headers["content-type"] = "application/json"
        return req


class PostActsAsPut(Fault):
    """ROBUST-METHOD: POST updates the account as PUT does."""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "POST":
            req.method = "PUT"
        return req


class RateLimitWithoutRetryAfter(Fault):
    """RATE-RETRY-AFTER (SHOULD): twice in a run, a 429 that does not say when to retry."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def request(self, req: Req) -> Req | Resp:
        self.seen += 1
        if self.seen in (20, 60):
            return _json_error(429, "Too many requests")
        return req


# --- behaviours the catalog allows ----------------------------------------------------------------------


class RefusesReadOnlyFields(Fault):
    """Read-only fields refused with 400 instead of ignored."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        sends_read_only = isinstance(document, dict) and any(name in document for name in spec.READ_ONLY_FIELDS)
        if req.method == "PUT" and req.auth == OWNER and sends_read_only:
            return _json_error(400, "Read-only fields cannot be sent")
        return req


class EmptyBillingForAdmins(Fault):
    """billing {} instead of absent for anyone but the owner."""

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if req.auth != OWNER and resp.status == 200 and isinstance(document, dict):
            return resp.with_document({**document, "billing": {}})
        return resp


class ExtraFields(Fault):
    """Undocumented fields in the account, its plan and its billing."""

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if resp.status == 200 and isinstance(document, dict):
            document["timezone"] = "UTC"
            document.setdefault("plan", {})["max_widgets"] = 3
            if "billing" in document:
                document["billing"]["vat_id"] = "DK12345678"
            return resp.with_document(document)
        return resp


class NoCharset(Fault):
    """Content-Type application/json without a charset parameter."""

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.headers.get("content-type", "").startswith("application/json"):
            return Resp(resp.status, {**resp.headers, "content-type": "application/json"}, resp.body)
        return resp


class IgnoresUnknownFields(Fault):
    """Unknown fields in a PUT body ignored instead of refused."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        if req.method == "PUT" and isinstance(document, dict):
            known = {"billing", *spec.READ_ONLY_FIELDS}
            document = {name: value for name, value in document.items() if name in known}
            billing = document.get("billing")
            if isinstance(billing, dict):
                document["billing"] = {k: v for k, v in billing.items() if k in spec.BILLING_FIELDS}
            req.body = json.dumps(document).encode()
        return req


class RateLimitedWithRetryAfter(Fault):
    """Under load, a 429 with Retry-After now and then."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    def request(self, req: Req) -> Req | Resp:
        self.seen += 1
        if self.seen % 50 == 0:
            resp = _json_error(429, "Too many requests")
            resp.headers["retry-after"] = "0"
            return resp
        return req


class Slow(Fault):
    """40 ms of latency on every response."""

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        await asyncio.sleep(0.04)
        await super().__call__(scope, receive, send)
