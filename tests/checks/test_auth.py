import pytest
from conftest import assert_catches, context, exchange, judge_scenario
from servers import counted

from conformance.checks.auth import no_account_data_when_refused, refusal_explains
from conformance.failures import Violation
from conformance.results import Status
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


class UnauthenticatedPutsGet400(faults.Fault):
    """Every PUT without credentials gets 400, well-formed or not: a body parser cannot excuse that."""

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        if req.method == "PUT" and req.auth is None:
            return faults.Resp(400, body=b'{"error": "BadRequest"}')
        return req


@pytest.mark.parametrize("requirement_id", ["AUTH-MISSING", "AUTH-INVALID"])
def test_a_body_refused_before_credentials_are_looked_at_is_no_auth_failure(requirement_id: str) -> None:
    server = counted(faults.BodyParsedBeforeAuth)
    result = judge_scenario(requirement_id, server, max_examples=25)
    assert server.answered > 0  # the case arose: a broken body sent without valid credentials
    assert result.status is Status.PASSED, result.failures


def test_a_well_formed_put_without_credentials_must_still_get_401() -> None:
    result = judge_scenario("AUTH-MISSING", UnauthenticatedPutsGet400())
    assert result.status is Status.FAILED and result.failures[0].actual == "400"
    assert result.failures[0].exchange is not None and result.failures[0].exchange.request.body == "{}"
