"""`--max-requests`: a run says what it will cost, never sends more, and still catches every fault.

A budget spends itself on the coverage of every rule first (conformance.coverage), so that 150
requests, what a Zendesk Team plan's 200 a minute leaves the account's own integrations, still
name every fault the reference server plays and every fault planted in the zoo by its rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SEED, TOKEN_ARGS, failed, run_suite, zoo_member
from servers import Counting
from test_faults import FAULTS, VARIANTS, served
from test_zoo import FAULTS as ZOO_FAULTS

from conformance import budget, cli
from conformance.context import Options
from conformance.results import Status
from conformance.runner import RunConfig, run
from conformance.server import faults
from conformance.server.embedded import BackgroundServer
from conformance.server.store import DEFAULT_ACCOUNT
from interop import zoo

TOKENS = TOKEN_ARGS


def test_the_examples_are_spread_to_fit_the_budget() -> None:
    unbounded = budget.plan(25)
    assert unbounded.max_examples == 25 and unbounded.most > unbounded.planned
    fitted = budget.plan(25, 200)
    assert fitted.most == 200 and fitted.planned <= 200 and 1 <= fitted.max_examples < 25
    assert budget.plan(25, 10).max_examples == 1  # too small for even one example each: the cap decides


@pytest.mark.parametrize("limit", [60, 200])
def test_a_run_never_sends_more_than_its_budget_and_skips_what_it_could_not_reach(
    limit: int, capsys: pytest.CaptureFixture[str]
) -> None:
    server = Counting()
    with BackgroundServer(server) as running:
        code = cli.main(["run", "--base-url", running.url, *TOKENS, "--seed", str(SEED), "--max-requests", str(limit)])
    out = capsys.readouterr()
    assert f"this run sends at most {limit} requests" in out.err
    assert server.count <= limit and code == 0
    assert server.store.account() == DEFAULT_ACCOUNT  # restoring was kept out of the budget
    if limit == 60:
        assert "the --max-requests budget was spent" in out.out  # the later rules are skipped, saying so


# What a Zendesk Team plan leaves a run that shares a 200-a-minute limit with the account's own integrations.
SMALL = 150


@pytest.mark.parametrize(("fault", "expected"), FAULTS, ids=[fault.name() for fault, _ in FAULTS])
def test_every_fault_is_still_caught_by_its_rule_with_150_requests(
    fault: type[faults.Fault], expected: set[str]
) -> None:
    spending = budget.plan(25, SMALL)
    result = run_suite(served(fault.name()), max_examples=spending.max_examples, max_requests=SMALL)
    # The coverage of every rule comes first (conformance.coverage), so none is left unreached.
    assert failed(result) == expected
    assert result.requests <= SMALL


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant.name() for variant in VARIANTS])
def test_a_conformant_server_passes_with_150_requests(variant: type[faults.Fault]) -> None:
    result = run_suite(served(variant.name()), max_requests=SMALL)
    assert failed(result) == set() and result.verdict == "pass"
    skipped = {entry.requirement.id for entry in result.requirements if entry.status is Status.SKIPPED}
    assert skipped <= {"SUPPORT-GET-ONLY", "RATE-RETRY-AFTER"}  # every other rule was reached
    assert result.requests <= SMALL


def test_the_coverage_reaches_every_rule_before_any_draw(capsys: pytest.CaptureFixture[str]) -> None:
    """With the budget the coverage takes, every rule is judged; with less, the run says so up front."""
    server = Counting()
    with BackgroundServer(server) as running:
        args = ["run", "--base-url", running.url, *TOKENS, "--seed", str(SEED)]
        assert cli.main([*args, "--max-requests", str(budget.COVERAGE + budget.RESTORE), "--json", "r.json"]) == 0
        report = json.loads(Path("r.json").read_text())
        assert cli.main([*args, "--max-requests", "60"]) == 0
    skipped = {entry["id"] for entry in report["requirements"] if entry["status"] == "skipped"}
    assert skipped == {"SUPPORT-GET-ONLY", "RATE-RETRY-AFTER"}
    assert "covering every rule takes about" in capsys.readouterr().err


@pytest.mark.parametrize(("member", "fault"), ZOO_FAULTS)
def test_every_planted_zoo_fault_is_still_caught_with_150_requests(member: zoo.Member, fault: zoo.Fault) -> None:
    with zoo_member(member, fault.name) as url:
        options = Options(seed=SEED, max_examples=budget.plan(25, SMALL).max_examples, max_requests=SMALL)
        result = run(RunConfig(base_url=url, tokens=member.tokens, options=options))
    found = {e.requirement.id for e in result.requirements if e.status is Status.FAILED}
    assert fault.breaks <= found <= fault.breaks | fault.may_also | set(member.warns)
    assert result.requests <= SMALL
