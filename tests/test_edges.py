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
    assert len(bodies) == len(edges.NOT_STRINGS) + len(edges.NOT_INTEGERS) + 2 * len(edges.NESTING_DEPTHS)
    assert all(breaks_types(document) for document in _parsed(bodies))


def test_every_same_type_edge_keeps_the_documented_types() -> None:
    bodies = edges.every_same_type_edge()
    assert len(bodies) == len(edges.STRINGS) + len(edges.INTEGERS) + len(edges.UNKNOWN_NAMES)
    assert not any(breaks_types(document) for document in _parsed(bodies))
