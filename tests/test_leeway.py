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


def test_null_may_stand_for_not_sent_in_the_three_places_the_catalog_names() -> None:
    assert leeway.without_nulls(None) == {}
    assert leeway.without_nulls({"billing": None, "status": None}) == {"status": None}  # read-only: RO-IGNORED's
    assert leeway.without_nulls({"billing": {"city": None, "state": "Ohio"}}) == {"billing": {"state": "Ohio"}}
    for body in (None, {"billing": None}, {"billing": {"cycle": None}}, {"billing": {"city": None, "cycle": 12}}):
        assert leeway.breaks_types_only_with_null(body), body
    # A body wrong in another way as well must still be refused.
    assert not leeway.breaks_types_only_with_null({"billing": {"city": None, "cycle": "12"}})
    assert not leeway.breaks_types_only_with_null({"billing": {"city": "Aarhus"}})  # breaks nothing at all
    assert not leeway.breaks_types_only_with_null([None]) and not leeway.breaks_types_only_with_null(
        {"billing": [None]}
    )


def test_an_accepted_null_must_leave_what_it_names_as_it_was() -> None:
    before = {"billing": {"city": "Aarhus", "cycle": 1}, "plan": {}}
    assert leeway.nulls_taken_as_not_sent({"billing": {"city": None}}, before, before) == []
    assert leeway.nulls_taken_as_not_sent({"billing": {"state": None}}, before, before) == []  # absent stays absent
    stored = {"billing": {"city": None, "cycle": 1}, "plan": {}}
    assert leeway.nulls_taken_as_not_sent({"billing": {"city": None}}, before, stored) == ["billing.city"]
    dropped = {"billing": {"cycle": 1}, "plan": {}}
    assert leeway.nulls_taken_as_not_sent({"billing": {"city": None}}, before, dropped) == ["billing.city"]
    assert leeway.nulls_taken_as_not_sent({"billing": None}, before, {**before, "billing": {}}) == ["billing"]
    assert leeway.nulls_taken_as_not_sent(None, before, {**before, "plan": {"x": 1}}) == ["the account"]
