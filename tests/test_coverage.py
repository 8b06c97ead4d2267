"""The coverage examples reach what the issue names: every field, every kind of JSON value, every role."""

from __future__ import annotations

import json

from conformance import coverage, edges, jsontext, leeway, spec
from conformance.distinct import value_kind
from conformance.server.store import DEFAULT_ACCOUNT


def _kind(value: object) -> str:
    """The JSON type of a value: a string of digits is a string here, whatever a lax parser makes of it."""
    kind = value_kind(value)
    return "string" if kind == "numeric string" else kind


def _readable() -> list[bytes]:
    """The wrong types, but for the one nested deeper than Python's parser goes (asserted here)."""
    *readable, nested = coverage.wrong_types()
    assert jsontext.nested_deeper_than(nested.decode(), 500)
    return readable


def test_every_billing_field_is_given_every_json_kind_it_is_not_declared_with() -> None:
    given: dict[str, set[str]] = {name: set() for name in spec.BILLING_FIELDS}
    for body in _readable():
        document = json.loads(body)
        billing = document.get("billing") if isinstance(document, dict) else None
        for name, value in (billing if isinstance(billing, dict) else {}).items():
            given[name].add(_kind(value))
    for name, kinds in given.items():
        declared = spec.component("Billing")["properties"][name]["type"]
        expected = set(coverage.KINDS) - {declared}
        assert kinds == expected, name


def test_billing_and_the_body_are_each_sent_as_every_kind_that_is_not_an_object() -> None:
    documents = [json.loads(body) for body in _readable()]
    billings = {_kind(d["billing"]) for d in documents if isinstance(d, dict) and not isinstance(d["billing"], dict)}
    bodies = {_kind(d) for d in documents if not isinstance(d, dict)}
    assert billings == set(coverage.KINDS) - {"object"}
    assert {"null", "array", "string", "integer", "boolean"} <= bodies
    assert [] in documents and "" in documents and 0 in documents  # the falsy ones a `body or {}` misses


def test_every_coverage_body_breaks_the_types_it_is_meant_to_break() -> None:
    for body in _readable():
        document = json.loads(body)
        assert leeway.breaks_writable_types(document), body[:80]


def test_the_valid_updates_change_every_billing_field_and_fit_the_description() -> None:
    first, second = coverage.billing_updates()
    assert set(first) == set(second) == set(spec.BILLING_FIELDS)
    assert all(first[name] != second[name] for name in spec.BILLING_FIELDS)
    for billing in (first, second):
        assert spec.is_valid("Billing", billing)


def test_every_read_only_field_and_every_plan_field_is_changed() -> None:
    everything, plan_alone = coverage.read_only_edits(DEFAULT_ACCOUNT)
    assert set(everything) == set(spec.READ_ONLY_FIELDS) and set(plan_alone) == {"plan"}
    for name in spec.READ_ONLY_FIELDS:
        assert everything[name] != DEFAULT_ACCOUNT.get(name), name
    for name in spec.PLAN_FIELDS:
        assert everything["plan"][name] != DEFAULT_ACCOUNT["plan"].get(name), name


def test_the_same_type_edges_hide_no_lone_low_surrogate_behind_a_high_one() -> None:
    (sequence,) = coverage.same_type_edges()
    texts = [json.loads(body) for body in sequence]
    stored = [value for body in texts for value in (body.get("billing") or {}).values() if isinstance(value, str)]
    assert set(stored) >= set(edges.STRINGS)  # every string edge is stored
    for body in texts:
        values = [value for value in (body.get("billing") or {}).values() if isinstance(value, str)]
        if "\udc00" in values:  # a lone low surrogate: no high one beside it
            assert not any("\ud800" in value for value in values)
    assert sequence[-1] == b"{}"  # the empty update last, its GET right after


def test_the_credentials_are_refused_kinds_and_never_a_real_token_alone_as_bearer() -> None:
    real = {"owner-token", "admin-token"}
    credentials = coverage.unknown_credentials(real)
    assert {credential.label for credential in credentials} == {"unknown", "malformed"}
    assert all(credential.header not in {f"Bearer {token}" for token in real} for credential in credentials)


def test_a_long_string_is_refused_where_no_string_fits() -> None:
    """A server that quotes what it refuses into a bounded message is shown a value too long for it."""
    declared = spec.component("Billing")["properties"]
    not_strings = {name for name in spec.BILLING_FIELDS if declared[name]["type"] != "string"}
    billings = [document.get("billing") for document in map(json.loads, _readable()) if isinstance(document, dict)]
    assert {name: coverage.LONG_STRING for name in not_strings} in billings
    assert len(coverage.LONG_STRING) >= 1_000
