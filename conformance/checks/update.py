"""UPD-*: what a valid update by the owner does.

The docs: "Updates the details of your account", allowed for the owner, with an example body of two
billing fields and the whole account as the response. They say nothing of plausibility, so these
rules send only plausible values (an owner's own words, real country codes), which every
conformant server accepts; an integer past 2^53 may come back rounded (`leeway.same_value`).
"""

from __future__ import annotations

import json
from typing import Any

from conformance import coverage, generation, leeway, spec
from conformance.checks.registry import Needs, scenario
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Skip, Violation, expect_status
from conformance.lazy import strategies as st

OWNER_CHAT = Needs(all_roles=("owner",), writes=True, account="chat")


def _billing(exchange: Exchange) -> dict[str, Any]:
    document = exchange.response.json
    billing = document.get("billing") if isinstance(document, dict) else None
    return billing if isinstance(billing, dict) else {}


@scenario("UPD-APPLIES", OWNER_CHAT)
def updates_apply(ctx: Context) -> None:
    """UPD-APPLIES MUST: a valid owner PUT of billing fields gets 200 and an account showing the new values."""

    def property_(billing: dict[str, Any]) -> None:
        exchange = ctx.target.put({"billing": billing}, ctx.role("owner"))
        expect_status(exchange, {200}, "a valid PUT of billing fields as the owner")
        shown = _billing(exchange)
        wrong = {
            name: shown.get(name) for name, sent in billing.items() if not leeway.same_value(sent, shown.get(name))
        }
        if wrong:
            raise Violation(
                "the PUT's response does not show the billing values sent",
                expected=json.dumps({name: billing[name] for name in wrong}),
                actual=json.dumps(wrong),
                exchange=exchange,
            )

    ctx.check_property(generation.billing_updates, property_, coverage=coverage.billing_updates())


class _Judged:
    """Counts the examples a property could judge, so one that judged none is skipped, not passed."""

    def __init__(self) -> None:
        self.count = 0

    def done(self, why_none: str) -> None:
        if self.count == 0:
            raise Skip(why_none)


@scenario("UPD-PERSISTS", OWNER_CHAT)
def updates_persist(ctx: Context) -> None:
    """UPD-PERSISTS MUST: after a 200 PUT, a GET returns the same account as the PUT's response.

    Both come from the server, so they are compared as they are: extra fields and their order are
    the server's choice, and the same choice is expected twice.
    """
    judged = _Judged()

    def property_(billing: dict[str, Any]) -> None:
        exchange = ctx.target.put({"billing": billing}, ctx.role("owner"))
        if exchange.status != 200:
            return
        judged.count += 1
        after = ctx.current()
        assert after is not None
        if after.response.json != exchange.response.json:
            raise Violation(
                "a GET after a successful PUT returns another account than the PUT did",
                expected=exchange.response.body,
                actual=f"{after.status} {after.response.body}",
                exchange=exchange,
            )

    ctx.check_property(generation.billing_updates, property_, coverage=coverage.billing_updates()[:1])
    judged.done("no PUT was answered 200, so nothing could be read back")


@scenario("UPD-IDEMPOTENT", OWNER_CHAT)
def updates_are_idempotent(ctx: Context) -> None:
    """UPD-IDEMPOTENT MUST: sending the same PUT twice leaves the same account as sending it once.

    The docs' method is PUT, which RFC 9110 §9.2.2 makes idempotent. A PUT the server refuses the
    first time is not judged.
    """
    judged = _Judged()

    def property_(billing: dict[str, Any]) -> None:
        first = ctx.target.put({"billing": billing}, ctx.role("owner"))
        once = ctx.current()
        second = ctx.target.put({"billing": billing}, ctx.role("owner"))
        twice = ctx.current()
        if first.status != 200 or once is None or twice is None:
            return
        judged.count += 1
        if once.response.json != twice.response.json:
            raise Violation(
                "sending the same PUT a second time changed the account again",
                expected=once.response.body,
                actual=twice.response.body,
                exchange=second,
            )

    ctx.check_property(
        generation.billing_updates, property_, max_examples=ctx.examples(0.6), coverage=coverage.billing_updates()[1:]
    )
    judged.done("no PUT was answered 200")


@scenario("UPD-MERGE", OWNER_CHAT)
def updates_merge(ctx: Context) -> None:
    """UPD-MERGE SHOULD: billing fields not named in a PUT keep their values.

    SHOULD, because the docs only imply it: their example body names two fields of thirteen.

    Each example first fills every billing field, so that there are fields to keep, then reads the
    account back: what is kept is judged against what the server holds, not against what was sent.
    """
    judged = _Judged()

    def pairs() -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Any]]]:
        return st.tuples(generation.full_billing(), generation.billing_updates())

    def property_(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
        full, partial = pair
        ctx.target.put({"billing": full}, ctx.role("owner"))
        before = ctx.current()
        exchange = ctx.target.put({"billing": partial}, ctx.role("owner"))
        if before is None or before.status != 200 or exchange.status != 200:
            return
        judged.count += 1
        stored = _billing(before)
        kept = {name: stored[name] for name in spec.BILLING_FIELDS if name in stored and name not in partial}
        shown = _billing(exchange)
        lost = {name: shown.get(name) for name, value in kept.items() if shown.get(name) != value}
        if lost:
            raise Violation(
                "billing fields the PUT did not name lost their values",
                expected=json.dumps({name: kept[name] for name in lost}),
                actual=json.dumps(lost),
                exchange=exchange,
            )

    ctx.check_property(pairs, property_, max_examples=ctx.examples(0.6), coverage=coverage.merges())
    judged.done("no PUT was answered 200")
