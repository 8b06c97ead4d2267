"""A run that writes leaves the account as it found it, even when it fails or is interrupted."""

from __future__ import annotations

import copy
import subprocess
import sys

import faults

from conformance.context import Options
from conformance.results import RequirementResult
from conformance.runner import INTERRUPTED, RunConfig, run
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS
from conformance.server.store import DEFAULT_ACCOUNT


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
    assert "25 passed, 2 skipped" in out.stdout
