"""ROBUST-*: whatever arrives, the server answers sensibly and keeps a valid account."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from conformance import edges, generation, spec
from conformance.checks.registry import Needs, response_check, scenario
from conformance.checks.roles import update_bodies
from conformance.context import Context
from conformance.exchange import Exchange
from conformance.failures import Skip, Violation

OWNER_CHAT = Needs(all_roles=("owner",), writes=True, account="chat")
CLIENT_ERROR = range(400, 500)
# A 5xx is judged by ROBUST-NO-5XX alone; the rules below only ask that nothing is accepted.
NOT_ACCEPTED = range(400, 600)


@response_check("ROBUST-NO-5XX")
def no_server_error(exchange: Exchange, ctx: Context) -> bool | None:
    """ROBUST-NO-5XX MUST: no request the suite sends gets a 5xx response."""
    if exchange.status >= 500:
        raise Violation(
            "the server failed with a 5xx",
            expected="a status below 500",
            actual=f"{exchange.status}: {exchange.response.body[:200] or '(empty body)'}",
            exchange=exchange,
        )
    return True


@scenario("ROBUST-BAD-JSON", OWNER_CHAT)
def malformed_json_is_refused(ctx: Context) -> None:
    """ROBUST-BAD-JSON MUST: a PUT whose body is not valid JSON gets 400; the account is unchanged."""

    def property_(content: bytes) -> None:
        ctx.refused("PUT", ctx.role("owner"), content, "application/json", {400}, "a PUT whose body is not JSON")

    ctx.check_property(generation.broken_json(), property_, max_examples=ctx.examples(0.6))


_WRONG_FOR_STRING: st.SearchStrategy[Any] = st.one_of(st.integers(), st.booleans(), st.none(), st.just([]), st.just({}))
_WRONG_FOR_INTEGER: st.SearchStrategy[Any] = st.one_of(
    st.text(max_size=5), st.booleans(), st.none(), st.just(1.5), st.just([])
)


def _wrongly_typed_bodies() -> st.SearchStrategy[Any]:
    """The type errors the rule names: billing not an object, a billing field of the wrong type."""
    fields = spec.component("Billing")["properties"]

    def wrong_field(name: str) -> st.SearchStrategy[Any]:
        wrong = _WRONG_FOR_INTEGER if fields[name]["type"] == "integer" else _WRONG_FOR_STRING
        return wrong.map(lambda value: {"billing": {name: value}})

    not_an_object = st.one_of(st.lists(st.integers(), max_size=2), st.text(max_size=5), st.integers(), st.none())
    return st.one_of(
        not_an_object.map(lambda value: {"billing": value}),
        st.sampled_from(spec.BILLING_FIELDS).flatmap(wrong_field),
        not_an_object,
    )


def breaks_types(document: Any) -> bool:
    """Whether a JSON document breaks the documented types of a PUT body (unknown fields do not count)."""
    return document is not generation.NOT_JSON and not spec.is_valid("AccountUpdate", document, types_only=True)


def _invalid_bodies() -> st.SearchStrategy[bytes]:
    generated = generation.requests("PUT", "negative").map(lambda request: request.document()).filter(breaks_types)
    typed = st.one_of(generated, _wrongly_typed_bodies()).map(lambda document: json.dumps(document).encode())
    return st.one_of(typed, edges.wrongly_typed_edges())


@scenario("ROBUST-INVALID-REJECTED", OWNER_CHAT)
def invalid_bodies_are_refused(ctx: Context) -> None:
    """ROBUST-INVALID-REJECTED MUST: a PUT breaking the request schema gets 4xx; the account is unchanged."""

    def property_(content: bytes) -> None:
        what = "a PUT whose body breaks the documented types"
        ctx.refused("PUT", ctx.role("owner"), content, "application/json", NOT_ACCEPTED, what)

    ctx.check_property(_invalid_bodies(), property_, examples=edges.every_wrong_type_edge())


def _any_step(ctx: Context) -> st.SearchStrategy[tuple[str, bytes, str]]:
    """One PUT of any kind the suite knows, as the owner or another role."""
    as_owner = st.one_of(
        update_bodies(),
        generation.requests("PUT", "negative").map(lambda request: request.content or b""),
        generation.read_only_edits(ctx.snapshot or {}).map(lambda body: json.dumps(body).encode()),
        generation.broken_json(),
        edges.billing_edges(),
        edges.wrongly_typed_edges(),
    ).map(lambda content: ("owner", content, "application/json"))
    others = [role for role in ("admin", "agent") if ctx.target.has(role)]
    if not others:
        return as_owner
    as_other = st.tuples(st.sampled_from(others), update_bodies(), st.just("application/json"))
    return st.one_of(as_owner, as_other)


@scenario("ROBUST-STATE-VALID", OWNER_CHAT)
def state_stays_valid(ctx: Context) -> None:
    """ROBUST-STATE-VALID MUST: whatever sequence of PUTs is sent, a later GET returns a valid Account.

    What was already wrong with the account before the sequence is SHAPE-ACCOUNT's to judge; this
    rule judges what a sequence of updates breaks.
    """
    start = ctx.target.get(ctx.role("owner"))
    known = set(spec.errors("Account", start.response.json)) if start.status == 200 else set()

    def property_(steps: list[tuple[str, bytes, str]]) -> None:
        last = None
        for role, content, content_type in steps:
            last = ctx.target.send("PUT", ctx.role(role), content=content, content_type=content_type)
        after = ctx.target.get(ctx.role("owner"))
        problems = [p for p in spec.errors("Account", after.response.json) if p not in known]
        if after.status != 200 or problems:
            raise Violation(
                f"after a sequence of {len(steps)} PUTs the account is no longer valid",
                expected="200 with a valid Account",
                actual=f"{after.status}: " + ("; ".join(problems) or after.response.body[:300]),
                exchange=last,
            )

    steps = st.lists(_any_step(ctx), min_size=1, max_size=6)
    # One sequence stores every edge value of the declared type, where the docs allow 200 or 4xx.
    every_edge = [("owner", body, "application/json") for body in edges.every_same_type_edge()]
    ctx.check_property(steps, property_, max_examples=ctx.examples(0.5), examples=[every_edge])


NOT_JSON = ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x"]


@scenario("ROBUST-CONTENT-TYPE", OWNER_CHAT)
def other_media_types_are_refused(ctx: Context) -> None:
    """ROBUST-CONTENT-TYPE SHOULD: a PUT body not declared application/json gets 4xx and changes nothing."""

    def property_(pair: tuple[dict[str, Any], str | None]) -> None:
        billing, content_type = pair
        what = f"a PUT declared as {content_type or 'nothing'}"
        content = json.dumps({"billing": billing}).encode()
        ctx.refused("PUT", ctx.role("owner"), content, content_type, CLIENT_ERROR, what)

    media_types = st.sampled_from([*NOT_JSON, None])
    ctx.check_property(st.tuples(generation.billing_updates(), media_types), property_, max_examples=ctx.examples(0.4))


OTHER_METHODS = ("POST", "PATCH", "DELETE")


@scenario("ROBUST-METHOD", Needs(any_role=("owner", "admin", "agent"), writes=True))
def other_methods_change_nothing(ctx: Context) -> None:
    """ROBUST-METHOD MUST: POST, PATCH and DELETE never change the account nor get 2xx (405 + Allow SHOULD)."""
    role = next(role for role in ("owner", "admin", "agent") if ctx.target.has(role))
    if ctx.reader() is None:
        raise Skip("needs an owner or admin token, to see that the account is unchanged")
    content = json.dumps({"billing": {"first_name": "Conformance", "city": "Method Probe"}}).encode()
    for method in OTHER_METHODS:
        not_2xx = set(range(100, 600)) - set(range(200, 300))
        exchange = ctx.refused(method, ctx.role(role), content, "application/json", not_2xx, f"{method} on the account")
        if exchange.status != 405 or "allow" not in exchange.response.headers:
            ctx.note(
                f"{method} got {exchange.status}"
                + ("" if exchange.status != 405 else " without an Allow header")
                + "; 405 with an Allow header is expected (SHOULD)"
            )
