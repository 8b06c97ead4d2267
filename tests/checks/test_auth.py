import pytest
from conftest import assert_catches, context, exchange

from conformance.checks.auth import no_account_data_when_refused, refusal_explains
from conformance.failures import Violation
from conformance.server import faults


def test_refusals_must_not_carry_account_data() -> None:
    assert no_account_data_when_refused(exchange(401, {"error": "Unauthorized"}), context()) is True
    with pytest.raises(Violation, match="account data"):
        no_account_data_when_refused(exchange(403, {"error": "x", "detail": {"plan": {}}}), context())
    assert no_account_data_when_refused(exchange(200, {"plan": {}}), context()) is None


def test_refusals_should_say_what_went_wrong() -> None:
    assert refusal_explains(exchange(401, {"error": "Unauthorized"}), context()) is True
    for body in ("", "denied", {"error": ""}):
        with pytest.raises(Violation):
            refusal_explains(exchange(403, body), context())


@pytest.mark.parametrize(
    ("requirement_id", "fault"),
    [("AUTH-MISSING", faults.MissingCredentialsAsAdmin), ("AUTH-INVALID", faults.UnknownTokensAsAdmin)],
)
def test_the_credential_scenarios_catch_their_fault_and_pass_the_reference(requirement_id: str, fault: type) -> None:
    assert_catches(requirement_id, fault())
