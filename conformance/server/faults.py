"""Deliberately broken servers: the reference server with one rule broken.

They prove the suite catches what it claims to (tests/test_faults.py runs it against each), and
they let a client author see what their code does when a server gets a rule wrong:
`chat-conformance serve --fault admin-sees-billing`, or `chat_server.fault(...)` in pytest.

Each fault wraps an app (the reference app, or another fault: they compose) and changes one
behaviour, in the request on its way in or in the response on its way out, or reaches into the
account store the way a buggy implementation would. `breaks` names the requirements a run of the
suite fails against it. Correct variants (behaviours the catalog allows) are built the same way
and break nothing.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from conformance import jsontext, leeway, rfc8259, spec
from conformance.server.app import create_app
from conformance.server.log import Decision
from conformance.server.settings import ROLES, ServerSettings
from conformance.server.store import AccountStore


def _parsed(body: bytes) -> Any:
    """The body as a strict parser reads it: None where it is not JSON (RFC 8259) or nested too deeply."""
    try:
        document = jsontext.loads(body)
    except ValueError:  # not JSON, or nested too deeply to parse
        return None
    return None if rfc8259.judge(body) is False else document  # Python's parser takes NaN


def _not_json(body: bytes) -> bool:
    """Not JSON by RFC 8259's grammar (which any depth of nesting keeps), as a strict parser finds."""
    return rfc8259.judge(body) is False


def _billing(document: Any) -> dict[str, Any] | None:
    """The billing object of a request body, when it is one."""
    billing = document.get("billing") if isinstance(document, dict) else None
    return billing if isinstance(billing, dict) else None


@dataclass
class Req:
    method: str
    headers: dict[str, str]
    body: bytes

    @property
    def auth(self) -> str | None:
        return self.headers.get("authorization")

    def document(self) -> Any:
        return _parsed(self.body)


@dataclass
class Resp:
    status: int
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    body: bytes = b""

    def document(self) -> Any:
        return _parsed(self.body)

    def with_document(self, document: Any) -> Resp:
        return Resp(self.status, {**self.headers}, json.dumps(document).encode())


