import pytest
from conftest import assert_catches, judge_scenario

from conformance.server import faults

CASES = [
    ("UPD-APPLIES", faults.IgnoresUpdates),
    ("UPD-PERSISTS", faults.ForgetsUpdates),
    ("UPD-IDEMPOTENT", faults.CountsRepeats),
    ("UPD-MERGE", faults.ReplacesBilling),
]


@pytest.mark.parametrize(("requirement_id", "fault"), CASES)
def test_each_update_scenario_catches_its_fault_and_passes_the_reference(requirement_id: str, fault: type) -> None:
    assert_catches(requirement_id, fault())


def test_an_update_rule_nothing_could_exercise_is_skipped_not_passed() -> None:
    result = judge_scenario("UPD-PERSISTS", faults.OwnerCannotUpdate())
    assert result.status.value == "skipped" and "200" in (result.reason or "")
