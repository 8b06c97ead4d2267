"""A run that writes leaves the account as it found it, even when it fails or is interrupted."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import httpx
import pytest

from conformance.context import Options
from conformance.results import RequirementResult
from conformance.runner import INTERRUPTED, RunConfig, run
from conformance.safety import restore, take_snapshot
from conformance.server import faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS
from conformance.server.store import DEFAULT_ACCOUNT
from conformance.transport import Target


class InterruptAt:
    """A runner observer that presses Ctrl-C when a given scenario starts."""

    def __init__(self, requirement_id: str) -> None:
        self.requirement_id = requirement_id

    def started(self, scenarios: int) -> None: ...

    def scenario_started(self, requirement_id: str) -> None:
        if requirement_id == self.requirement_id:
            raise KeyboardInterrupt

    def scenario_finished(self, result: RequirementResult, requests: int) -> None: ...


def test_an_interrupted_run_restores_billing_and_still_has_a_result() -> None:
    fault = faults.Fault()
    with BackgroundServer(fault) as server:
        config = RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=Options(max_examples=5, seed=1))
        result = run(config, observer=InterruptAt("UPD-MERGE"))  # after updates were applied
    assert fault.store.account() == DEFAULT_ACCOUNT
    assert result.stopped == INTERRUPTED and result.verdict == "error" and result.restored is True
    statuses = {entry.requirement.id: entry.status.value for entry in result.requirements}
    assert statuses["UPD-APPLIES"] == "passed" and statuses["UPD-MERGE"] == statuses["ROBUST-METHOD"] == "errored"


def test_an_interrupt_python_lost_stops_the_run_at_its_next_request_and_billing_is_restored() -> None:
    fault = faults.Fault()
    asked: list[int] = []

    def pressed() -> bool:  # Ctrl-C came after 100 requests, and its KeyboardInterrupt was lost
        asked.append(1)
        return len(asked) > 100

    with BackgroundServer(fault) as server:
        options = Options(max_examples=5, seed=1)
        result = run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=options, interrupted=pressed))
    assert result.stopped == INTERRUPTED and result.restored is True
    assert fault.store.account() == DEFAULT_ACCOUNT
    assert 100 <= result.requests <= 100 + 4  # stopped at once, then the account was put back


def test_a_failing_run_restores_billing_and_says_so() -> None:
    fault = faults.ReplacesBilling()
    with BackgroundServer(fault) as server:
        config = RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=Options(max_examples=5, seed=1))
        result = run(config)
    assert result.restored is True
    assert fault.store.account()["billing"] == DEFAULT_ACCOUNT["billing"]


def test_fields_the_run_added_are_emptied_on_restore() -> None:
    sparse = copy.deepcopy(DEFAULT_ACCOUNT)
    sparse["billing"] = {"first_name": "Only"}
    from conformance.server import ServerSettings

    fault = faults.Fault(ServerSettings(account=sparse))
    with BackgroundServer(fault) as server:
        run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=Options(max_examples=5, seed=1)))
    billing = fault.store.account()["billing"]
    assert billing["first_name"] == "Only"
    assert all(value == "" for name, value in billing.items() if name not in ("first_name", "cycle"))


def test_the_pytest_plugin_runs_one_test_per_requirement() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance",
            "--chat-max-examples",
            "5",
            "-q",
            "-p",
            "no:cacheprovider",
            "-n",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-2000:]
    assert "27 passed, 2 skipped" in out.stdout


# --- restoring whatever state the target is left in ------------------------------------------------------

ORIGINAL = {"first_name": "Jonathan", "city": "West Fiction"}


class Account:
    """A target double for `restore`: answers GET and PUT as told, and remembers what was PUT."""

    def __init__(self, now: object, after_put: object = None, put_status: int = 200, down: bool = False) -> None:
        self.reads = [now, after_put]
        self.put_status, self.down = put_status, down
        self.put: dict | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        if request.method == "PUT":
            self.put = json.loads(request.content)
            return httpx.Response(self.put_status, json={})
        read = self.reads.pop(0) if len(self.reads) > 1 else self.reads[0]
        return read if isinstance(read, httpx.Response) else httpx.Response(200, json=read)


def _restore(account: Account, snapshot_billing: dict = ORIGINAL) -> object:
    target = Target("http://t.example", {"owner": "restore-token"}, transport=httpx.MockTransport(account))
    return restore(target, {"billing": snapshot_billing})


@pytest.mark.parametrize(
    "now",
    [
        {"billing": None},  # billing null
        {"account_key": "k"},  # billing missing
        httpx.Response(500, text="<h1>Oops</h1>"),  # the account unreadable
    ],
    ids=["billing-null", "billing-missing", "unreadable"],
)
def test_billing_is_put_back_whatever_the_account_looks_like_now(now: object) -> None:
    account = Account(now, after_put={"billing": ORIGINAL})
    outcome = _restore(account)
    assert account.put == {"billing": ORIGINAL}
    assert outcome.succeeded and outcome.needed  # type: ignore[attr-defined]


def test_a_restore_that_cannot_be_confirmed_says_so() -> None:
    outcome = _restore(Account({"billing": {"city": "Elsewhere"}}, after_put=httpx.Response(500)))
    assert not outcome.succeeded and "could not be read back" in outcome.message  # type: ignore[attr-defined]


def test_a_restore_that_did_not_take_names_the_fields() -> None:
    changed = {"first_name": "Jonathan", "city": "Elsewhere"}
    outcome = _restore(Account({"billing": changed}, after_put={"billing": changed}, put_status=422))
    assert not outcome.succeeded  # type: ignore[attr-defined]
    assert "got 422" in outcome.message and "still differ from before the run: city" in outcome.message  # type: ignore[attr-defined]


def test_a_target_that_is_gone_is_reported_not_raised() -> None:
    outcome = _restore(Account(None, down=True))
    assert not outcome.succeeded and "gave no answer" in outcome.message  # type: ignore[attr-defined]


def test_a_snapshot_reads_null_billing_as_empty_so_the_run_can_empty_what_it_adds() -> None:
    answer = httpx.MockTransport(lambda request: httpx.Response(200, json={"account_key": "k", "billing": None}))
    target = Target("http://t.example", {"owner": "restore-token"}, transport=answer)
    assert take_snapshot(target) == {"account_key": "k", "billing": {}}


def test_an_account_left_as_found_is_not_written_and_says_so() -> None:
    account = Account({"billing": ORIGINAL})
    outcome = _restore(account)
    assert account.put is None  # nothing sent: there was nothing to put back
    assert not outcome.needed and outcome.succeeded  # type: ignore[attr-defined]
    assert outcome.message == "the account was left as found"  # type: ignore[attr-defined]


def test_a_restore_the_target_never_answers_says_whether_the_put_was_answered() -> None:
    # The target answers the read, then nothing: the message says no PUT was answered.
    class Silent(Account):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PUT":
                raise httpx.ConnectError("connection refused")
            return super().__call__(request)

    outcome = _restore(Silent({"billing": {"city": "Elsewhere"}}))
    assert not outcome.succeeded  # type: ignore[attr-defined]
    assert "the target gave no answer (" in outcome.message and "after the restoring PUT" not in outcome.message  # type: ignore[attr-defined]


def test_a_restore_past_the_budget_is_reported_not_raised() -> None:
    account = Account({"billing": {"city": "Elsewhere"}})
    target = Target("http://t.example", {"owner": "restore-token"}, transport=httpx.MockTransport(account), limit=1)
    outcome = restore(target, {"billing": ORIGINAL})  # the read fits the budget, the PUT does not
    assert not outcome.succeeded and outcome.needed
    assert "within the --max-requests budget" in outcome.message and account.put is None
