"""AUTH-*: requests without valid credentials get nothing."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance import generation
from conformance.checks.registry import response_check, scenario
from conformance.context import Context
from conformance.exchange import NO_CREDENTIAL, Credential, Exchange
from conformance.failures import Violation, expect_status
from conformance.generation import GeneratedRequest

ACCOUNT_FIELDS = ("account_key", "billing", "plan")
# A key this long is the account's and nobody else's; a shorter one (a mock's "abc") may turn up
# in any text, and finding it there would prove nothing.
DISTINCTIVE_KEY = 12
# Under --no-writes a PUT probe must change nothing even on a server that ignores credentials.
NO_OP_PUT = GeneratedRequest("PUT", "positive", b"{}", "application/json")


def _probes(ctx: Context) -> st.SearchStrategy[GeneratedRequest]:
    if ctx.options.writes:
        return generation.any_request()
    return st.one_of(generation.requests("GET", "positive"), st.just(NO_OP_PUT))


def _send(ctx: Context, request: GeneratedRequest, credential: Credential) -> Exchange:
    return ctx.target.send(request.method, credential, content=request.content, content_type=request.content_type)


@scenario("AUTH-MISSING")
def missing_credentials(ctx: Context) -> None:
    """AUTH-MISSING MUST: GET and PUT without credentials get 401."""
    for request in (GeneratedRequest("GET", "positive", None, None), NO_OP_PUT):
        expect_status(_send(ctx, request, NO_CREDENTIAL), {401}, f"{request.method} without credentials")

    def property_(request: GeneratedRequest) -> None:
        expect_status(_send(ctx, request, NO_CREDENTIAL), {401}, f"{request.method} without credentials")

    ctx.check_property(_probes(ctx), property_, max_examples=ctx.examples(0.5))


@scenario("AUTH-INVALID")
def invalid_credentials(ctx: Context) -> None:
    """AUTH-INVALID MUST: an unknown bearer token or a malformed Authorization header gets 401."""
    real = set(ctx.target.tokens.values())
    credentials = st.one_of(generation.unknown_credentials(real), generation.malformed_credentials(real))

    def property_(pair: tuple[GeneratedRequest, Credential]) -> None:
        request, credential = pair
        kind = "an unknown bearer token" if credential.label == "unknown" else "a malformed Authorization header"
        what = f"{request.method} with {kind}"
        expect_status(_send(ctx, request, credential), {401}, what)

    ctx.check_property(st.tuples(_probes(ctx), credentials), property_)


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
    """AUTH-NO-LEAK MUST: no 401 or 403 response carries account data."""
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
    """AUTH-ERROR-BODY SHOULD: 401 and 403 responses have a JSON object body saying what went wrong."""
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
