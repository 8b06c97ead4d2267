"""ROLE-*: who may read and who may update the account.

The docs say who: "Allowed for Admin" (Show Account) and "Allowed for Owner" (Update Account). They
do not say whether a server looks at the role or at the body first, so a PUT by another role whose
body a server may refuse for its own sake (a value it finds implausible, a read-only field) may get
that 4xx instead of 403; a plausible update must get 403 (`leeway.refusal`).
"""

from __future__ import annotations

import json
from typing import Any

from conformance import coverage, described, generation, leeway
from conformance.checks.registry import Needs, scenario
from conformance.context import Context, Drawn
from conformance.failures import Skip, Violation, expect_status
from conformance.generation import GeneratedRequest
from conformance.lazy import strategies as st


@scenario("ROLE-GET-ADMIN", Needs(any_role=("owner", "admin")))
def admins_can_read(ctx: Context) -> None:
    """ROLE-GET-ADMIN MUST: the owner and an admin get 200 from GET.

    Show Account is "Allowed for Admin", and the owner is an admin.
    """
    readers = [role for role in ("owner", "admin") if ctx.target.has(role)]
    ctx.each(readers, lambda role: expect_status(ctx.target.get(ctx.role(role)), {200}, f"GET as the {role}"))


@scenario("ROLE-GET-ADMIN-VIEW", Needs(all_roles=("owner", "admin")))
def admins_see_the_owners_account_less_billing(ctx: Context) -> None:
    """ROLE-GET-ADMIN-VIEW SHOULD: an admin is shown every field the owner is shown but billing, with the same values.

    Show Account shows "all the information about your account" and is allowed for admins; only
    billing is "only available to the owner" (BILLING-OWNER-ONLY's). SHOULD, because the docs say
    so of the whole account, not field by field. Fields the admin is shown beyond the owner's are
    not judged. The owner's view is read before and after the admin's: an account that changed
    in between (a live account someone else updated, a mock that answers anew every time) cannot
    be compared, and the rule is skipped, saying so.
    """
    owner = ctx.target.get(ctx.role("owner"))
    admin = ctx.target.get(ctx.role("admin"))
    again = ctx.target.get(ctx.role("owner"))
    shown, seen = owner.response.json, admin.response.json
    if owner.status != 200 or admin.status != 200 or not isinstance(shown, dict) or not isinstance(seen, dict):
        # Who may read is ROLE-GET-ADMIN's to judge, and what a 200 holds SHAPE-ACCOUNT's.
        raise Skip(f"the owner's GET got {owner.status} and the admin's {admin.status}, not two accounts to compare")
    if again.response.json != shown:
        raise Skip("the owner's account changed between two reads, so the admin's view could not be compared")
    missing = "(absent)"
    different = {
        name: seen.get(name, missing) for name in shown if name != "billing" and seen.get(name, missing) != shown[name]
    }
    if different:
        raise Violation(
            "an admin is not shown the owner's account less billing",
            expected=json.dumps({name: shown[name] for name in different})[:300],
            actual=json.dumps(different)[:300],
            exchange=admin,
        )


@scenario("ROLE-GET-AGENT", Needs(all_roles=("agent",)))
def agents_cannot_read(ctx: Context) -> None:
    """ROLE-GET-AGENT MUST: an agent who is not an admin gets 403 from GET.

    Show Account is "Allowed for Admin": the agent is known (its token is valid), so 403, not 401.
    """
    expect_status(ctx.target.get(ctx.role("agent")), {403}, "GET as an agent")


@scenario("ROLE-PUT-OWNER", Needs(all_roles=("owner",), writes=True, account="chat"))
def owner_can_update(ctx: Context) -> None:
    """ROLE-PUT-OWNER MUST: the owner gets 200 from a valid PUT.

    Update Account is "Allowed for Owner", and its example answers 200. Only plausible updates are
    sent, which no conformant server refuses as implausible, declared `application/json` with and
    without the charset parameter most clients add: both name the same media type.
    """

    def property_(pair: tuple[dict[str, Any], str]) -> None:
        billing, media_type = pair
        content = json.dumps({"billing": billing}).encode()
        exchange = ctx.target.send("PUT", ctx.role("owner"), content=content, content_type=media_type)
        expect_status(exchange, {200}, f"a valid PUT as the owner, declared {media_type}")

    every_media_type = [({"first_name": "Conformance"}, media_type) for media_type in generation.JSON_MEDIA_TYPES]

    def pairs() -> st.SearchStrategy[tuple[dict[str, Any], str]]:
        return st.tuples(generation.billing_updates(), st.sampled_from(generation.JSON_MEDIA_TYPES))

    ctx.check_property(pairs, property_, max_examples=ctx.examples(0.4), coverage=every_media_type)


OWNER_UPDATES = Drawn(lambda ctx: described.owner_updates(), share=0.6)


def _refused_for(ctx: Context, role: str, allowed: set[int], what: str) -> None:
    def property_(request: GeneratedRequest) -> None:
        statuses = leeway.refusal(allowed, request.well_formed)
        ctx.refused("PUT", ctx.role(role), request.content, request.content_type, statuses, what)

    ctx.check_property(OWNER_UPDATES, property_, coverage=coverage.owner_updates())


@scenario("ROLE-PUT-ADMIN", Needs(all_roles=("admin",), writes=True), properties=(OWNER_UPDATES,))
def admins_cannot_update(ctx: Context) -> None:
    """ROLE-PUT-ADMIN MUST: an admin who is not the owner gets 403 from PUT; the account is unchanged."""
    _refused_for(ctx, "admin", {403}, "a PUT as an admin who is not the owner")


@scenario("ROLE-PUT-AGENT", Needs(all_roles=("agent",), writes=True), properties=(OWNER_UPDATES,))
def agents_cannot_update(ctx: Context) -> None:
    """ROLE-PUT-AGENT MUST: an agent gets 403 (or 401) from PUT; the account is unchanged.

    401 is accepted too: a server may scope an agent's token so that it does not authenticate for
    this API at all.
    """
    if ctx.reader() is None:
        raise Skip("needs an owner or admin token too, to see that the account is unchanged")
    _refused_for(ctx, "agent", {401, 403}, "a PUT as an agent")
