import time

import pytest
from conftest import assert_catches, context, exchange, judge_scenario

from conformance import generation
from conformance.checks.robust import breaks_types, no_server_error, unsupported_methods_say_which_are
from conformance.failures import Violation
from conformance.results import Status
from conformance.server import faults


def test_a_5xx_fails_and_anything_else_passes() -> None:
    assert no_server_error(exchange(422, {"error": "x"}), context()) is True
    with pytest.raises(Violation, match="5xx"):
        no_server_error(exchange(503, {"error": "x"}), context())


def test_only_type_errors_count_as_breaking_the_request_schema() -> None:
    assert breaks_types({"billing": "x"}) and breaks_types({"billing": {"cycle": "1"}}) and breaks_types([])
    assert not breaks_types({"billing": {"unknown": 1}, "other": True})  # unknown fields may be ignored
    assert not breaks_types(generation.NOT_JSON)


def test_read_only_fields_of_any_type_are_not_robust_invalid_rejecteds_to_judge() -> None:
    # Ignored whatever they hold, as Express, FastAPI and Flask apps ignore them (RO-IGNORED judges them).
    for body in ({"account_key": None}, {"create_date": [None, [], []]}, {"plan": 5, "status": {}}):
        assert not breaks_types(body)


def _method(method: str, status: int, allow: str | None) -> object:
    headers = {"content-type": "application/json", **({"allow": allow} if allow is not None else {})}
    return exchange(status, {"error": "x"}, method=method, headers=headers)


@pytest.mark.parametrize("allow", ["GET, PUT", "PUT,GET", "GET, HEAD, PUT, OPTIONS"])
def test_a_405_naming_get_and_put_passes_robust_allow(allow: str) -> None:
    assert unsupported_methods_say_which_are(_method("DELETE", 405, allow), context()) is True


@pytest.mark.parametrize(
    ("status", "allow"),
    [(405, None), (405, "GET"), (405, "GET, HEAD"), (405, "GET, PUT, POST"), (404, None), (200, None)],
)
def test_anything_else_is_a_robust_allow_warning(status: int, allow: str | None) -> None:
    with pytest.raises(Violation, match="405"):
        unsupported_methods_say_which_are(_method("POST", status, allow), context())


def test_robust_allow_judges_only_the_methods_other_than_get_and_put() -> None:
    assert unsupported_methods_say_which_are(_method("GET", 200, None), context()) is None
    assert unsupported_methods_say_which_are(_method("PUT", 403, None), context()) is None


def test_robust_allow_leaves_a_429_to_the_retry() -> None:
    assert unsupported_methods_say_which_are(_method("DELETE", 429, None), context()) is None


class NewWrongDateEveryTime(faults.Fault):
    """A mock that generates every answer anew, create_date always in the wrong format (SHAPE-ACCOUNT's)."""

    def response(self, req: faults.Req, resp: faults.Resp) -> faults.Resp:
        document = resp.document()
        if resp.status == 200 and isinstance(document, dict):
            return resp.with_document({**document, "create_date": f"Tue Dec 01 2026 {time.perf_counter_ns()}"})
        return resp


def test_a_place_already_wrong_before_a_sequence_is_not_what_the_sequence_broke() -> None:
    assert judge_scenario("ROBUST-STATE-VALID", NewWrongDateEveryTime()).status is Status.PASSED


class CountedEmptyBodies(faults.EmptyBodyIsEmptyUpdate):
    """The same, counting the empty bodies it was sent."""

    def __init__(self) -> None:
        super().__init__()
        self.empty = 0

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        self.empty += req.method == "PUT" and req.body == b""
        return super().request(req)


def test_an_empty_body_taken_as_the_empty_update_is_no_bad_json_failure() -> None:
    server = CountedEmptyBodies()
    result = judge_scenario("ROBUST-BAD-JSON", server, max_examples=25)
    assert server.empty > 0  # the case arose
    assert result.status is Status.PASSED, result.failures


CASES = [
    ("ROBUST-BAD-JSON", faults.MalformedJsonIs422),
    ("ROBUST-BAD-JSON", faults.ReadsJsonLeniently),
    ("ROBUST-INVALID-REJECTED", faults.StoresNull),
    ("ROBUST-INVALID-REJECTED", faults.AcceptsWrongTypes),
    ("ROBUST-STATE-VALID", faults.LosesAccountAfterEmptyUpdate),
    ("ROBUST-CONTENT-TYPE", faults.AnyContentTypeIsJson),
    ("ROBUST-METHOD", faults.PostActsAsPut),
]


@pytest.mark.parametrize(("requirement_id", "fault"), CASES)
def test_each_robustness_scenario_catches_its_fault(requirement_id: str, fault: type) -> None:
    assert_catches(requirement_id, fault(), max_examples=20)


class CountedNulls(faults.NullIsNotSent):
    """null taken as not sent, counting the three places the catalog names as they arrive."""

    def __init__(self) -> None:
        super().__init__()
        self.places: set[str] = set()

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        document = req.document()
        if req.method == "PUT" and req.auth == self.owner:
            billing = document.get("billing", {}) if isinstance(document, dict) else {}
            if document is None and req.body.strip() == b"null":
                self.places.add("body")
            elif billing is None:
                self.places.add("billing")
            elif isinstance(billing, dict) and None in billing.values():
                self.places.add("billing field")
        return super().request(req)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_null_taken_as_not_sent_passes_robust_invalid_rejected_on_every_seed(seed: int) -> None:
    server = CountedNulls()
    result = judge_scenario("ROBUST-INVALID-REJECTED", server, max_examples=25, seed=seed)
    assert server.places == {"body", "billing", "billing field"}  # each case arose
    assert result.status is Status.PASSED, result.failures


def test_a_stored_null_fails_robust_invalid_rejected_naming_the_field() -> None:
    result = judge_scenario("ROBUST-INVALID-REJECTED", faults.StoresNull(), max_examples=25)
    assert result.status is Status.FAILED
    assert "changed what it sent null for (billing." in result.failures[0].message
