"""ROLE-*: who may read and who may update the account."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from conformance import generation
from conformance.checks.registry import Needs, scenario
from conformance.context import Context
from conformance.failures import Skip, expect_status


def update_bodies() -> st.SearchStrategy[bytes]:
    """PUT bodies an owner could send: the empty update, plausible ones, what the description generates."""
    plausible = generation.billing_updates().map(lambda billing: json.dumps({"billing": billing}).encode())
    generated = generation.requests("PUT", "positive").map(lambda request: request.content or b"{}")
    return st.one_of(st.just(b"{}"), plausible, generated)


@scenario("ROLE-GET-ADMIN", Needs(any_role=("owner", "admin")))
def admins_can_read(ctx: Context) -> None:
    """ROLE-GET-ADMIN MUST: the owner and an admin get 200 from GET."""
    for role in ("owner", "admin"):
        if ctx.target.has(role):
            expect_status(ctx.target.get(ctx.role(role)), {200}, f"GET as the {role}")


@scenario("ROLE-GET-AGENT", Needs(all_roles=("agent",)))
def agents_cannot_read(ctx: Context) -> None:
    """ROLE-GET-AGENT MUST: an agent who is not an admin gets 403 from GET."""
    expect_status(ctx.target.get(ctx.role("agent")), {403}, "GET as an agent")


@scenario("ROLE-PUT-OWNER", Needs(all_roles=("owner",), writes=True, account="chat"))
def owner_can_update(ctx: Context) -> None:
    """ROLE-PUT-OWNER MUST: the owner gets 200 from a valid PUT."""

    def property_(billing: dict[str, Any]) -> None:
        expect_status(ctx.target.put({"billing": billing}, ctx.role("owner")), {200}, "a valid PUT as the owner")

    ctx.check_property(generation.billing_updates(), property_, max_examples=ctx.examples(0.4))


def _refused_for(ctx: Context, role: str, allowed: set[int], what: str) -> None:
    def property_(content: bytes) -> None:
        ctx.refused("PUT", ctx.role(role), content, "application/json", allowed, what)

    ctx.check_property(update_bodies(), property_, max_examples=ctx.examples(0.6))


@scenario("ROLE-PUT-ADMIN", Needs(all_roles=("admin",), writes=True))
def admins_cannot_update(ctx: Context) -> None:
    """ROLE-PUT-ADMIN MUST: an admin who is not the owner gets 403 from PUT; the account is unchanged."""
    _refused_for(ctx, "admin", {403}, "a PUT as an admin who is not the owner")


@scenario("ROLE-PUT-AGENT", Needs(all_roles=("agent",), writes=True))
def agents_cannot_update(ctx: Context) -> None:
    """ROLE-PUT-AGENT MUST: an agent gets 403 (or 401) from PUT; the account is unchanged."""
    if ctx.reader() is None:
        raise Skip("needs an owner or admin token too, to see that the account is unchanged")
    _refused_for(ctx, "agent", {401, 403}, "a PUT as an agent")
