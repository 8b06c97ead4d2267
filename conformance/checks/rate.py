"""RATE-RETRY-AFTER: a client told to slow down is told for how long."""

from __future__ import annotations

from conformance.checks.registry import response_check
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Violation
from conformance.transport import retry_after_seconds


@response_check("RATE-RETRY-AFTER", unexercised="the target sent no 429 response")
def rate_limit_says_when(exchange: Exchange, ctx: Context) -> bool | None:
    """RATE-RETRY-AFTER SHOULD: a 429 response carries a Retry-After header.

    Zendesk's rate-limit documentation sends Retry-After in seconds; RFC 9110 also allows an HTTP
    date, and both are accepted.
    """
    if exchange.status != 429:
        return None
    value = exchange.response.headers.get("retry-after")
    if retry_after_seconds(value) is None:
        raise Violation(
            "a 429 response does not say when to retry",
            expected="Retry-After: <seconds> or an HTTP date",
            actual=f"Retry-After: {value}" if value is not None else "no Retry-After header",
            exchange=exchange,
        )
    return True
