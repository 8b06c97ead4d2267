"""`--max-requests`: a run says what it will cost, never sends more, and still catches every fault."""

from __future__ import annotations

import pytest
from conftest import SEED, TOKEN_ARGS, failed, run_suite
from servers import Counting
from test_faults import FAULTS

from conformance import budget, cli
from conformance.server import faults
from conformance.server.embedded import BackgroundServer
from conformance.server.store import DEFAULT_ACCOUNT

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


@pytest.mark.parametrize(("fault", "expected"), FAULTS, ids=[fault.__name__ for fault, _ in FAULTS])
def test_every_fault_is_still_caught_with_200_requests(fault: type[faults.Fault], expected: set[str]) -> None:
    spending = budget.plan(25, 200)
    result = run_suite(fault(), max_examples=spending.max_examples, max_requests=200)
    caught = failed(result)
    # The rule the fault breaks fails; a rule it breaks only as a consequence may not be reached.
    assert caught and caught <= expected and result.requests <= 200
