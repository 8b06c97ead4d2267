"""ROBUST-*: whatever arrives, the server answers sensibly and keeps a valid account.

The docs describe well-formed requests only; these rules come from the catalog, which says what is
accepted where the docs are silent (`conformance.leeway`): any 4xx where it names none, 413 for a
body past a server's size limit, an empty body taken as the empty update, read-only fields ignored
whatever they hold, unknown fields ignored or refused.
"""

from __future__ import annotations

import json
from typing import Any

from conformance import coverage, described, edges, generation, leeway, lenient_json, spec
from conformance.checks.registry import Needs, response_check, scenario
from conformance.context import Context, Drawn
from conformance.exchange import Exchange
from conformance.failures import Skip, Violation, expect_status
from conformance.lazy import strategies as st
from conformance.transport import NoResponse

OWNER_CHAT = Needs(all_roles=("owner",), writes=True, account="chat")
CLIENT_ERROR = leeway.CLIENT_ERROR
# A 5xx is judged by ROBUST-NO-5XX alone; the rules below only ask that nothing is accepted.
NOT_ACCEPTED = range(400, 600)


@response_check("ROBUST-NO-5XX")
def no_server_error(exchange: Exchange, ctx: Context) -> bool | None:
    """ROBUST-NO-5XX MUST: no request the suite sends gets a 5xx response.

    Not the docs' but the catalog's: whatever a client sends wrong is the client's mistake, a 4xx.
    """
    if exchange.status >= 500:
        raise Violation(
            "the server failed with a 5xx",
            expected="a status below 500",
            actual=f"{exchange.status}: {exchange.response.body[:200] or '(empty body)'}",
            exchange=exchange,
        )
    return True


NOT_JSON_BODY = {400, leeway.TOO_LARGE}
EMPTY_BODY = NOT_JSON_BODY | set(range(200, 300))


@scenario("ROBUST-BAD-JSON", OWNER_CHAT)
def malformed_json_is_refused(ctx: Context) -> None:
    """ROBUST-BAD-JSON MUST: a PUT whose body is not valid JSON gets 400; the account is unchanged.

    Silent in the docs, so from the catalog: 400 is the status of a body that cannot be read; 413 is
    a size limit's; an empty body may be taken as the empty update (2xx), as Express's body parser
    takes it, as long as nothing changes. What is not JSON is RFC 8259's grammar's to say: a body
    only a lenient parser reads (NaN, comments, single quotes, a trailing comma...) is not JSON, and
    one of each kind is sent on every run (`lenient_json`). A leading byte order mark is never sent:
    the RFC lets a server ignore it or refuse it.
    """

    what = "a PUT whose body is not JSON"
    if ctx.covering:
        _every_lenient_kind_is_refused(ctx, what)

    def property_(content: bytes) -> None:
        allowed = EMPTY_BODY if content == b"" else NOT_JSON_BODY
        ctx.refused("PUT", ctx.role("owner"), content, "application/json", allowed, what)

    truncated = json.dumps({"billing": coverage.FIRST}).encode()[:-2]
    ctx.check_property(generation.broken_json, property_, max_examples=ctx.examples(0.6), coverage=[b"", truncated])


def _every_lenient_kind_is_refused(ctx: Context, what: str) -> None:
    """One body of each kind a lenient parser takes, each refused with 400, the account read once after all.

    Once, not after each: every one must be refused, so any change at all is a failure, and a
    run with a --max-requests budget keeps the requests for the rules after this one.
    """
    before = ctx.current()
    first: Violation | None = None
    exchange = None
    for body in lenient_json.EVERY_KIND:
        try:
            sent = ctx.target.send("PUT", ctx.role("owner"), content=body.encode(), content_type="application/json")
        except NoResponse as error:  # ROBUST-HTTP's to judge; this body judges nothing here
            ctx.unanswered.append(error)
            continue
        exchange = sent
        try:
            expect_status(sent, NOT_JSON_BODY, f"{what} ({body!r})")
        except Violation as violation:
            first = first or violation
    if first is not None:
        raise first
    if exchange is not None:
        ctx.expect_unchanged(before, exchange, f"{what}, of every kind a lenient parser takes,")


