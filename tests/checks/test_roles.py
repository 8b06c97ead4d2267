import pytest
from conftest import assert_catches

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
