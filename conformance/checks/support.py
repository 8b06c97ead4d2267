"""SUPPORT-GET-ONLY: an account created in Zendesk Support is read-only through this API."""

from __future__ import annotations

from hypothesis import strategies as st

from conformance.checks.registry import Needs, scenario
from conformance.checks.roles import update_bodies
from conformance.context import Context
from conformance.failures import expect_status

ROLES = ("owner", "admin", "agent")


@scenario("SUPPORT-GET-ONLY", Needs(any_role=ROLES, writes=True, account="support"))
def support_accounts_are_read_only(ctx: Context) -> None:
    """SUPPORT-GET-ONLY MUST: PUT is refused (403) for every role and changes nothing; GET still works."""
    readers = [role for role in ("owner", "admin") if ctx.target.has(role)]
    for role in readers:
        expect_status(ctx.target.get(ctx.role(role)), {200}, f"GET as the {role} on a Support-created account")
    writers = [role for role in ROLES if ctx.target.has(role)]

    def property_(pair: tuple[str, bytes]) -> None:
        role, content = pair
        what = f"a PUT as the {role} on an account created in Zendesk Support"
        ctx.refused("PUT", ctx.role(role), content, "application/json", {403}, what)

    ctx.check_property(st.tuples(st.sampled_from(writers), update_bodies()), property_)
