from conftest import assert_catches, judge_scenario

from conformance.server import faults


def test_read_only_fields_applied_fail_and_refused_or_ignored_pass() -> None:
    assert_catches("RO-IGNORED", faults.AppliesReadOnlyFields())
    assert judge_scenario("RO-IGNORED", faults.RefusesReadOnlyFields()).status.value == "passed"
