"""SHAPE-*: what every response looks like."""

from __future__ import annotations

from conformance import spec
from conformance.checks.registry import response_check
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Violation


@response_check("SHAPE-ACCOUNT", unexercised="no 200 response was seen")
def account_shape(exchange: Exchange, ctx: Context) -> bool | None:
    """SHAPE-ACCOUNT MUST: every 200 of GET or PUT is a JSON object valid against the Account schema.

    The docs' JSON format table gives the types, and every example writes `create_date` as an ISO
    8601 UTC timestamp. Where they are silent the schema is open: undocumented fields anywhere, any
    subset of the documented ones, fractional seconds and `+00:00` for UTC, plan limits as counts
    or "unlimited" (the Show Account example has both).
    """
    if exchange.status != 200 or exchange.method not in ("GET", "PUT"):
        return None
    if not isinstance(exchange.response.json, dict):
        raise Violation(
            "a 200 response is not a JSON object",
            expected="an Account object",
            actual=exchange.response.body[:200] or "(empty body)",
            exchange=exchange,
        )
    # The description's own schema, compiled once: it runs on every 200 of the run.
    problems = spec.errors("Account", exchange.response.json)
    if problems:
        raise Violation(
            "a 200 response breaks the Account schema",
            expected="an Account as openapi/chat-accounts.yaml describes it",
            actual="; ".join(problems),
            exchange=exchange,
        )
    return True


@response_check("SHAPE-CONTENT-TYPE")
def json_content_type(exchange: Exchange, ctx: Context) -> bool | None:
    """SHAPE-CONTENT-TYPE MUST: a response with a JSON body says Content-Type: application/json.

    The docs' samples all speak application/json. Parameters (`charset=utf-8`, as Express and
    Fastify send it) and any letter case are accepted; a body that is not JSON (an HTML error page)
    may say what it is. A 200 of GET or PUT must carry the account, so it is judged even when its
    body does not parse.
    """
    carries_account = exchange.status == 200 and exchange.method in ("GET", "PUT")
    if exchange.response.json is None and not carries_account:
        return None
    if exchange.response.media_type != "application/json":
        raise Violation(
            "a response with a JSON body does not declare it as JSON",
            expected="Content-Type: application/json",
            actual=f"Content-Type: {exchange.response.headers.get('content-type', '(none)')}",
            exchange=exchange,
        )
    return True
