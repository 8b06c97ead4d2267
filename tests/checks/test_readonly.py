import faults
from conftest import judge_scenario

from conformance.server import create_app


def test_read_only_fields_applied_fail_and_refused_or_ignored_pass() -> None:
    assert judge_scenario("RO-IGNORED", faults.AppliesReadOnlyFields()).status.value == "failed"
    assert judge_scenario("RO-IGNORED", faults.RefusesReadOnlyFields()).status.value == "passed"
    assert judge_scenario("RO-IGNORED", create_app()).status.value == "passed"
