"""RO-IGNORED: read-only fields cannot be changed through PUT."""

from __future__ import annotations

import json
from typing import Any

from conformance import coverage, generation, spec
from conformance.checks.registry import Needs, scenario
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Skip, Violation


def _read_only(document: Any) -> dict[str, Any]:
    document = document if isinstance(document, dict) else {}
    return {name: document.get(name) for name in spec.READ_ONLY_FIELDS}


def _expect_same(stored: dict[str, Any], seen: Any, exchange: Exchange, where: str) -> None:
    now = _read_only(seen)
    changed = sorted(name for name in spec.READ_ONLY_FIELDS if now[name] != stored[name])
    if changed:
        raise Violation(
            f"a PUT sending read-only fields changed them ({where})",
            expected=json.dumps({name: stored[name] for name in changed}),
            actual=json.dumps({name: now[name] for name in changed}),
            exchange=exchange,
        )


@scenario("RO-IGNORED", Needs(all_roles=("owner",), writes=True, account="chat"))
def read_only_fields_never_change(ctx: Context) -> None:
    """RO-IGNORED MUST: a PUT sending read-only fields never changes them (4xx, or 200 with stored values).

    The docs' table marks account_key, create_date, plan and status read-only. They do not say
    whether sending one is an error, so both are accepted: refused with any 4xx (as Flask's member
    refuses them), or ignored with 200 (as Express, Fastify and pydantic ignore them).
    """
    start = ctx.current()
    if start is None or start.status != 200:
        raise Skip("the owner's GET did not return the account")

    def property_(body: dict[str, Any]) -> None:
        before = ctx.current()
        assert before is not None
        stored = _read_only(before.response.json)
        exchange = ctx.target.put(body, ctx.role("owner"))
        if 200 <= exchange.status < 300:
            if exchange.status != 200:
                raise Violation(
                    "a PUT sending read-only fields was accepted without the account",
                    expected="4xx, or 200 with the stored values",
                    actual=str(exchange.status),
                    exchange=exchange,
                )
            _expect_same(stored, exchange.response.json, exchange, "in the PUT's response")
        after = ctx.current()
        if after is None or after.status != 200:
            return  # an account that cannot be read at all is for ROLE-GET-ADMIN and ROBUST-STATE-VALID
        _expect_same(stored, after.response.json, exchange, "in a later GET")

    ctx.check_property(
        lambda: generation.read_only_edits(start.response.json),
        property_,
        coverage=coverage.read_only_edits(start.response.json),
    )
