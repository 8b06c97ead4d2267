"""SUPPORT-GET-ONLY: an account created in Zendesk Support is read-only through this API.

The docs: such an account's Chat Accounts API "is restricted to GET requests". They name no status;
the catalog asks for 403, the status of a request the caller may not make. A body a server may
refuse for its own sake may get that 4xx first (`leeway.refusal`).
"""

from __future__ import annotations

from conformance import coverage, described, leeway
from conformance.checks.registry import Needs, scenario
from conformance.context import Context, Drawn
from conformance.failures import expect_status
from conformance.generation import GeneratedRequest
from conformance.lazy import strategies as st

ROLES = ("owner", "admin", "agent")


def _writers(ctx: Context) -> list[str]:
    return [role for role in ROLES if ctx.target.has(role)]


def _writes_by_each_role(ctx: Context) -> st.SearchStrategy[tuple[str, GeneratedRequest]]:
    return st.tuples(st.sampled_from(_writers(ctx)), described.owner_updates())


WRITES_BY_EACH_ROLE = Drawn(_writes_by_each_role)


@scenario("SUPPORT-GET-ONLY", Needs(any_role=ROLES, writes=True, account="support"), properties=(WRITES_BY_EACH_ROLE,))
def support_accounts_are_read_only(ctx: Context) -> None:
    """SUPPORT-GET-ONLY MUST: PUT is refused (403) for every role and changes nothing; GET still works."""
    readers = [role for role in ("owner", "admin") if ctx.target.has(role)] if ctx.covering else []
    for role in readers:
        expect_status(ctx.target.get(ctx.role(role)), {200}, f"GET as the {role} on a Support-created account")
    writers = _writers(ctx)

    def property_(pair: tuple[str, GeneratedRequest]) -> None:
        role, request = pair
        what = f"a PUT as the {role} on an account created in Zendesk Support"
        statuses = leeway.refusal({403}, request.well_formed)
        ctx.refused("PUT", ctx.role(role), request.content, request.content_type, statuses, what)

    covered = [(role, update) for role in writers for update in coverage.owner_updates()[:1]]
    ctx.check_property(WRITES_BY_EACH_ROLE, property_, coverage=covered)