class Fault:
    """The reference server (or `app`, sharing `store`), with `request` and `response` as the places to break it."""

    breaks: ClassVar[frozenset[str]] = frozenset()  # the requirements a run of the suite fails against it

    def __init__(
        self, settings: ServerSettings | None = None, *, app: Any = None, store: AccountStore | None = None
    ) -> None:
        self.settings = settings or ServerSettings()
        self.store = store or AccountStore(self.settings.account)
        self.app = app or create_app(self.settings, self.store)
        self.owner, self.admin, self.agent = (f"Bearer {self.settings.tokens[role]}" for role in ROLES)
        self.role_of = {self.owner: "owner", self.admin: "admin", self.agent: "agent"}  # by Authorization value

    @classmethod
    def name(cls) -> str:
        """The name `serve --fault` knows it by: MalformedJsonIs422 is malformed-json-is-422."""
        return re.sub(r"(?<!^)(?=[A-Z])|(?<=[a-z])(?=[0-9])", "-", cls.__name__).lower()

    @classmethod
    def description(cls) -> str:
        """What it does, from its docstring without the IDs it breaks."""
        first = (cls.__doc__ or "").strip().splitlines()[0]
        return re.sub(r"^[A-Z0-9-]+(?: \((?:SHOULD)\))?: ", "", first)

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
        answered = changed if isinstance(changed, Resp) else await self._forward(scope, changed)
        resp = self.response(original, answered)
        if isinstance(changed, Resp) or changed != original or resp != answered:
            self._note(scope, original)
        await send(
            {
                "type": "http.response.start",
                "status": resp.status,
                "headers": [(k.encode(), v.encode()) for k, v in resp.headers.items() if k != "content-length"]
                + [(b"content-length", str(len(resp.body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": resp.body})

    def _note(self, scope: dict, sent: Req) -> None:
        """Tell the request log that this fault, not the reference app, decided the answer."""
        state = scope.setdefault("state", {})
        who = "none" if sent.auth is None else self.role_of.get(sent.auth, "unknown")
        rule = ", ".join(sorted(self.breaks)) or "-"
        state["decision"] = Decision(who, rule, f"fault {self.name()} played: {self.description()}")

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
    return isinstance(document, dict) and spec.is_valid("AccountUpdate", document)


def _json_error(status: int, text: str) -> Resp:
    return Resp(status, body=json.dumps({"error": "Error", "description": text}).encode())


# --- one broken rule each -------------------------------------------------------------------------------


class CreateDateNotUtc(Fault):
    """SHAPE-ACCOUNT: create_date without a time zone."""

    breaks = frozenset({"SHAPE-ACCOUNT"})

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if resp.status == 200 and isinstance(document, dict) and "create_date" in document:
            return resp.with_document({**document, "create_date": "2014-08-06 11:02:09"})
        return resp


class ErrorsAsPlainText(Fault):
    """SHAPE-CONTENT-TYPE: JSON error bodies labelled text/plain."""

    breaks = frozenset({"SHAPE-CONTENT-TYPE"})

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status >= 400:
            return Resp(resp.status, {**resp.headers, "content-type": "text/plain"}, resp.body)
        return resp


class MissingCredentialsAsAdmin(Fault):
    """AUTH-MISSING: a request without credentials is served as an admin's."""

    breaks = frozenset({"AUTH-MISSING"})

    def request(self, req: Req) -> Req | Resp:
        if req.auth is None:
            req.headers["authorization"] = self.admin
        return req


class UnknownTokensAsAdmin(Fault):
    """AUTH-INVALID: any Authorization header that is not a known token is served as an admin's."""

    breaks = frozenset({"AUTH-INVALID"})

    def request(self, req: Req) -> Req | Resp:
        if req.auth is not None and req.auth not in self.role_of:
            req.headers["authorization"] = self.admin
        return req


class RefusalLeaksKey(Fault):
    """AUTH-NO-LEAK: 401 and 403 bodies carry the account key."""

    breaks = frozenset({"AUTH-NO-LEAK"})

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status in (401, 403):
            return resp.with_document({**resp.document(), "account_key": "zendesk-chat-account-key"})
        return resp


class SilentRefusals(Fault):
    """AUTH-ERROR-BODY (SHOULD): 401 and 403 with an empty body."""

    breaks = frozenset({"AUTH-ERROR-BODY"})

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status in (401, 403):
            return Resp(resp.status, {}, b"")
        return resp


class _ServedAs(Fault):
    """A `method` request sent as one role is served as another's."""

    method = ""
    sent_as = ""
    served_as = ""

    def request(self, req: Req) -> Req | Resp:
        if req.method == self.method and req.auth == getattr(self, self.sent_as):
            req.headers["authorization"] = getattr(self, self.served_as)
        return req


class AdminCannotRead(_ServedAs):
    """ROLE-GET-ADMIN: an admin's GET is refused as an agent's would be."""

    breaks = frozenset({"ROLE-GET-ADMIN"})
    method, sent_as, served_as = "GET", "admin", "agent"


class AgentCanRead(_ServedAs):
    """ROLE-GET-AGENT: an agent's GET is served as an admin's."""

    breaks = frozenset({"ROLE-GET-AGENT"})
    method, sent_as, served_as = "GET", "agent", "admin"


class OwnerCannotUpdate(_ServedAs):
    """ROLE-PUT-OWNER: the owner's PUT is refused as an admin's would be."""

    # An owner whose PUT is refused cannot see an update applied, nor get 400 for broken JSON.
    breaks = frozenset({"ROLE-PUT-OWNER", "UPD-APPLIES", "ROBUST-BAD-JSON"})
    method, sent_as, served_as = "PUT", "owner", "admin"


class _UpdatesAs(Fault):
    """A non-owner's PUT is applied as the owner's; the answer hides billing."""

    role = ""

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and req.auth == getattr(self, self.role):
            req.headers["authorization"] = self.owner
        return req

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if req.auth == getattr(self, self.role) and isinstance(document, dict):
            document.pop("billing", None)
            return resp.with_document(document)
        return resp


class AdminCanUpdate(_UpdatesAs):
    """ROLE-PUT-ADMIN: an admin's PUT is applied as the owner's."""

    breaks = frozenset({"ROLE-PUT-ADMIN"})

    role = "admin"


class AgentCanUpdate(_UpdatesAs):
    """ROLE-PUT-AGENT: an agent's PUT is applied as the owner's."""

    breaks = frozenset({"ROLE-PUT-AGENT"})

    role = "agent"


class AdminSeesBilling(_ServedAs):
    """BILLING-OWNER-ONLY: an admin's GET is served as the owner's."""

    breaks = frozenset({"BILLING-OWNER-ONLY"})
    method, sent_as, served_as = "GET", "admin", "owner"


class AppliesReadOnlyFields(Fault):
    """RO-IGNORED: read-only fields in an owner's PUT are stored."""

    breaks = frozenset({"RO-IGNORED"})

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

    breaks = frozenset({"UPD-APPLIES"})

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and req.auth == self.owner and _valid_update(req):
            req.body = b"{}"
        return req


class ForgetsUpdates(Fault):
    """UPD-PERSISTS: the PUT's answer shows the update, but it is never stored."""

    breaks = frozenset({"UPD-PERSISTS"})

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

    breaks = frozenset({"UPD-IDEMPOTENT"})

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

    breaks = frozenset({"UPD-MERGE"})

    def request(self, req: Req) -> Req | Resp:
        is_json = req.headers.get("content-type", "").startswith("application/json")
        if (
            req.method == "PUT"
            and req.auth == self.owner
            and is_json
            and _valid_update(req)
            and "billing" in req.document()
        ):
            account = self.store.account()
            account["billing"] = {}
            self.store._set(account)
        return req


class CrashesOnWrongType(Fault):
    """ROBUST-NO-5XX: a billing field of the wrong type crashes the server."""

    breaks = frozenset({"ROBUST-NO-5XX"})

    def request(self, req: Req) -> Req | Resp:
        billing = _billing(req.document())
        if (
            req.method == "PUT"
            and req.auth == self.owner
            and billing is not None
            and any(not isinstance(value, str) for name, value in billing.items() if name != "cycle")
        ):
            return _json_error(500, "Internal Server Error")
        return req


class MalformedJsonIs422(Fault):
    """ROBUST-BAD-JSON: a body that is not JSON gets 422, not 400."""

    breaks = frozenset({"ROBUST-BAD-JSON"})

    def response(self, req: Req, resp: Resp) -> Resp:
        return Resp(422, resp.headers, resp.body) if resp.status == 400 else resp


class AcceptsWrongTypes(Fault):
    """ROBUST-INVALID-REJECTED: a body with wrong types is answered 200 and ignored."""

    breaks = frozenset({"ROBUST-INVALID-REJECTED"})

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        if (
            req.method == "PUT"
            and document is not None
            and not spec.is_valid("AccountUpdate", document, types_only=True)
        ):
            req.body = b"{}"
        return req


class LosesAccountAfterEmptyUpdate(Fault):
    """ROBUST-STATE-VALID: after an empty update the account is gone until billing is sent again."""

    breaks = frozenset({"ROBUST-STATE-VALID"})

    lost = False

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        if req.method == "PUT" and req.auth == self.owner and document is not None:
            self.lost = document == {}
        if req.method == "GET" and self.lost and req.auth in (self.owner, self.admin):
            return _json_error(404, "No account")
        return req


class CrashesOnDeepNesting(Fault):
    """ROBUST-NO-5XX: a body nested deeper than the parser's stack fails with 500, as a recursive parser does."""

    breaks = frozenset({"ROBUST-NO-5XX"})

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT" and jsontext.nested_deeper_than(req.body.decode("utf-8", "replace"), 500):
            return _json_error(500, "maximum recursion depth exceeded")
        return req


class CrashesOnAstralCharacters(Fault):
    """ROBUST-NO-5XX: storing a character beyond the Basic Multilingual Plane fails with 500 (a 3-byte UTF-8 column)."""

    breaks = frozenset({"ROBUST-NO-5XX"})

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        stored = req.method == "PUT" and req.auth == self.owner and document is not None
        if stored and any(ord(char) > 0xFFFF for char in json.dumps(document, ensure_ascii=False)):
            return _json_error(500, "Incorrect string value")
        return req


class MissesLowSurrogates(Fault):
    """ROBUST-NO-5XX: a test for unpaired surrogates that looks for high ones only: a lone low one fails the store."""

    breaks = frozenset({"ROBUST-NO-5XX"})

    def request(self, req: Req) -> Req | Resp:
        text = json.dumps(req.document(), ensure_ascii=False) if req.method == "PUT" else ""
        highs = any("\ud800" <= char <= "\udbff" for char in text)
        if not highs and any("\udc00" <= char <= "\udfff" for char in text):
            return _json_error(500, "surrogates not allowed")
        return req


class NumbersAsStringsAccepted(Fault):
    """ROBUST-INVALID-REJECTED: a billing cycle sent as a string of digits is taken as the number."""

    breaks = frozenset({"ROBUST-INVALID-REJECTED"})

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        billing = _billing(document)
        cycle = billing.get("cycle") if billing is not None else None
        if req.method == "PUT" and isinstance(cycle, str) and cycle.isdigit():
            billing["cycle"] = int(cycle)  # type: ignore[index]
            req.body = json.dumps(document).encode()
        return req


class CrashesQuotingLongValues(Fault):
    """ROBUST-NO-5XX: a refused string longer than 255 characters fails with 500, quoted into a VARCHAR(255) error."""

    breaks = frozenset({"ROBUST-NO-5XX"})

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        given = document.get("billing") if isinstance(document, dict) else None
        refused = [given] if isinstance(given, str) else _strings_where_none_fits(_billing(document) or {})
        if req.method == "PUT" and any(len(value) > 255 for value in refused):
            return _json_error(500, "Data too long for column 'message'")
        return req


def _strings_where_none_fits(billing: dict[str, Any]) -> list[str]:
    """The strings `billing` gives fields declared with another type."""
    declared = spec.component("Billing")["properties"]
    return [
        value
        for name, value in billing.items()
        if isinstance(value, str) and name in declared and declared[name]["type"] != "string"
    ]


class AnyContentTypeIsJson(Fault):
    """ROBUST-CONTENT-TYPE (SHOULD): every PUT body is read as JSON, whatever it is declared as."""

    breaks = frozenset({"ROBUST-CONTENT-TYPE"})

    def request(self, req: Req) -> Req | Resp:
        if req.method == "PUT":
            req.headers["content-type"] = "application/json"
        return req


class PostActsAsPut(Fault):
    """ROBUST-METHOD: POST updates the account as PUT does."""

    # A POST answered 200 is not the 405 with Allow that ROBUST-ALLOW asks for either.
    breaks = frozenset({"ROBUST-METHOD", "ROBUST-ALLOW"})

    def request(self, req: Req) -> Req | Resp:
        if req.method == "POST":
            req.method = "PUT"
        return req


class MethodsWithoutAllow(Fault):
    """ROBUST-ALLOW (SHOULD): methods other than GET and PUT get 404, as a router without them answers."""

    breaks = frozenset({"ROBUST-ALLOW"})

    def request(self, req: Req) -> Req | Resp:
        if req.method not in ("GET", "PUT", "HEAD", "OPTIONS"):
            return _json_error(404, f"Cannot {req.method} /api/v2/chat/account")
        return req


class RateLimitWithoutRetryAfter(Fault):
    """RATE-RETRY-AFTER (SHOULD): twice in a run, a 429 that does not say when to retry."""

    breaks = frozenset({"RATE-RETRY-AFTER"})

    def __init__(self, settings: ServerSettings | None = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.seen = 0

    def request(self, req: Req) -> Req | Resp:
        self.seen += 1
        if self.seen in (20, 60):
            return _json_error(429, "Too many requests")
        return req


class CoercesScalars(Fault):
    """ROBUST-INVALID-REJECTED: three lax coercions: an integer or a boolean into a string, digits into an integer.

    A binder with scalar coercion on (as Jackson's is by default) stores `5` as "5", `true` as
    "true" and "12" as 12: three distinct ways of breaking one rule, all shown by one run.
    """

    breaks = frozenset({"ROBUST-INVALID-REJECTED"})

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        billing = _billing(document)
        if req.method != "PUT" or billing is None:
            return req
        types = {name: field["type"] for name, field in spec.component("Billing")["properties"].items()}
        for name, value in billing.items():
            if types.get(name) == "string" and isinstance(value, bool):
                billing[name] = "true" if value else "false"
            elif types.get(name) == "string" and isinstance(value, int):
                billing[name] = str(value)
            elif types.get(name) == "integer" and isinstance(value, str) and value.isascii() and value.isdigit():
                billing[name] = int(value)
        req.body = json.dumps(document).encode()
        return req


class StoresNull(Fault):
    """ROBUST-INVALID-REJECTED: a billing field sent as null is stored as null (an optional field, unchecked)."""

    # The null then shows in every owner's answer (SHAPE-ACCOUNT); a sequence of PUTs that sends
    # one leaves the account invalid too (ROBUST-STATE-VALID), on a seed that draws one.
    breaks = frozenset({"ROBUST-INVALID-REJECTED", "SHAPE-ACCOUNT"})

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        billing = _billing(document)
        if req.method != "PUT" or req.auth != self.owner or billing is None:
            return req
        nulls = [name for name, value in billing.items() if value is None and name in spec.BILLING_FIELDS]
        if nulls:
            account = self.store.account()
            account["billing"].update(dict.fromkeys(nulls))
            self.store._set(account)
            document["billing"] = {name: value for name, value in billing.items() if value is not None}
            req.body = json.dumps(document).encode()
        return req


class AdminSeesNoPlan(Fault):
    """ROLE-GET-ADMIN-VIEW (SHOULD): an admin is shown the account without its plan."""

    breaks = frozenset({"ROLE-GET-ADMIN-VIEW"})

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if req.method == "GET" and req.auth == self.admin and resp.status == 200 and isinstance(document, dict):
            document.pop("plan", None)
            return resp.with_document(document)
        return resp


_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


def _lenient_loads(body: bytes) -> Any:
    """Python's json.loads with its defaults (NaN, Infinity and -Infinity are numbers), comments stripped.

    The reading of JSONC and of many hand-rolled "tolerant" parsers; raises ValueError where even it fails.
    """
    text = body.decode("utf-8")
    stripped = _STRING_OR_COMMENT.sub(lambda match: match[0] if match[0].startswith('"') else " ", text)
    return json.loads(stripped)


class ReadsJsonLeniently(Fault):
    """ROBUST-BAD-JSON: bodies read by a lenient parser (NaN and Infinity as numbers, comments skipped)."""

    breaks = frozenset({"ROBUST-BAD-JSON"})

    def request(self, req: Req) -> Req | Resp:
        declared_json = req.headers.get("content-type", "").lower().startswith("application/json")
        if req.method != "PUT" or req.auth != self.owner or not declared_json or rfc8259.judge(req.body) is not False:
            return req
        try:
            document = _lenient_loads(req.body)
        except (ValueError, RecursionError):
            return req  # not even the lenient parser reads it: refused as the reference refuses it
        if not (isinstance(document, dict) and spec.is_valid("AccountUpdate", document)):
            return _json_error(422, "The body breaks the types of the account")  # NaN is no string nor integer
        req.body = json.dumps(document).encode()
        return req


# --- HTTP itself written wrong ---------------------------------------------------------------------------


class _SpoilsEveryFifthRefusal(Fault):
    """Every fifth 401 is spoiled by `spoil`.

    Refusals only: a client that cannot read one learns nothing it needed, so no other rule breaks.
    """

    def __init__(self, settings: ServerSettings | None = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.refusals = 0

    def response(self, req: Req, resp: Resp) -> Resp:
        if resp.status != 401:
            return resp
        self.refusals += 1
        return self.spoil(resp) if self.refusals % 5 == 0 else resp

    def spoil(self, resp: Resp) -> Resp:
        raise NotImplementedError


class GzipLabelOnPlainRefusals(_SpoilsEveryFifthRefusal):
    """ROBUST-HTTP: every fifth refusal says Content-Encoding gzip, though its body is plain JSON."""

    breaks = frozenset({"ROBUST-HTTP"})

    def spoil(self, resp: Resp) -> Resp:
        return Resp(resp.status, {**resp.headers, "content-encoding": "gzip"}, resp.body)


class TruncatedRefusals(_SpoilsEveryFifthRefusal):
    """ROBUST-HTTP: every fifth refusal is declared JSON but cut short, as when a proxy drops the end."""

    # A refusal that cannot be read says nothing of its error either (AUTH-ERROR-BODY, a SHOULD).
    breaks = frozenset({"ROBUST-HTTP", "AUTH-ERROR-BODY"})

    def spoil(self, resp: Resp) -> Resp:
        return Resp(resp.status, resp.headers, resp.body[: len(resp.body) // 2])


# --- behaviours the catalog allows ----------------------------------------------------------------------


class RefusesReadOnlyFields(Fault):
    """Read-only fields refused with 400 instead of ignored."""

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        sends_read_only = isinstance(document, dict) and any(name in document for name in spec.READ_ONLY_FIELDS)
        if req.method == "PUT" and req.auth == self.owner and sends_read_only:
            return _json_error(400, "Read-only fields cannot be sent")
        return req


class EmptyBillingForAdmins(Fault):
    """billing {} instead of absent for anyone but the owner."""

    def response(self, req: Req, resp: Resp) -> Resp:
        document = resp.document()
        if req.auth != self.owner and resp.status == 200 and isinstance(document, dict):
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
            billing = _billing(document)
            if billing is not None:
                document["billing"] = {k: v for k, v in billing.items() if k in spec.BILLING_FIELDS}
            req.body = json.dumps(document).encode()
        return req


class BodyParsedBeforeAuth(Fault):
    """A body that is not JSON (400) or breaks the types (422) refused before credentials are looked at."""

    def request(self, req: Req) -> Req | Resp:
        if req.method != "PUT" or not req.body:
            return req
        if _not_json(req.body):
            return _json_error(400, "The body is not valid JSON")
        if leeway.breaks_writable_types(req.document()):
            return _json_error(422, "The body breaks the types of the account")
        return req


class EmptyBodyIsEmptyUpdate(Fault):
    """An empty PUT body declared JSON taken as the empty update {}, as Express's body parser takes it."""

    def request(self, req: Req) -> Req | Resp:
        if (
            req.method == "PUT"
            and req.body == b""
            and req.headers.get("content-type", "").startswith("application/json")
        ):
            req.body = b"{}"
        return req


class EchoesLoneSurrogates(Fault):
    """Strings with unpaired surrogates stored and echoed as JSON escapes ("\\ud800"), as JSON text allows."""

    # The store holds Unicode text only, so each surrogate is kept as a code point of Plane 15's
    # private use area on the way in, and written back as its escape on the way out.
    SURROGATES = re.compile("[\ud800-\udfff]")
    KEPT = re.compile("[\U000fd800-\U000fdfff]")

    def request(self, req: Req) -> Req | Resp:
        document = req.document()
        if req.method == "PUT" and jsontext.has_unpaired_surrogate(document):
            req.body = json.dumps(self._mapped(document, self.SURROGATES, 0xF0000)).encode()
        return req

    def response(self, req: Req, resp: Resp) -> Resp:
        if b"\xf3\xbd" not in resp.body:  # the UTF-8 of Plane 15's U+FD800 to U+FDFFF
            return resp
        return Resp(resp.status, resp.headers, json.dumps(self._mapped(resp.document(), self.KEPT, -0xF0000)).encode())

    @classmethod
    def _mapped(cls, document: Any, pattern: re.Pattern[str], shift: int) -> Any:
        if isinstance(document, str):
            return pattern.sub(lambda match: chr(ord(match.group()) + shift), document)
        if isinstance(document, dict):
            return {
                cls._mapped(key, pattern, shift): cls._mapped(value, pattern, shift) for key, value in document.items()
            }
        if isinstance(document, list):
            return [cls._mapped(item, pattern, shift) for item in document]
        return document


class NullIsNotSent(Fault):
    """null in a PUT body (the body, billing, a billing field) taken as not sent, as Go's encoding/json reads it.

    Into a struct with pointer fields, encoding/json leaves a field a null names untouched; Rust's
    serde, Jackson and System.Text.Json read null the same way.
    """

    def request(self, req: Req) -> Req | Resp:
        if req.method != "PUT" or rfc8259.judge(req.body) is not True:
            return req
        document = req.document()
        if document is None and req.body.strip(b" \t\r\n") == b"null":
            document = {}
        elif not isinstance(document, dict):
            return req
        elif document.get("billing", {}) is None:
            document = {name: value for name, value in document.items() if name != "billing"}
        billing = _billing(document)
        if billing is not None:
            document["billing"] = {name: value for name, value in billing.items() if value is not None}
        req.body = json.dumps(document).encode()
        return req


class RateLimitedWithRetryAfter(Fault):
    """Under load, a 429 with Retry-After now and then."""

    def __init__(self, settings: ServerSettings | None = None, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
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


def _kinds(base: type[Fault]) -> list[type[Fault]]:
    """Every class built on `base`, in the order they are written."""
    return [kind for sub in base.__subclasses__() for kind in (sub, *_kinds(sub))]


FAULTS: tuple[type[Fault], ...] = tuple(fault for fault in _kinds(Fault) if fault.breaks)
# Behaviours the requirement catalog allows: a client must cope with them, and the suite passes them.
VARIANTS: tuple[type[Fault], ...] = (
    RefusesReadOnlyFields,
    EmptyBillingForAdmins,
    ExtraFields,
    NoCharset,
    IgnoresUnknownFields,
    BodyParsedBeforeAuth,
    EmptyBodyIsEmptyUpdate,
    EchoesLoneSurrogates,
    NullIsNotSent,
    RateLimitedWithRetryAfter,
)
CATALOG: dict[str, type[Fault]] = {fault.name(): fault for fault in (*FAULTS, *VARIANTS)}


def with_faults(names: list[str], settings: ServerSettings, app: Any, store: AccountStore) -> Any:
    """`app` with the faults named (see CATALOG) wrapped around it, the first name outermost."""
    unknown = [name for name in names if name not in CATALOG]
    if unknown:
        raise KeyError(f"no fault is called {unknown[0]!r}; chat-conformance serve --list-faults lists them")
    for name in reversed(names):
        app = CATALOG[name](settings, app=app, store=store)
    return app
