"""Where generated requests come from.

Request bodies valid and invalid come from the OpenAPI description through schemathesis; values a
real owner would send, read-only edits, bad credentials and broken JSON come from hypothesis
strategies written here, because the description only says types and these rules need plausible
or deliberately wrong values.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from conformance import jsontext, lenient_json, rfc8259, spec
from conformance.exchange import Credential
from conformance.lazy import strategies as st

# The suite's own: a request every conformant server accepts from the owner (a plausible update, or
# none). Only such a request is held to a rule's exact refusal status (see `leeway.refusal`).
PLAUSIBLE = "plausible"


NOT_JSON: Any = object()  # what `GeneratedRequest.document()` gives for a body that is not JSON


@dataclass(frozen=True)
class GeneratedRequest:
    """A request drawn from the description, ready to send with any credential."""

    method: str
    mode: str
    content: bytes | None
    content_type: str | None

    @property
    def well_formed(self) -> bool:
        """Whether every conformant server would accept this request from the owner."""
        return self.method == "GET" or self.mode == PLAUSIBLE

    def document(self) -> Any:
        """The body as JSON, or NOT_JSON when there is no body or it is not JSON (RFC 8259's, not Python's)."""
        if self.content is None:
            return NOT_JSON
        try:
            document = jsontext.loads(self.content)
        except ValueError:  # not JSON, or nested too deeply to parse
            return NOT_JSON
        return NOT_JSON if rfc8259.judge(self.content) is False else document  # Python's takes NaN


# --- values an account owner would plausibly send -------------------------------------------------

# Words from a list, not random letters: they read like what an owner types, and one choice draws
# a word where a random one takes a choice per letter (billing is drawn in nearly every example).
# The odd values (long, empty, non-Latin, control characters) are the edge values' to send.
VOCABULARY = (  # noqa: SIM905 - a list of words reads best as words
    "Ada Alder Amber Ash Aspen Avery Bay Beck Birch Blair Brook Cedar Clay Cliff Cole Dale Dell Drew "
    "Eden Elm Fern Finch Ford Glen Gray Hale Hart Hazel Heath Holly Ivy Jade Kent Lake Lane Lark Lee "
    "Linden Marsh Maple Mead Moss North Oak Park Pine Quinn Reed Ridge Rowan Sage Shaw Stone Vale West"
).split()


@cache
def _word() -> st.SearchStrategy[str]:
    return st.sampled_from(VOCABULARY)


@cache
def _words() -> st.SearchStrategy[str]:
    """A phrase of one or two words, as one choice too."""
    return st.sampled_from(VOCABULARY + [f"{first} {second}" for first in VOCABULARY for second in VOCABULARY])


@cache
def _plausible() -> dict[str, st.SearchStrategy[Any]]:
    word, words = _word(), _words()
    plausible = {
        "additional_info": words,
        "address1": st.builds("{} {} Street".format, st.integers(1, 9999), word),
        "address2": st.builds("Suite {}".format, st.integers(1, 999)),
        "city": words,
        "company": st.builds("{} Inc".format, words),
        "country_code": st.sampled_from(["US", "GB", "DK", "FR", "DE", "BR", "JP", "AU", "CA", "NZ"]),
        "cycle": st.sampled_from([1, 12]),
        "email": st.builds("{}{}@{}.example".format, word.map(str.lower), st.integers(0, 999), word.map(str.lower)),
        "first_name": word,
        "last_name": word,
        # Built from numbers rather than drawn from a regex, which costs ten times as much per example.
        "phone": st.builds("+{}{}".format, st.integers(1, 9), st.integers(100_000, 99_999_999_999)),
        "postal_code": st.integers(0, 99_999).map("{:05d}".format),
        "state": words,
    }
    assert set(plausible) == set(spec.BILLING_FIELDS), "every billing field needs a plausible value"
    return plausible


def _subsets(count: int) -> st.SearchStrategy[int]:
    """Which of `count` fields to send, as the bits of one number: at least one of them.

    One choice where a choice per field took `count`: hypothesis spends most of an example's time
    per choice, so billing (drawn in most examples of a run) costs half as much. It shrinks
    towards fewer fields.
    """
    return st.integers(1, 2**count - 1)


def _chosen(fields: Iterable[str], subset: int) -> list[str]:
    return [name for bit, name in enumerate(fields) if subset >> bit & 1]


@cache
def billing_updates() -> st.SearchStrategy[dict[str, Any]]:
    """Billing changes a real owner might send: some documented fields, plausible values."""
    plausible, some_fields = _plausible(), _subsets(len(spec.BILLING_FIELDS))

    @st.composite
    def update(draw: st.DrawFn) -> dict[str, Any]:
        chosen = _chosen(spec.BILLING_FIELDS, draw(some_fields))
        return {name: draw(plausible[name]) for name in chosen}

    return update()


# How clients declare a JSON body: most add a charset parameter, which names the same media type.
JSON_MEDIA_TYPES = ("application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8")


def plausible_update(billing: dict[str, Any] | None) -> GeneratedRequest:
    """A PUT of `billing` (None: the empty update `{}`) that every conformant server accepts."""
    document = {} if billing is None else {"billing": billing}
    return GeneratedRequest("PUT", PLAUSIBLE, json.dumps(document).encode(), "application/json")


NO_CHANGE = plausible_update(None)


def full_billing() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(_plausible())


# --- read-only edits --------------------------------------------------------------------------------


def _plan_values(kind: str | None) -> st.SearchStrategy[Any]:
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _words()
    return st.one_of(st.integers(0, 10_000), st.just("unlimited"))  # a limit: a count or "unlimited"


def _changed_plan_field(plan: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """One plan field with a new value of its documented type."""
    fields = spec.component("Plan")["properties"].items()
    changed = {name: _plan_values(field.get("type")).filter(_differs_from(plan.get(name))) for name, field in fields}
    return st.sampled_from(spec.PLAN_FIELDS).flatmap(lambda name: changed[name].map(lambda new: {name: new}))


def _differs_from(current: Any) -> Callable[[Any], bool]:
    return lambda value: value != current


def read_only_edits(account: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A PUT body that gives at least one read-only field a new value, sometimes with billing too."""
    account = account if isinstance(account, dict) else {}  # whatever the target answered
    edits: dict[str, st.SearchStrategy[Any]] = {
        "account_key": st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=32),
        "create_date": st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)).map(
            lambda moment: moment.replace(tzinfo=UTC, microsecond=0).isoformat()
        ),
        "status": st.sampled_from(["suspended", "deleted", "trial", "closed"]),
        "plan": _changed_plan_field(account.get("plan") or {}),
    }
    changed = {name: strategy.filter(_differs_from(account.get(name))) for name, strategy in edits.items()}
    some_fields = _subsets(len(spec.READ_ONLY_FIELDS))

    @st.composite
    def edit(draw: st.DrawFn) -> dict[str, Any]:
        body = {name: draw(changed[name]) for name in _chosen(spec.READ_ONLY_FIELDS, draw(some_fields))}
        if draw(st.booleans()):
            body["billing"] = draw(billing_updates())
        return body

    return edit()


