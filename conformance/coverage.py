"""The coverage of a run: a few fixed examples per property that reach everything the docs name.

A random draw reaches a given field, kind of value or role only in a long enough run; a run with a
small --max-requests budget is not one. So every property is first given these examples, the same
on every run and every seed (see conformance.context.WHOLE): each billing field with a plausible
value, then with each JSON type it is not declared with (`null`, a list and an object included)
and with a long string where no string fits;
`billing` and the body as each kind of JSON value that is not an object; every read-only field and
every field of `plan` changed; the credentials a server must refuse; each role on each method.

They are packed: one PUT gives every field a value of one kind. A server may refuse a packed body
for any one of its values, so one per field is not judged here: that is what the edge values and
the draws that follow are for. Coverage finds what every field shares in a few requests per rule.
"""

from __future__ import annotations

import json
from typing import Any

from conformance import edges, spec
from conformance.exchange import Credential
from conformance.generation import NO_CHANGE, GeneratedRequest, plausible_update

# Two plausible billings, every field different between them: an update of one over the other
# changes every field, so a server that ignores or forgets one field is seen.
FIRST: dict[str, Any] = {
    "additional_info": "Coverage first",
    "address1": "12 Alder Street",
    "address2": "Suite 4",
    "city": "Aspen",
    "company": "Birch Inc",
    "country_code": "GB",
    "cycle": 1,
    "email": "ada12@alder.example",
    "first_name": "Ada",
    "last_name": "Lake",
    "phone": "+4420794600",
    "postal_code": "01234",
    "state": "Cedar",
}
SECOND: dict[str, Any] = {
    "additional_info": "Coverage second",
    "address1": "7 Maple Street",
    "address2": "Suite 9",
    "city": "Rowan",
    "company": "Stone Inc",
    "country_code": "DK",
    "cycle": 12,
    "email": "quinn7@vale.example",
    "first_name": "Quinn",
    "last_name": "Reed",
    "phone": "+4533120000",
    "postal_code": "56789",
    "state": "Heath",
}
assert set(FIRST) == set(SECOND) == set(spec.BILLING_FIELDS), "coverage gives every billing field a value"

# One value of each JSON type; each field is given every one that is not its declared type.
KINDS: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "integer": 7,
    "number": 1.5,
    "string": "7",
    "array": ["x"],
    "object": {"x": 1},
}
LONG_STRING = "x" * 1_000
# JSON Schema's number includes integer: a field declared integer refuses 1.5 but not 7.
_FITS = {"integer": {"integer"}, "string": {"string"}}


def _declared(name: str) -> str:
    return spec.component("Billing")["properties"][name]["type"]


def billing_updates() -> list[dict[str, Any]]:
    """Every billing field changed, twice: valid updates every conformant server applies."""
    return [FIRST, SECOND]


def merges() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """A full billing, then an update of one field: the other twelve must keep their values."""
    return [(FIRST, {"city": SECOND["city"]})]


def owner_updates() -> list[GeneratedRequest]:
    """What a role that may not write sends: a plausible update, and the empty one."""
    return [plausible_update({"first_name": SECOND["first_name"], "city": SECOND["city"]}), NO_CHANGE]


def wrong_types() -> list[bytes]:
    """PUT bodies breaking the declared types: each JSON kind in every field it does not fit, then billing, the body."""
    bodies = []
    for kind, value in KINDS.items():
        fields = {name: value for name in spec.BILLING_FIELDS if kind not in _FITS.get(_declared(name), set())}
        bodies.append({"billing": fields})
    not_objects = [value for kind, value in KINDS.items() if kind != "object"]
    bodies += [{"billing": value} for value in not_objects]
    # A long string where no string fits: a server that quotes the value it refuses must still answer 4xx.
    bodies.append({"billing": {name: LONG_STRING for name in spec.BILLING_FIELDS if _declared(name) != "string"}})
    encoded = [json.dumps(body).encode() for body in bodies]
    # The body: the falsy values first, which a server testing the body's truth (`body or {}`) takes for no update.
    encoded += [json.dumps(value).encode() for value in (None, [], "", 0, False, ["x"])]
    deepest = edges.NESTING_DEPTHS[1]
    encoded.append(b'{"billing": {"city": ' + b"[" * deepest + b"]" * deepest + b"}}")
    return encoded


def same_type_edges() -> list[list[bytes]]:
    """One sequence of PUTs storing edge values of the declared types, packed, and the empty update last.

    Every string edge and the first integer edges go into a few bodies, then an unknown name beyond
    Latin-1; `{}` ends the sequence, as the update a server is least ready to store.
    The edges are dealt out in turn, so that neighbours go apart: each unpaired surrogate lands in a
    body of its own, where a check that looks only for the other half cannot hide it.
    """
    strings = [name for name in spec.BILLING_FIELDS if _declared(name) == "string"]
    integers = [name for name in spec.BILLING_FIELDS if _declared(name) == "integer"]
    count = -(-len(edges.STRINGS) // len(strings))
    bodies: list[dict[str, Any]] = []
    for turn in range(count):
        billing: dict[str, Any] = dict(zip(strings, edges.STRINGS[turn::count], strict=False))
        for name in integers:
            billing[name] = edges.INTEGERS[len(bodies) % len(edges.INTEGERS)]
        bodies.append({"billing": billing})
    # An unknown name beyond Latin-1 in a body of its own: a server that chokes on it is shown it alone.
    bodies.append({"billing": {edges.UNKNOWN_NAMES[0]: "x"}})
    return [[json.dumps(body).encode() for body in bodies] + [b"{}"]]


def read_only_edits(account: Any) -> list[dict[str, Any]]:
    """Every read-only field changed at once, `plan`'s every field among them; then `plan` alone."""
    account = account if isinstance(account, dict) else {}
    plan = account.get("plan") if isinstance(account.get("plan"), dict) else {}
    changed_plan = {name: _other(field, plan.get(name)) for name, field in spec.component("Plan")["properties"].items()}
    everything = {
        "account_key": _unlike(account.get("account_key"), "coverage00000000", "coverage11111111"),
        "create_date": _unlike(account.get("create_date"), "2001-02-03T04:05:06Z", "2002-03-04T05:06:07Z"),
        "status": _unlike(account.get("status"), "suspended", "closed"),
        "plan": changed_plan,
    }
    return [everything, {"plan": changed_plan}]


def _unlike(current: Any, first: Any, second: Any) -> Any:
    return first if current != first else second


def _other(field: dict[str, Any], current: Any) -> Any:
    """A value of the plan field's documented type that is not `current`."""
    kind = field.get("type")
    if kind == "boolean":
        return not current if isinstance(current, bool) else True
    if kind == "string":
        return _unlike(current, "Coverage plan", "Other plan")
    return _unlike(current, 12_345, 54_321)  # a limit: a count or "unlimited"


def unknown_credentials(real_tokens: set[str]) -> list[Credential]:
    """A bearer token no server issued, and each malformed header a client gets wrong most."""
    some_token = sorted(real_tokens)[0] if real_tokens else "coverage-token"
    unknown = "coverage-" + "0" * 24
    while unknown in real_tokens:
        unknown += "0"
    return [
        Credential("unknown", f"Bearer {unknown}"),
        Credential("malformed", f"Basic {some_token}"),  # a scheme that sorts before Bearer
        Credential("malformed", f"Token {some_token}"),  # and one after it
        Credential("malformed", some_token),  # a real token with no scheme
        Credential("malformed", "Bearer"),  # the scheme with no token
        Credential("malformed", ""),
    ]
