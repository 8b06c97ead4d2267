import pytest
from conftest import context, exchange

from conformance.checks.shape import account_shape, json_content_type
from conformance.failures import Violation
from conformance.server.store import DEFAULT_ACCOUNT


def test_a_valid_account_passes_and_extra_fields_are_allowed() -> None:
    assert account_shape(exchange(200, {**DEFAULT_ACCOUNT, "extra": 1}), context()) is True


@pytest.mark.parametrize("created", ["0000-12-31T23:59:59.0Z", "2016-12-31T23:59:60Z"])
def test_every_rfc_3339_timestamp_passes(created: str) -> None:
    """Year 0000 and a leap second: Prism's --dynamic data has them now and then, and they are valid."""
    assert account_shape(exchange(200, {**DEFAULT_ACCOUNT, "create_date": created}), context()) is True


@pytest.mark.parametrize(
    "broken",
    [
        {**DEFAULT_ACCOUNT, "create_date": "2014-08-06 11:02:09"},
        {**DEFAULT_ACCOUNT, "plan": {"max_agents": -1}},
        {**DEFAULT_ACCOUNT, "billing": {"cycle": "monthly"}},
        {**DEFAULT_ACCOUNT, "account_key": 5},
        [DEFAULT_ACCOUNT],
    ],
)
def test_a_broken_account_fails(broken: object) -> None:
    with pytest.raises(Violation):
        account_shape(exchange(200, broken), context())


def test_only_200s_of_get_and_put_are_judged() -> None:
    assert account_shape(exchange(401, {"error": "x"}), context()) is None
    assert account_shape(exchange(200, {}, method="POST"), context()) is None


def test_json_bodies_must_say_application_json_with_any_parameters() -> None:
    assert json_content_type(
        exchange(401, {"error": "x"}, headers={"content-type": "application/json; charset=utf-8"}), context()
    )
    with pytest.raises(Violation, match="does not declare it as JSON"):
        json_content_type(exchange(401, {"error": "x"}, headers={"content-type": "text/plain"}), context())
    assert json_content_type(exchange(405, "", headers={}), context()) is None
    with pytest.raises(Violation):
        json_content_type(exchange(200, "not json", headers={"content-type": "text/html"}), context())
