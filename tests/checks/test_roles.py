import faults
import pytest
from conftest import judge_scenario

from conformance.server import create_app

CASES = [
    ("ROLE-GET-ADMIN", faults.AdminCannotRead),
    ("ROLE-GET-AGENT", faults.AgentCanRead),
    ("ROLE-PUT-OWNER", faults.OwnerCannotUpdate),
    ("ROLE-PUT-ADMIN", faults.AdminCanUpdate),
    ("ROLE-PUT-AGENT", faults.AgentCanUpdate),
]


@pytest.mark.parametrize(("requirement_id", "fault"), CASES)
def test_each_role_scenario_catches_its_fault_and_passes_the_reference(requirement_id: str, fault: type) -> None:
    broken = judge_scenario(requirement_id, fault())
    assert broken.status.value == "failed" and broken.failures[0].exchange is not None
    assert judge_scenario(requirement_id, create_app()).status.value == "passed"