# --- credentials that must be refused ---------------------------------------------------------------

_TOKEN_CHARS = string.ascii_letters + string.digits + "-._~+/"


def unknown_credentials(real_tokens: set[str]) -> st.SearchStrategy[Credential]:
    tokens = st.text(alphabet=_TOKEN_CHARS, min_size=1, max_size=64).filter(lambda token: token not in real_tokens)
    return tokens.map(lambda token: Credential("unknown", f"Bearer {token}"))


def malformed_credentials(real_tokens: set[str]) -> st.SearchStrategy[Credential]:
    """Headers that are not `Bearer <token>`: other schemes, no token, no scheme, even with a real token."""
    token = st.sampled_from(sorted(real_tokens)) if real_tokens else st.text(alphabet=_TOKEN_CHARS, min_size=1)
    scheme = st.sampled_from(["Basic", "Token", "Digest", "OAuth", "Bearer:"])
    headers = st.one_of(
        st.builds("{} {}".format, scheme, token),
        token,  # a token with no scheme
        st.sampled_from(["Bearer", "bearer", "Bearer:", ""]),
    )
    return headers.map(lambda header: Credential("malformed", header))


# --- bodies that are not JSON -----------------------------------------------------------------------


def _corrupt(text: str, position: int, junk: str) -> str:
    position %= len(text) + 1
    return text[:position] + junk + text[position:]


def broken_json() -> st.SearchStrategy[bytes]:
    """Texts RFC 8259 refuses: a valid update truncated, with stray characters, or as a lenient parser reads it.

    What is not JSON is the RFC's grammar's to say (`rfc8259`), not any one parser's.
    """
    documents = billing_updates().map(lambda billing: json.dumps({"billing": billing}))
    truncated = documents.flatmap(lambda text: st.integers(0, len(text) - 1).map(lambda n: text[:n]))
    junk = st.sampled_from(["{", "}", "[", ",", ":", '"', "'", "\\", "}}", "\x00"])
    stray = st.builds(_corrupt, documents, st.integers(0, 10_000), junk)
    classics = st.sampled_from(["", "{billing: {}}", "{'billing': {}}", '{"billing": {},}', "null null", "undefined"])
    broken = st.one_of(classics, truncated, stray).map(str.encode).filter(lambda body: rfc8259.judge(body) is False)
    return st.one_of(broken, lenient_json.bodies(billing_updates()).map(str.encode))
