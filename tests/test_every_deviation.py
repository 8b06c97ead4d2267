"""Every deviation in one run: a rule reports each distinct way a target breaks it, each shrunk.

A server with three distinct deviations of one rule shows all three in one run, in every report;
a passing run draws exactly what it drew before (nothing extra); what a rule keeps is capped and
the rest counted; failures found before the request budget ran out stand.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest
from conftest import SEED, TOKEN_ARGS, failed, run_suite

from conformance import cli
from conformance.context import Options
from conformance.distinct import Deviations, body_faults, describe_faults, kind_of
from conformance.draws import Draws
from conformance.exchange import Credential, Exchange, ReceivedResponse, SentRequest
from conformance.failures import Failure
from conformance.reports.json_report import SCHEMA_PATH
from conformance.results import MAX_FAILURES_KEPT
from conformance.runner import RunConfig, run
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

RULE = "ROBUST-INVALID-REJECTED"
THREE = [  # in the order a run finds them: the coverage's packed bodies first (conformance.coverage)
    "a billing field of type string is an integer",
    "a billing field of type integer is a number in a string",
    "a billing field of type string is a boolean",
]
CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "reference.json"


@pytest.mark.parametrize("seed", [SEED, 1, 7])
def test_one_run_shows_each_of_three_distinct_deviations_of_one_rule(seed: int) -> None:
    result = run_suite(faults.CoercesScalars(), seed=seed, max_examples=Options().max_examples)
    assert failed(result) == {RULE} and result.verdict == "fail"
    entry = result.by_id()[RULE]
    assert sorted(describe_faults(failure) or "" for failure in entry.failures) == sorted(THREE)
    assert entry.distinct_failures == entry.failure_count == 3
    for failure in entry.failures:  # each its smallest reproduction: one field, nothing else
        assert failure.exchange is not None and failure.exchange.status == 200
        body = json.loads(failure.exchange.request.body or "")
        assert list(body) == ["billing"] and len(body["billing"]) == 1


def test_every_report_shows_all_three(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report, junit = tmp_path / "r.json", tmp_path / "r.xml"
    with BackgroundServer(faults.CoercesScalars()) as server:
        args = ["run", "--base-url", server.url, *TOKEN_ARGS, "--seed", str(SEED), "--max-examples", "10"]
        code = cli.main([*args, "--json", str(report), "--junit-xml", str(junit)])
    assert code == 1
    out = capsys.readouterr().out
    assert f"failed   MUST   {RULE:26} 3 distinct failures" in out
    for number, fault in enumerate(THREE, 1):
        assert f"[{number}/3] a PUT whose body breaks the documented types" in out
        assert f"fault: {fault}" in out
    document = json.loads(report.read_text())
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))
    entry = next(item for item in document["requirements"] if item["id"] == RULE)
    assert [failure["fault"] for failure in entry["failures"]] == THREE  # the first found first
    assert entry["distinct_failures"] == entry["failure_count"] == 3
    assert all(failure["curl"].startswith("curl -X PUT") for failure in entry["failures"])
    case = ElementTree.parse(junit).getroot().find(f"testcase[@name='{RULE}']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("message", "").endswith("(and 2 more distinct failures)")
    assert all(f"fault: {fault}" in (failure.text or "") for fault in THREE)


def test_a_passing_run_draws_exactly_what_it_drew_before_every_deviation_was_sought() -> None:
    """The conformant cassette was recorded before: a live run of its seed draws and sends the same."""
    recorded = json.loads(CASSETTE.read_text())["metadata"]["chat_conformance"]
    draws = Draws(DEFAULT_TOKENS)
    options = Options(seed=recorded["seed"], max_examples=recorded["max_examples"])
    with BackgroundServer(create_app()) as server:
        result = run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=options, draws=draws))
    assert result.verdict == "pass" and result.requests == recorded["requests"]
    assert draws.kept == recorded["draws"]


class _Starts:
    """An observer noting how many requests were sent before each rule began."""

    def __init__(self) -> None:
        self.sent = 1  # the snapshot read before the first write
        self.at: dict[str, int] = {}

    def started(self, scenarios: int) -> None:
        pass

    def scenario_started(self, requirement_id: str) -> None:
        self.at.setdefault(requirement_id, self.sent)  # a budgeted run's coverage phase comes first

    def scenario_finished(self, result: object, requests: int) -> None:
        self.sent += requests


def test_a_failure_found_before_the_budget_ran_out_stands() -> None:
    """The budget runs out amid the rule's edge values, after some of them failed: the rule fails."""
    options = Options(seed=SEED, max_examples=1, max_requests=10_000)
    starts = _Starts()
    with BackgroundServer(faults.CoercesScalars()) as server:
        run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=options), starts)
    # The same run again, its budget (less the requests kept to restore the account) spent 6
    # requests into the rule's coverage: after the first wrong types were taken for strings.
    budget = starts.at[RULE] + 6 + 3
    with BackgroundServer(faults.CoercesScalars()) as server:
        cut = run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=replace(options, max_requests=budget)))
    entry = cut.by_id()[RULE]
    assert "--max-requests" in (entry.skip_reason or "")
    assert entry.status.value == "failed" and cut.verdict == "fail"
    found = [describe_faults(failure) for failure in entry.failures]
    assert found and set(found) < set(THREE)  # some, not all: the budget cut the rule short
    assert cut.by_id()["ROBUST-STATE-VALID"].status.value == "skipped"


