"""A run of the embedded server in two processes judges every rule as one process does, and ends cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance import catalog, checks, described, forking, runner, workers
from conformance.context import Options
from conformance.failures import Failure
from conformance.progress import Observer
from conformance.results import MAX_FAILURES_KEPT, RequirementResult, SuiteError
from conformance.runner import INTERRUPTED, RunConfig, run

# Run in a process of its own: a worker is only forked from a process with no other thread, and
# pytest's may have some. The two-process run goes first, before any server thread exists.
TWO_AND_ONE = """
import json
from conformance import checks, workers
from conformance.context import Options
from conformance.runner import RunConfig, run

forked = []
fork = workers.Worker.fork.__func__

def counted(cls, scenarios, job):
    forked.append(len(scenarios))
    return fork(cls, scenarios, job)

workers.Worker.fork = classmethod(counted)
scenario_ids = {scenario.requirement_id for scenario in checks.SCENARIOS}

def judged(count):
    result = run(RunConfig(options=Options(seed=7, max_examples=8), workers=count))
    statuses = {entry.requirement.id: entry.status.value for entry in result.requirements}
    sent = {e.requirement.id: e.exercised for e in result.requirements if e.requirement.id in scenario_ids}
    return {"statuses": statuses, "sent": sent, "requests": result.requests, "stopped": result.stopped}