def _wrongly_typed_bodies() -> st.SearchStrategy[Any]:
    """The type errors the rule names: billing not an object, a billing field of the wrong type."""
    fields = spec.component("Billing")["properties"]
    wrong_for_string: st.SearchStrategy[Any] = st.one_of(
        st.integers(), st.booleans(), st.none(), st.just([]), st.just({})
    )
    wrong_for_integer: st.SearchStrategy[Any] = st.one_of(
        st.text(max_size=5), st.booleans(), st.none(), st.just(1.5), st.just([])
    )

    def wrong_field(name: str) -> st.SearchStrategy[Any]:
        wrong = wrong_for_integer if fields[name]["type"] == "integer" else wrong_for_string
        return wrong.map(lambda value: {"billing": {name: value}})

    not_an_object = st.one_of(st.lists(st.integers(), max_size=2), st.text(max_size=5), st.integers(), st.none())
    return st.one_of(
        not_an_object.map(lambda value: {"billing": value}),
        st.sampled_from(spec.BILLING_FIELDS).flatmap(wrong_field),
        not_an_object,
    )


def breaks_types(document: Any) -> bool:
    """Whether a JSON document breaks the documented types of what a PUT may change.

    Unknown fields do not count, nor do read-only ones: a server may ignore those whatever they hold.
    """
    return document is not generation.NOT_JSON and leeway.breaks_writable_types(document)


def _invalid_bodies(ctx: Context) -> st.SearchStrategy[bytes]:
    generated = described.requests("PUT", "negative").map(lambda request: request.document()).filter(breaks_types)
    typed = st.one_of(generated, _wrongly_typed_bodies()).map(lambda document: json.dumps(document).encode())
    return st.one_of(typed, edges.wrongly_typed_edges())


INVALID_BODIES = Drawn(_invalid_bodies)


@scenario("ROBUST-INVALID-REJECTED", OWNER_CHAT, properties=(INVALID_BODIES,))
def invalid_bodies_are_refused(ctx: Context) -> None:
    """ROBUST-INVALID-REJECTED MUST: a PUT breaking the types of what it may change gets 4xx; nothing changes.

    The docs' table gives each field's type; they name no status, so any 4xx is accepted (a 5xx is
    ROBUST-NO-5XX's). A body that breaks types only in read-only fields is RO-IGNORED's to judge.
    One that breaks them only with null (the body, billing, or a billing field) may also be taken
    as not naming what it sends null for, as statically typed stacks read null by default: 2xx,
    and those values kept. A null stored fails here, and SHAPE-ACCOUNT on the answer showing it.
    """

    def property_(content: bytes) -> None:
        document = generation.GeneratedRequest("PUT", "negative", content, "application/json").document()
        if document is not generation.NOT_JSON and leeway.breaks_types_only_with_null(document):
            _null_is_refused_or_not_sent(ctx, content, document)
            return
        what = "a PUT whose body breaks the documented types"
        ctx.refused("PUT", ctx.role("owner"), content, "application/json", NOT_ACCEPTED, what)

    ctx.check_property(
        INVALID_BODIES, property_, examples=edges.every_wrong_type_edge(), coverage=coverage.wrong_types()
    )


# A null may be refused or taken as "not sent" (`leeway`); a 5xx is ROBUST-NO-5XX's to judge.
REFUSED_OR_NOT_SENT = set(range(200, 300)) | set(NOT_ACCEPTED)


