"""AUTH-*: requests without valid credentials get nothing.

The docs show every call with `Authorization: Bearer {token}` and say who each is allowed for; a
request without a valid token is allowed for nobody, and 401 is HTTP's status for that. They do not
say which of two mistakes a server names first: a PUT that is also wrong in another way (its body
not JSON, not declared JSON, too large, breaking the types) may get that fault's 4xx, as a body
parser placed before authentication answers (Express's `express.json()`). Only requests that are
otherwise well-formed are held to 401 (`leeway.refusal`); AUTH-NO-LEAK judges every refusal.
"""

from __future__ import annotations

from typing import Any

from conformance import coverage, described, generation, leeway
from conformance.checks.registry import response_check, scenario
from conformance.context import Context, Drawn
from conformance.exchange import NO_CREDENTIAL, Credential, Exchange
from conformance.failures import Violation, expect_status
from conformance.generation import GeneratedRequest
from conformance.lazy import strategies as st

ACCOUNT_FIELDS = ("account_key", "billing", "plan")
# A key this long is the account's and nobody else's; a shorter one (a mock's "abc") may turn up
# in any text, and finding it there would prove nothing.
DISTINCTIVE_KEY = 12
# Under --no-writes a PUT probe must change nothing even on a server that ignores credentials.
NO_OP_PUT = generation.NO_CHANGE
GET = GeneratedRequest("GET", "positive", None, None)


def _probes(ctx: Context) -> st.SearchStrategy[GeneratedRequest]:
    if ctx.options.writes:
        return st.one_of(described.any_request(), generation.billing_updates().map(generation.plausible_update))
    return st.sampled_from([GET, NO_OP_PUT])


def _unknown_or_malformed(ctx: Context) -> st.SearchStrategy[tuple[GeneratedRequest, Credential]]:
    real = set(ctx.target.tokens.values())
    credentials = st.one_of(generation.unknown_credentials(real), generation.malformed_credentials(real))
    return st.tuples(_probes(ctx), credentials)


PROBES = Drawn(_probes, share=0.5)
PROBES_WITH_BAD_CREDENTIALS = Drawn(_unknown_or_malformed)


def _refused(ctx: Context, request: GeneratedRequest, credential: Credential, what: str) -> None:
    expect_status(_send(ctx, request, credential), leeway.refusal({401}, request.well_formed), what)


def _send(ctx: Context, request: GeneratedRequest, credential: Credential) -> Exchange:
    return ctx.target.send(request.method, credential, content=request.content, content_type=request.content_type)


@scenario("AUTH-MISSING", properties=(PROBES,))
def missing_credentials(ctx: Context) -> None:
    """AUTH-MISSING MUST: GET and PUT without credentials get 401 (a PUT also wrong otherwise: any 4xx)."""

    def property_(request: GeneratedRequest) -> None:
        _refused(ctx, request, NO_CREDENTIAL, f"{request.method} without credentials")

    ctx.each((GET, NO_OP_PUT), property_)
    ctx.check_property(PROBES, property_)


@scenario("AUTH-INVALID", properties=(PROBES_WITH_BAD_CREDENTIALS,))
def invalid_credentials(ctx: Context) -> None:
    """AUTH-INVALID MUST: an unknown bearer token or a malformed Authorization header gets 401.

    As AUTH-MISSING, a PUT also wrong in another way may get that fault's 4xx instead.
    """
    real = set(ctx.target.tokens.values())

    def property_(pair: tuple[GeneratedRequest, Credential]) -> None:
        request, credential = pair
        kind = "an unknown bearer token" if credential.label == "unknown" else "a malformed Authorization header"
        _refused(ctx, request, credential, f"{request.method} with {kind}")

    covered = [GET, NO_OP_PUT, GET, GET, GET, NO_OP_PUT]
    packed = list(zip(covered, coverage.unknown_credentials(real), strict=True))
    ctx.check_property(PROBES_WITH_BAD_CREDENTIALS, property_, coverage=packed)


def _account_fields(document: Any) -> set[str]:
    """Account fields named anywhere in a JSON document."""
    if isinstance(document, dict):
        found = {key for key in document if key in ACCOUNT_FIELDS}
        for value in document.values():
            found |= _account_fields(value)
        return found
    if isinstance(document, list):
        return set().union(*(_account_fields(item) for item in document)) if document else set()
    return set()


@response_check("AUTH-NO-LEAK", unexercised="no 401 or 403 response was seen")
def no_account_data_when_refused(exchange: Exchange, ctx: Context) -> bool | None:
    """AUTH-NO-LEAK MUST: no 401 or 403 response carries account data.

    The docs' "Allowed for" lines: a refused caller is shown nothing. Any refusal body is accepted
    that names none of account_key, billing, plan (the key itself counts only when it is long
    enough to be the account's alone).
    """
    if exchange.status not in (401, 403):
        return None
    leaked = _account_fields(exchange.response.json)
    key = (ctx.snapshot or {}).get("account_key")
    if isinstance(key, str) and len(key) >= DISTINCTIVE_KEY and key in exchange.response.body:
        leaked.add("account_key")
    if leaked:
        raise Violation(
            f"a {exchange.status} response carries account data",
            expected="no account_key, billing or plan",
            actual=", ".join(sorted(leaked)),
            exchange=exchange,
        )
    return True


@response_check("AUTH-ERROR-BODY", unexercised="no 401 or 403 response was seen")
def refusal_explains(exchange: Exchange, ctx: Context) -> bool | None:
    """AUTH-ERROR-BODY SHOULD: 401 and 403 responses have a JSON object body saying what went wrong.

    The docs are silent, hence SHOULD: any JSON object with a non-empty string in it is accepted
    (Zendesk's `error`/`description`, FastAPI's `detail`, RFC 9457's `title`).
    """
    if exchange.status not in (401, 403):
        return None
    document = exchange.response.json
    if not isinstance(document, dict) or not any(isinstance(value, str) and value for value in document.values()):
        raise Violation(
            f"a {exchange.status} response does not say what went wrong",
            expected='a JSON object with a message, e.g. {"error": ..., "description": ...}',
            actual=exchange.response.body[:200] or "(empty body)",
            exchange=exchange,
        )
    return True
