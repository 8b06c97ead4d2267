import re

import pytest
from conftest import assert_catches, judge_scenario
from servers import counted

from conformance.results import Status
from conformance.server import faults

CASES = [
    ("ROLE-GET-ADMIN", faults.AdminCannotRead),
    ("ROLE-GET-AGENT", faults.AgentCanRead),
    ("ROLE-PUT-OWNER", faults.OwnerCannotUpdate),
    ("ROLE-PUT-ADMIN", faults.AdminCanUpdate),
    ("ROLE-PUT-AGENT", faults.AgentCanUpdate),
]


@pytest.mark.parametrize(("requirement_id", "fault"), CASES)
def test_each_role_scenario_catches_its_fault_and_passes_the_reference(requirement_id: str, fault: type) -> None:
    assert_catches(requirement_id, fault())


class ValidatesBeforeRoles(faults.Fault):
    """A PUT whose country code is not two capital letters gets 422 before its sender's role is looked at."""

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        document = req.document()
        billing = document.get("billing") if isinstance(document, dict) else None
        code = billing.get("country_code") if isinstance(billing, dict) else None
        if req.method == "PUT" and isinstance(code, str) and not re.fullmatch("[A-Z]{2}", code):
            return faults.Resp(422, body=b'{"error": "InvalidValue", "description": "country_code"}')
        return req


@pytest.mark.parametrize("requirement_id", ["ROLE-PUT-ADMIN", "ROLE-PUT-AGENT"])
def test_an_implausible_value_refused_before_the_role_is_no_role_failure(requirement_id: str) -> None:
    server = counted(ValidatesBeforeRoles)
    result = judge_scenario(requirement_id, server, max_examples=25)
    assert server.answered > 0  # the case arose: a generated body the server found implausible
    assert result.status is Status.PASSED, result.failures
