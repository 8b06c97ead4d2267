"""BILLING-OWNER-ONLY: billing details are for the owner's eyes."""

from __future__ import annotations

from conformance.checks.registry import response_check
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Violation


@response_check(
    "BILLING-OWNER-ONLY", unexercised="no 200 response to anyone but the owner was seen (give --admin-token)"
)
def billing_hidden_from_others(exchange: Exchange, ctx: Context) -> bool | None:
    """BILLING-OWNER-ONLY MUST: a response to anyone but the owner has no billing details.

    The docs' table: billing is "only available to the owner of the account". The catalog accepts
    both ways of showing nothing: `billing` absent, or `{}`. Anything else in its place (`null`
    included, which no client reading the Account schema expects) fails.
    """
    if exchange.credential.label == "owner" or not isinstance(exchange.response.json, dict):
        return None
    if exchange.status >= 300 and "billing" not in exchange.response.json:
        return None
    billing = exchange.response.json.get("billing", {})
    if billing != {}:
        raise Violation(
            f"a response to {exchange.credential.label!r} shows billing details (billing is neither absent nor {{}})",
            expected="billing absent or {}",
            actual=f"billing = {billing!r}"[:300],
            exchange=exchange,
        )
    return True
