import pytest
from conftest import context, exchange

from conformance.checks.billing import billing_hidden_from_others
from conformance.failures import Violation


def test_billing_is_for_the_owner_only() -> None:
    assert billing_hidden_from_others(exchange(200, {"billing": {"city": "x"}}, label="owner"), context()) is None
    assert billing_hidden_from_others(exchange(200, {"plan": {}}, label="admin"), context()) is True
    assert billing_hidden_from_others(exchange(200, {"billing": {}}, label="admin"), context()) is True
    with pytest.raises(Violation, match="billing details"):
        billing_hidden_from_others(exchange(200, {"billing": {"city": "x"}}, label="admin"), context())


@pytest.mark.parametrize("billing", [None, [], "", {"city": ""}])
def test_only_absent_or_empty_billing_shows_nothing(billing: object) -> None:
    with pytest.raises(Violation, match="billing details"):
        billing_hidden_from_others(exchange(200, {"plan": {}, "billing": billing}, label="admin"), context())