def _null_is_refused_or_not_sent(ctx: Context, content: bytes, document: Any) -> None:
    """A body that breaks the types only with null: refused with nothing changed, or what it names kept."""
    what = "a PUT that sends null for what it may change"
    before = ctx.current()
    exchange = ctx.target.send("PUT", ctx.role("owner"), content=content, content_type="application/json")
    expect_status(exchange, REFUSED_OR_NOT_SENT, what)
    if exchange.status in NOT_ACCEPTED:
        ctx.expect_unchanged(before, exchange, what)
        return
    after = ctx.current()
    if before is None or before.status != 200 or after is None or after.status != 200:
        return  # nothing to compare: the account's shape is SHAPE-ACCOUNT's and ROBUST-STATE-VALID's
    changed = leeway.nulls_taken_as_not_sent(document, before.response.json, after.response.json)
    if changed:
        raise Violation(
            f"{what} was accepted and changed what it sent null for ({', '.join(changed)})",
            expected="4xx with nothing changed, or 2xx with the null taken as not sent (the value kept)",
            actual=f"{exchange.status}; the account now reads {after.response.body[:300]}",
            exchange=exchange,
        )


def _any_step(ctx: Context) -> st.SearchStrategy[tuple[str, bytes, str]]:
    """One PUT of any kind the suite knows, as the owner or another role."""
    as_owner = st.one_of(
        described.owner_updates().map(lambda request: request.content or b"{}"),
        described.requests("PUT", "negative").map(lambda request: request.content or b""),
        generation.read_only_edits(ctx.snapshot or {}).map(lambda body: json.dumps(body).encode()),
        generation.broken_json(),
        edges.billing_edges(),
        edges.wrongly_typed_edges(),
    ).map(lambda content: ("owner", content, "application/json"))
    others = [role for role in ("admin", "agent") if ctx.target.has(role)]
    if not others:
        return as_owner
    updates = described.owner_updates().map(lambda request: request.content or b"{}")
    as_other = st.tuples(st.sampled_from(others), updates, st.just("application/json"))
    return st.one_of(as_owner, as_other)


def _sequences(ctx: Context) -> st.SearchStrategy[list[tuple[str, bytes, str]]]:
    return st.lists(_any_step(ctx), min_size=1, max_size=6)


SEQUENCES = Drawn(_sequences, share=0.5)


@scenario("ROBUST-STATE-VALID", OWNER_CHAT, properties=(SEQUENCES,))
def state_stays_valid(ctx: Context) -> None:
    """ROBUST-STATE-VALID MUST: whatever sequence of PUTs is sent, a later GET returns a valid Account.

    What was already wrong with the account before the sequence is SHAPE-ACCOUNT's to judge; this
    rule judges what a sequence of updates breaks. A place that was already wrong is not new, even
    if its wrong value changes (a mock that generates every answer anew).
    """
    start = ctx.target.get(ctx.role("owner"))
    known = {path for path, _ in spec.problems("Account", start.response.json)} if start.status == 200 else set()

    def property_(steps: list[tuple[str, bytes, str]]) -> None:
        last = None
        for role, content, content_type in steps:
            last = ctx.target.send("PUT", ctx.role(role), content=content, content_type=content_type)
        after = ctx.target.get(ctx.role("owner"))
        found = spec.problems("Account", after.response.json)
        problems = [f"{path}: {why}" for path, why in found if path not in known]
        if after.status != 200 or problems:
            raise Violation(
                f"after a sequence of {len(steps)} PUTs the account is no longer valid",
                expected="200 with a valid Account",
                actual=f"{after.status}: " + ("; ".join(problems) or after.response.body[:300]),
                exchange=last,
            )

    # One sequence stores every edge value of the declared type, where the docs allow 200 or 4xx.
    every_edge = [("owner", body, "application/json") for body in edges.every_same_type_edge()]
    packed = [[("owner", body, "application/json") for body in steps_] for steps_ in coverage.same_type_edges()]
    ctx.check_property(SEQUENCES, property_, examples=[every_edge], coverage=packed)


# Bodies not declared JSON: a type that sorts before application/json and some after it, and none.
NOT_JSON = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    "application/javascript",
    "multipart/form-data; boundary=x",
]


