"""SECURITY-REDIRECT: a rule for the suite itself, checked on every exchange it makes."""

from __future__ import annotations

from conformance.checks.registry import response_check
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Violation
from conformance.transport import origin


@response_check("SECURITY-REDIRECT", unexercised="no request with a credential was sent")
def credentials_stay_at_the_target(exchange: Exchange, ctx: Context) -> bool | None:
    """SECURITY-REDIRECT MUST: a credential is never sent to an origin other than the target's.

    A rule for the suite itself: the transport follows no redirect, so this holds on every target
    whatever it answers.
    """
    if exchange.credential.header is None:
        return None
    if origin(exchange.request.url) != ctx.target.origin:
        raise Violation(
            "a credential was sent to another origin than the target's",
            expected="{}://{}:{}".format(*ctx.target.origin),
            actual="{}://{}:{}".format(*origin(exchange.request.url)),
            exchange=exchange,
        )
    return True
