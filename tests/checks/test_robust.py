import pytest
from conftest import assert_catches, context, exchange

from conformance import generation
from conformance.checks.robust import breaks_types, no_server_error
from conformance.failures import Violation
from conformance.server import faults


def test_a_5xx_fails_and_anything_else_passes() -> None:
    assert no_server_error(exchange(422, {"error": "x"}), context()) is True
    with pytest.raises(Violation, match="5xx"):
        no_server_error(exchange(503, {"error": "x"}), context())


def test_only_type_errors_count_as_breaking_the_request_schema() -> None:
    assert breaks_types({"billing": "x"}) and breaks_types({"billing": {"cycle": "1"}}) and breaks_types([])
    assert not breaks_types({"billing": {"unknown": 1}, "other": True})  # unknown fields may be ignored
    assert not breaks_types(generation.NOT_JSON)


CASES = [
    ("ROBUST-BAD-JSON", faults.MalformedJsonIs422),
    ("ROBUST-INVALID-REJECTED", faults.AcceptsWrongTypes),
    ("ROBUST-STATE-VALID", faults.LosesAccountAfterEmptyUpdate),
    ("ROBUST-CONTENT-TYPE", faults.AnyContentTypeIsJson),
    ("ROBUST-METHOD", faults.PostActsAsPut),
]


@pytest.mark.parametrize(("requirement_id", "fault"), CASES)
def test_each_robustness_scenario_catches_its_fault(requirement_id: str, fault: type) -> None:
    assert_catches(requirement_id, fault(), max_examples=20)