@scenario("ROBUST-CONTENT-TYPE", OWNER_CHAT)
def other_media_types_are_refused(ctx: Context) -> None:
    """ROBUST-CONTENT-TYPE SHOULD: a PUT body not declared application/json gets 4xx and changes nothing.

    Every code sample in the docs declares `Content-Type: application/json`; what a server does with
    another media type is not said, so any 4xx is accepted. Each media type is sent once, then drawn.
    """

    def property_(pair: tuple[dict[str, Any], str | None]) -> None:
        billing, content_type = pair
        what = f"a PUT declared as {content_type or 'nothing'}"
        content = json.dumps({"billing": billing}).encode()
        ctx.refused("PUT", ctx.role("owner"), content, content_type, CLIENT_ERROR, what)

    media_types = [*NOT_JSON, None]
    every_one = [({"city": "Content Type Probe"}, media_type) for media_type in media_types]

    def pairs() -> st.SearchStrategy[tuple[dict[str, Any], str | None]]:
        return st.tuples(generation.billing_updates(), st.sampled_from(media_types))

    # Coverage: a type before application/json, one after it, and none; the others are edges.
    covered = [every_one[0], every_one[1], every_one[-1]]
    rest = [pair for pair in every_one if pair not in covered]
    ctx.check_property(pairs, property_, max_examples=ctx.examples(0.4), examples=rest, coverage=covered)


OTHER_METHODS = ("POST", "PATCH", "DELETE")
NOT_2XX = set(range(100, 600)) - set(range(200, 300))


@scenario("ROBUST-METHOD", Needs(any_role=("owner", "admin", "agent"), writes=True))
def other_methods_change_nothing(ctx: Context) -> None:
    """ROBUST-METHOD MUST: POST, PATCH and DELETE never change the account nor get 2xx.

    The docs document GET and PUT only; what the other methods get is ROBUST-ALLOW's (SHOULD).
    """
    role = next(role for role in ("owner", "admin", "agent") if ctx.target.has(role))
    if ctx.reader() is None:
        raise Skip("needs an owner or admin token, to see that the account is unchanged")
    content = json.dumps({"billing": {"first_name": "Conformance", "city": "Method Probe"}}).encode()

    def probe(method: str) -> None:
        ctx.refused(method, ctx.role(role), content, "application/json", NOT_2XX, f"{method} on the account")

    ctx.each(OTHER_METHODS, probe)


SUPPORTED = frozenset({"GET", "PUT"})
MAY_ALSO_ALLOW = frozenset({"HEAD", "OPTIONS"})


def allowed_methods(header: str) -> set[str]:
    """The methods an `Allow` header names (RFC 9110 §10.2.1: a comma-separated list, maybe empty)."""
    return {method.strip() for method in header.split(",") if method.strip()}


@response_check("ROBUST-ALLOW", unexercised="no request with a method other than GET or PUT was sent")
def unsupported_methods_say_which_are(exchange: Exchange, ctx: Context) -> bool | None:
    """ROBUST-ALLOW SHOULD: POST, PATCH and DELETE get 405 with an Allow header naming GET and PUT.

    Not the docs': RFC 9110 §15.5.6 says a 405 carries Allow. HEAD and OPTIONS may be named too; a
    404 or another 4xx is a warning (the level is SHOULD), never a MUST failure. A 429 says nothing
    of the methods: the transport waits it out and sends the request again, and the answer to that
    is judged.
    """
    if exchange.method not in OTHER_METHODS or exchange.status == 429:
        return None
    header = exchange.response.headers.get("allow")
    named = allowed_methods(header) if header is not None else set()
    if exchange.status != 405 or not SUPPORTED <= named <= SUPPORTED | MAY_ALSO_ALLOW:
        raise Violation(
            f"{exchange.method} on the account is not answered 405 with the methods it supports",
            expected="405 with Allow: GET, PUT (HEAD and OPTIONS may be added)",
            actual=f"{exchange.status}, " + (f"Allow: {header}" if header is not None else "no Allow header"),
            exchange=exchange,
        )
    return True
