"""conformance.generation: plausible updates and read-only edits are what their rules need."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from conformance import generation, spec
from conformance.server.store import DEFAULT_ACCOUNT


@settings(max_examples=200, database=None)
@given(generation.billing_updates())
def test_a_billing_update_sets_some_documented_fields_to_valid_values(update: dict[str, Any]) -> None:
    assert update and set(update) <= set(spec.BILLING_FIELDS)
    assert spec.is_valid("AccountUpdate", {"billing": update})


def test_updates_range_from_one_field_to_most_of_them() -> None:
    sizes: set[int] = set()

    @settings(max_examples=50, database=None)
    @given(generation.billing_updates())
    def collect(update: dict[str, Any]) -> None:
        sizes.add(len(update))

    collect()
    assert 1 in sizes and max(sizes) > len(spec.BILLING_FIELDS) / 2


@settings(max_examples=200, database=None)
@given(generation.read_only_edits(DEFAULT_ACCOUNT))
def test_a_read_only_edit_changes_a_read_only_field(body: dict[str, Any]) -> None:
    changed = [name for name in spec.READ_ONLY_FIELDS if name in body and body[name] != DEFAULT_ACCOUNT[name]]
    assert changed
    assert set(body) <= {*spec.READ_ONLY_FIELDS, "billing"}
    if "plan" in body:
        (name, value), *others = body["plan"].items()
        assert not others and value != DEFAULT_ACCOUNT["plan"].get(name)
