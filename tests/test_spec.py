"""conformance.spec: the quick validator finds valid only what jsonschema does, so the verdicts are jsonschema's."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import spec

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63),  # past what a 64-bit integer holds
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(["unlimited", "US", "2014-08-06T11:02:09Z", "2016-12-31T23:59:60Z", "2014-02-30T00:00:00Z"]),
    st.sampled_from(["0000-12-31T23:59:59.0Z", "2016-12-31T22:59:60Z", "0000-02-29T00:00:00Z"]),
    st.sampled_from(["2014-08-06T11:02:09Z\n", "٢٠١٤-08-06T11:02:09Z", "2014-08-06T11:02:09+00:00", "2014-08-06"]),
)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner))


def _object(fields: tuple[str, ...], values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=dict.fromkeys(fields, values))


# Objects with the documented field names, so that the values (not only the shape) get judged.
PLANS = _object(spec.PLAN_FIELDS, SCALARS)
BILLINGS = _object(spec.BILLING_FIELDS, SCALARS)
ACCOUNT_FIELDS = {"account_key": SCALARS, "create_date": SCALARS, "status": SCALARS, "billing": BILLINGS | JSON}
ACCOUNTS = st.fixed_dictionaries({}, optional={**ACCOUNT_FIELDS, "plan": PLANS | JSON}) | JSON


NAMES = st.sampled_from(["Account", "AccountUpdate", "Billing", "Plan"])


@settings(max_examples=400, database=None)
@given(ACCOUNTS, NAMES, st.booleans())
def test_what_jsonschema_rs_finds_valid_jsonschema_does_too(instance: Any, name: str, types_only: bool) -> None:
    slow = spec.types_only_validator(name) if types_only else spec.validator(name)
    if spec._fast(name, types_only).is_valid(instance):
        assert slow.is_valid(instance)


def test_the_quick_validator_finds_an_account_valid() -> None:
    # Else the property above would hold of a quick validator that finds nothing valid, and judge nothing.
    account = {"account_key": "k", "billing": {"cycle": 1}, "create_date": "2014-08-06T11:02:09Z", "status": "active"}
    for types_only in (False, True):
        assert spec._fast("Account", types_only).is_valid(account)
        assert not spec._fast("Account", types_only).is_valid({**account, "billing": {"cycle": "monthly"}})


@settings(max_examples=400, database=None)
@given(ACCOUNTS, NAMES, st.booleans())
def test_is_valid_is_jsonschemas_verdict(instance: Any, name: str, types_only: bool) -> None:
    slow = spec.types_only_validator(name) if types_only else spec.validator(name)
    assert spec.is_valid(name, instance, types_only=types_only) == slow.is_valid(instance)


def test_a_timestamp_is_read_as_rfc_3339_writes_it() -> None:
    """Year 0000 and a leap second are RFC 3339 date-times; Prism's generated data has both now and then."""
    for valid in ("0000-12-31T23:59:59.0Z", "2016-12-31T23:59:60Z", "0000-02-29T00:00:00Z"):
        assert spec.is_valid("Account", {"create_date": valid}), valid
        assert spec.validator("Account").is_valid({"create_date": valid}), valid
    for invalid in ("2014-02-30T00:00:00Z", "2016-12-31T22:59:60Z", "2014-08-06T11:02:09Z\n", "2014-08-06"):
        assert not spec.is_valid("Account", {"create_date": invalid}), invalid


def test_errors_are_jsonschemas_messages() -> None:
    assert spec.errors("Account", {"create_date": "2014-02-30T00:00:00Z"}) == [
        "$.create_date: '2014-02-30T00:00:00Z' is not a 'date-time'"
    ]
    assert spec.errors("Account", {"billing": {"cycle": 1}}) == []