def _failure(body: str | None, status: int = 200, role: str = "owner", message: str = "a PUT", method: str = "PUT"):
    request = SentRequest(method, "http://example.test/api/v2/chat/account", {}, body)
    return Failure(message, "4xx", str(status), Exchange(Credential(role), request, ReceivedResponse(status, {}, "")))


def test_the_same_deviation_whatever_field_of_a_type_and_whatever_number_a_message_holds() -> None:
    one = _failure('{"billing": {"city": 5}}', message="after a sequence of 2 PUTs")
    other = _failure('{"billing": {"phone": 123, "cycle": 1}, "status": 7}', message="after a sequence of 5 PUTs")
    assert kind_of(one) == kind_of(other)


@pytest.mark.parametrize(
    "other",
    [
        _failure('{"billing": {"city": true}}'),  # another kind of value
        _failure('{"billing": {"cycle": "12"}}'),  # another part of the body
        _failure('{"billing": {"city": 5}}', status=500),  # another status class
        _failure('{"billing": {"city": 5}}', role="admin"),  # another role
        _failure('{"billing": {"city": 5}}', message="a PUT, yet the account changed"),  # another way to fail
        _failure(None, method="GET"),
    ],
)
def test_a_distinct_deviation_differs_in_what_matters(other: Failure) -> None:
    assert kind_of(_failure('{"billing": {"city": 5}}')) != kind_of(other)


@pytest.mark.parametrize(
    ("body", "faults"),
    [
        ("null", {("body", "null")}),
        ('{"billing": null}', {("billing", "null")}),
        ('{"billing": {"email": null}}', {("a billing field of type string", "null")}),
        ('{"billing": {"cycle": 1.0}}', set()),  # an integer, as JSON Schema counts them
        ('{"billing": {"cycle": 1.5}}', {("a billing field of type integer", "number")}),
        ('{"billing": {"unknown": 1}, "plan": 5}', set()),  # unknown and read-only fields may be ignored
        ("{billing:", {("body", "not JSON")}),
        ("", {("body", "empty")}),
    ],
)
def test_the_part_of_the_body_at_fault(body: str, faults: set[tuple[str, str]]) -> None:
    assert body_faults(body) == faults


def test_each_deviation_keeps_its_smallest_reproduction_in_the_place_it_was_first_found() -> None:
    found = Deviations(cap=3)
    found.add(_failure('{"billing": {"address1": 5, "city": "x"}}'))
    found.add(_failure('{"billing": {"city": true}}'))
    found.add(_failure('{"billing": {"city": 5}}'))  # smaller, the same deviation as the first
    found.add(_failure('{"billing": {"city": 5, "cycle": "1"}}'))  # the first again, with another fault
    assert [failure.exchange.request.body for failure in found if failure.exchange] == [
        '{"billing": {"city": 5}}',
        '{"billing": {"city": true}}',
    ]
    assert found.seen == 4 and found.distinct == 2


def test_a_smaller_reproduction_with_fewer_faults_takes_the_place_of_one_with_more() -> None:
    found = Deviations(cap=3)
    found.add(_failure('{"billing": {"city": 5, "cycle": "1"}}'))
    found.add(_failure('{"billing": {"cycle": "1"}}'))
    assert [describe_faults(failure) for failure in found] == [THREE[1]]  # the number in a string


def test_deviations_past_the_cap_are_counted_not_kept() -> None:
    found = Deviations(cap=MAX_FAILURES_KEPT)
    for value in ("1", "true", "null", "[]", "{}", "1.5", '"1"'):
        found.add(_failure(f'{{"billing": {{"city": {value}}}}}'))
    found.add(_failure('{"billing": {"city": 2}}'))  # a repeat of one kept
    found.add(_failure('{"billing": {"city": 2.5}}'))  # a repeat of one past the cap
    assert len(found.kept) == MAX_FAILURES_KEPT and found.distinct == 7 and found.seen == 9


def test_a_scenario_s_own_probes_each_report_their_failure() -> None:
    """AUTH-MISSING's two probes: GET served as the admin (200) and PUT refused as the admin's (403)."""
    result = run_suite(faults.MissingCredentialsAsAdmin())
    entry = result.by_id()["AUTH-MISSING"]
    shown = [(failure.message, failure.exchange.status if failure.exchange else None) for failure in entry.failures]
    assert shown == [("GET without credentials", 200), ("PUT without credentials", 403)]
    assert result.verdict == "fail"