print(json.dumps({"two": judged(2), "one": judged(1), "forked": forked}))
"""


def test_two_processes_judge_every_rule_as_one_does() -> None:
    out = subprocess.run([sys.executable, "-c", TWO_AND_ONE], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["forked"] == [len(workers.DRAWS_FROM_DESCRIPTION)]  # once, with those rules, in the first run
    two, one = found["two"], found["one"]
    assert two["stopped"] is None and one["stopped"] is None
    assert two["statuses"] == one["statuses"]
    assert set(two["statuses"].values()) == {"passed", "skipped"}
    # A scenario sends as many requests, give or take one that depends on what the account holds
    # (each process's account has seen only its own scenarios' writes).
    assert all(abs(two["sent"][id_] - one["sent"][id_]) <= 2 for id_ in one["sent"])
    # The worker reads (and puts back) the account of its own server as well.
    assert abs(two["requests"] - one["requests"]) <= 10


def test_the_worker_takes_the_rules_that_draw_from_the_description() -> None:
    drawing: set[str] = set()
    modes: dict[str, set[str]] = {}
    current = {"id": ""}

    class Watching:
        def started(self, scenarios: int) -> None:
            pass

        def scenario_started(self, requirement_id: str) -> None:
            current["id"] = requirement_id

        def scenario_finished(self, result: RequirementResult, requests: int) -> None:
            pass

    sample = described.sample

    def watched(mode: str) -> object:
        drawing.add(current["id"])
        modes.setdefault(current["id"], set()).add(mode)
        return sample(mode)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(described, "sample", watched)
        # Every property drawn in this process, as beside pytest's threads: a pool drawn in a forked
        # process would draw the properties that sample it there (conformance.ahead).
        patch.setattr(forking, "can_fork", lambda: False)
        for support_created in (False, True):
            run(RunConfig(options=Options(seed=3, support_created=support_created), workers=1), Watching())
    assert drawing == set(workers.DRAWS_FROM_DESCRIPTION)
    assert {id_ for id_, sampled in modes.items() if sampled == {"positive"}} == described.DRAWS_VALID_ONLY
    mine, theirs = workers.split(checks.SCENARIOS)
    assert {s.requirement_id for s in theirs} == workers.DRAWS_FROM_DESCRIPTION
    assert len(mine) + len(theirs) == len(checks.SCENARIOS)


def _part(observer: Observer, stop: Callable[[], bool]) -> workers.Part:
    result = RequirementResult(catalog.requirements()[0])
    observer.scenario_finished(result, 3)
    return workers.Part({result.requirement.id: result}, {result.requirement.id}, 3, None)


class Seen:
    def __init__(self) -> None:
        self.finished: list[tuple[str, int]] = []

    def started(self, scenarios: int) -> None:
        pass

    def scenario_started(self, requirement_id: str) -> None:
        pass

    def scenario_finished(self, result: RequirementResult, requests: int) -> None:
        self.finished.append((result.requirement.id, requests))


def test_a_worker_hands_over_its_progress_and_its_part() -> None:
    seen = Seen()
    part = workers.Worker.fork(checks.SCENARIOS[:1], _part).finish(seen)
    first = catalog.requirements()[0].id
    assert seen.finished == [(first, 3)]
    assert part.done == {first} and part.requests == 3 and part.stopped is None


def _crashes(observer: Observer, stop: Callable[[], bool]) -> workers.Part:
    raise RuntimeError("a check broke")


def _vanishes(observer: Observer, stop: Callable[[], bool]) -> workers.Part:
    os._exit(7)


@pytest.mark.parametrize(("job", "why"), [(_crashes, "RuntimeError: a check broke"), (_vanishes, "exit code 7")])
def test_a_worker_that_fails_leaves_a_reason_for_its_rules(job: object, why: str) -> None:
    part = workers.Worker.fork(checks.SCENARIOS[:2], job).finish(None)  # type: ignore[arg-type]
    assert part.done == set() and part.stopped is not None
    assert why in part.stopped
    assert all(s.requirement_id in part.stopped for s in checks.SCENARIOS[:2])


def _until_stopped(observer: Observer, stop: Callable[[], bool]) -> workers.Part:
    deadline = time.monotonic() + 60
    while not stop() and time.monotonic() < deadline:
        time.sleep(0.01)
    return workers.Part(stopped=INTERRUPTED if stop() else None)


def test_an_interrupted_run_stops_its_worker_and_gets_what_it_judged() -> None:
    worker = workers.Worker.fork(checks.SCENARIOS[:1], _until_stopped)
    time.sleep(0.3)
    started = time.monotonic()
    assert worker.finish(None, interrupted=True).stopped == INTERRUPTED
    assert time.monotonic() - started < 5


def test_only_the_parent_stops_the_worker_not_a_signal() -> None:
    # A signal could land inside a garbage-collector callback, where its KeyboardInterrupt is lost.
    worker = workers.Worker.fork(checks.SCENARIOS[:1], _until_stopped)
    time.sleep(0.3)
    for signum in (signal.SIGINT, signal.SIGTERM):
        os.kill(worker._process.pid, signum)
    time.sleep(0.3)
    assert not worker.relay(None)  # still at work, having said nothing yet
    assert worker.finish(None, interrupted=True).stopped == INTERRUPTED


def test_an_interrupt_while_waiting_for_the_worker_interrupts_it_and_the_run() -> None:
    worker = workers.Worker.fork(checks.SCENARIOS[:1], _until_stopped)

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        part, stopped = runner._gather(worker, None, None)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert stopped == INTERRUPTED and part.stopped == INTERRUPTED


def test_a_rule_judged_in_two_processes_adds_up() -> None:
    requirement = catalog.requirements()[0]
    here, there = RequirementResult(requirement, exercised=10), RequirementResult(requirement, exercised=5)
    for letter in "abcd":  # distinct failures: a number in a message does not make one
        here.fail(Failure(f"here {letter}"))
    for letter in "abc":
        there.fail(Failure(f"there {letter}"))
    there.could_not_judge(SuiteError("a check broke"))
    there.notes.append("1 example got no complete answer")
    here.absorb(there)
    assert here.exercised == 15 and here.failure_count == 7
    assert [f.message for f in here.failures] == ["here a", "here b", "here c", "here d", "there a"]
    assert len(here.failures) == MAX_FAILURES_KEPT and here.distinct_failures == 7
    assert here.error == SuiteError("a check broke") and here.notes == ["1 example got no complete answer"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the forked worker in Linux's /proc")
@pytest.mark.parametrize("whole_group", [True, False], ids=["ctrl-c", "kill-int"])
def test_an_interrupted_two_process_run_ends_at_once_saying_so(tmp_path: Path, whole_group: bool) -> None:
    report = tmp_path / "r.json"
    # Enough examples that the run is still going when the signal comes, however fast the machine.
    run = ["run", "--workers", "2", "--max-examples", "500", "--json", str(report)]
    command = [sys.executable, "-m", "conformance", *run]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    # Started as a terminal starts it, Ctrl-C heard: a job a shell puts in the background (a CI
    # runner's, say) inherits SIGINT ignored, and the command keeps it so, as it should.
    heard = signal.signal(signal.SIGINT, signal.default_int_handler)  # a handler: SIG_DFL past exec
    try:
        process = subprocess.Popen(command, text=True, start_new_session=True, **pipes)
    finally:
        signal.signal(signal.SIGINT, heard)
    try:
        assert process.stderr is not None
        assert "this run sends" in process.stderr.readline()  # printed before the worker is forked
        worker = _forked_child(process.pid)
        assert worker is not None, "no worker was forked: the run went on in one process"
        time.sleep(1.0)
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C does: every process of the run
        else:
            process.send_signal(signal.SIGINT)  # the parent alone, which passes it on
        started = time.monotonic()
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:  # a run that did not end must not outlive its test
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert time.monotonic() - started < 10, stderr[-2000:]
    assert "interrupted" in stderr and "Traceback" not in stdout + stderr
    assert json.loads(report.read_text())["verdict"] == "error"
    assert not _running(worker), "the worker outlived the run"


def _forked_child(parent: int, wait_s: float = 20.0) -> int | None:
    """A child of `parent` running what it runs (forked, not started afresh), once there is one."""
    command = Path(f"/proc/{parent}/cmdline").read_bytes()
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
                if ppid == parent and (stat.parent / "cmdline").read_bytes() == command:
                    return int(stat.parent.name)
            except (OSError, IndexError, ValueError):
                continue  # a process that ended while it was read
        time.sleep(0.05)
    return None


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_target_of_ones_own_is_never_split() -> None:
    config = RunConfig(base_url="http://127.0.0.1:9", options=Options(max_examples=1), timeout=0.5, workers=2)
    forked: list[object] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forking, "can_fork", lambda: True)
        patch.setattr(described.Pool, "start", lambda pool, job=None: None)  # no fork beside pytest's threads
        patch.setattr(workers.Worker, "fork", lambda *args: forked.append(args))
        result = run(config)
    assert forked == [] and "could not be reached" in (result.stopped or "")
