"""What a conformant server may choose where the docs are silent, as conformance.leeway says it."""

from __future__ import annotations

from conformance import leeway


def test_only_a_well_formed_request_is_held_to_the_rules_own_status() -> None:
    assert leeway.refusal({401}, well_formed=True) == {401}
    loose = leeway.refusal({401}, well_formed=False)
    assert all(status in loose for status in (400, 401, 413, 415, 422)) and 200 not in loose and 500 not in loose


def test_read_only_fields_never_break_the_types_whatever_they_hold() -> None:
    assert not leeway.breaks_writable_types({"account_key": None, "create_date": [None, [], []], "plan": 5})
    assert not leeway.breaks_writable_types({"status": {}, "billing": {"city": "Aarhus"}})
    assert leeway.breaks_writable_types({"status": "x", "billing": {"cycle": "12"}})  # billing still counts
    assert leeway.breaks_writable_types({"billing": None}) and leeway.breaks_writable_types([])


def test_integers_past_2_to_the_53_may_come_back_rounded_as_doubles_round_them() -> None:
    assert leeway.same_value(2**53 + 1, 2**53) and leeway.same_value(2**64, 18446744073709552000)
    assert not leeway.same_value(2**53 + 1, 2**53 - 10) and not leeway.same_value(2**64, "18446744073709551616")
    assert not leeway.same_value(10**400, 10**400 + 1)  # past what a double holds: no parser rounds it
    assert leeway.same_value(10**400, 10**400)
    assert leeway.same_value("Ada", "Ada") and leeway.same_value(12, 12) and not leeway.same_value(12, "12")
