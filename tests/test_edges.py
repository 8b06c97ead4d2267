"""The edge values are what they claim: of another type must break the description, of the same type must not."""

from __future__ import annotations

from conformance import edges, jsontext
from conformance.checks.robust import breaks_types


def _parsed(bodies: list[bytes]) -> list[object]:
    documents = []
    for body in bodies:
        try:
            documents.append(jsontext.loads(body))
        except jsontext.NestedTooDeeply:  # too deep to parse: an array where an object is declared
            assert body.startswith(b"[") or b'"city": [' in body
    return documents


def test_every_wrong_type_edge_breaks_the_documented_types() -> None:
    bodies = edges.every_wrong_type_edge()
    expected = len(edges.NOT_STRINGS) + len(edges.NOT_INTEGERS) + len(edges.NOT_OBJECTS) + 2 * len(edges.NESTING_DEPTHS)
    assert len(bodies) == expected
    assert all(breaks_types(document) for document in _parsed(bodies))


def test_null_is_sent_in_each_place_a_typed_stack_may_read_it_as_not_sent() -> None:
    documents = _parsed(edges.every_wrong_type_edge())
    assert None in documents and {"billing": None} in documents
    assert any(
        isinstance(d, dict) and isinstance(d.get("billing"), dict) and None in d["billing"].values() for d in documents
    )


def test_every_same_type_edge_keeps_the_documented_types() -> None:
    bodies = edges.every_same_type_edge()
    assert len(bodies) == len(edges.STRINGS) + len(edges.INTEGERS) + len(edges.UNKNOWN_NAMES)
    assert not any(breaks_types(document) for document in _parsed(bodies))
