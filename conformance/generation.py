"""Where generated requests come from.

Request bodies valid and invalid come from the OpenAPI description through schemathesis; values a
real owner would send, read-only edits, bad credentials and broken JSON come from hypothesis
strategies written here, because the description only says types and these rules need plausible
or deliberately wrong values.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from hypothesis import strategies as st

from conformance import spec
from conformance.exchange import Credential

MODES = ("positive", "negative")


NOT_JSON: Any = object()  # what `GeneratedRequest.document()` gives for a body that is not JSON


@dataclass(frozen=True)
class GeneratedRequest:
    """A request drawn from the description, ready to send with any credential."""

    method: str
    mode: str
    content: bytes | None
    content_type: str | None

    def document(self) -> Any:
        """The body as JSON, or NOT_JSON when there is no body or it is not JSON."""
        if self.content is None:
            return NOT_JSON
        try:
            return json.loads(self.content)
        except ValueError:
            return NOT_JSON


@cache
def schema() -> Any:
    """The description loaded by schemathesis (the base URL is a placeholder: it never sends).

    schemathesis is imported here, not above: a replay draws nothing and need not load it.
    """
    import schemathesis

    schema = schemathesis.openapi.from_dict(spec.load())
    schema.config.update(base_url="http://conformance.invalid")
    return schema


def _to_request(case: Any, method: str, mode: str) -> GeneratedRequest:
    from schemathesis.core import NotSet

    body = case.body
    if isinstance(body, NotSet) or method == "GET":
        return GeneratedRequest(method, mode, None, None)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return GeneratedRequest(method, mode, content, case.media_type)


def requests(method: str, mode: str) -> st.SearchStrategy[GeneratedRequest]:
    """Requests schemathesis generates for one operation, valid (`positive`) or not (`negative`).

    The GET takes no parameter and no body, so every GET schemathesis could draw is the same
    request: it is given as it is, without drawing. The PUT is deferred: the description is only
    loaded once an example is drawn, which a replay never does.
    """
    if method == "GET":
        return st.just(GeneratedRequest("GET", mode, None, None))
    return st.deferred(lambda: _requests(method, mode))


@cache
def _requests(method: str, mode: str) -> st.SearchStrategy[GeneratedRequest]:
    from schemathesis import GenerationMode

    operation = schema()[spec.ACCOUNT_PATH][method]
    generation_mode = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE
    return operation.as_strategy(generation_mode=generation_mode).map(lambda case: _to_request(case, method, mode))


def any_request() -> st.SearchStrategy[GeneratedRequest]:
    return st.one_of(*(requests(method, mode) for method in ("GET", "PUT") for mode in MODES))


# --- values an account owner would plausibly send -------------------------------------------------

# Words from a list, not random letters: they read like what an owner types, and one choice draws
# a word where a random one takes a choice per letter (billing is drawn in nearly every example).
# The odd values (long, empty, non-Latin, control characters) are the edge values' to send.
VOCABULARY = (  # noqa: SIM905 - a list of words reads best as words
    "Ada Alder Amber Ash Aspen Avery Bay Beck Birch Blair Brook Cedar Clay Cliff Cole Dale Dell Drew "
    "Eden Elm Fern Finch Ford Glen Gray Hale Hart Hazel Heath Holly Ivy Jade Kent Lake Lane Lark Lee "
    "Linden Marsh Maple Mead Moss North Oak Park Pine Quinn Reed Ridge Rowan Sage Shaw Stone Vale West"
).split()
_word = st.sampled_from(VOCABULARY)
_words = st.lists(_word, min_size=1, max_size=3).map(" ".join)
_PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "additional_info": _words,
    "address1": st.builds("{} {} Street".format, st.integers(1, 9999), _word),
    "address2": st.builds("Suite {}".format, st.integers(1, 999)),
    "city": _words,
    "company": st.builds("{} Inc".format, _words),
    "country_code": st.sampled_from(["US", "GB", "DK", "FR", "DE", "BR", "JP", "AU", "CA", "NZ"]),
    "cycle": st.sampled_from([1, 12]),
    "email": st.builds("{}{}@{}.example".format, _word.map(str.lower), st.integers(0, 999), _word.map(str.lower)),
    "first_name": _word,
    "last_name": _word,
    # Built from numbers rather than drawn from a regex, which costs ten times as much per example.
    "phone": st.builds("+{}{}".format, st.integers(1, 9), st.integers(100_000, 99_999_999_999)),
    "postal_code": st.integers(0, 99_999).map("{:05d}".format),
    "state": _words,
}
assert set(_PLAUSIBLE) == set(spec.BILLING_FIELDS), "every billing field needs a plausible value"


def billing_updates(min_fields: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    """Billing changes a real owner might send: some documented fields, plausible values."""
    return st.fixed_dictionaries({}, optional=_PLAUSIBLE).filter(lambda update: len(update) >= min_fields)


def full_billing() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(_PLAUSIBLE)


# --- read-only edits --------------------------------------------------------------------------------


def _changed_plan_field(plan: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """One plan field with a new value of its documented type."""
    fields = spec.component("Plan")["properties"]

    def changed(name: str) -> st.SearchStrategy[dict[str, Any]]:
        kind = fields[name].get("type")
        values: st.SearchStrategy[Any]
        if kind == "boolean":
            values = st.booleans()
        elif kind == "string":
            values = _words
        else:  # a limit: a count or "unlimited"
            values = st.one_of(st.integers(0, 10_000), st.just("unlimited"))
        return values.filter(lambda new: new != plan.get(name)).map(lambda new: {name: new})

    return st.sampled_from(spec.PLAN_FIELDS).flatmap(changed)


def _differs_from(current: Any) -> Callable[[Any], bool]:
    return lambda value: value != current


def read_only_edits(account: Any) -> st.SearchStrategy[dict[str, Any]]:
    """A PUT body that gives at least one read-only field a new value, sometimes with billing too."""
    account = account if isinstance(account, dict) else {}  # whatever the target answered
    moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1))
    edits: dict[str, st.SearchStrategy[Any]] = {
        "account_key": st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=32),
        "create_date": moments.map(lambda moment: moment.replace(tzinfo=UTC, microsecond=0).isoformat()),
        "status": st.sampled_from(["suspended", "deleted", "trial", "closed"]),
        "plan": _changed_plan_field(account.get("plan") or {}),
    }
    changed = {name: strategy.filter(_differs_from(account.get(name))) for name, strategy in edits.items()}
    return st.fixed_dictionaries({}, optional={**changed, "billing": billing_updates()}).filter(
        lambda body: any(name in body for name in spec.READ_ONLY_FIELDS)
    )


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
    """Texts a JSON parser must refuse: a valid update truncated or with stray characters."""
    documents = billing_updates().map(lambda billing: json.dumps({"billing": billing}))
    truncated = documents.flatmap(lambda text: st.integers(0, len(text) - 1).map(lambda n: text[:n]))
    junk = st.sampled_from(["{", "}", "[", ",", ":", '"', "'", "\\", "}}", "\x00"])
    stray = st.builds(_corrupt, documents, st.integers(0, 10_000), junk)
    classics = st.sampled_from(["", "{billing: {}}", "{'billing': {}}", '{"billing": {},}', "null null", "undefined"])

    def refused(text: str) -> bool:
        try:
            json.loads(text)
        except ValueError:
            return True
        return False

    return st.one_of(classics, truncated, stray).filter(refused).map(str.encode)
