"""A run of the embedded server on two cores: some rules judged in a forked process beside the rest.

Each process has a reference server and an account of its own, so neither sees the other's writes,
and each property's examples come from the seed alone, so a rule is judged as it is in one process.
The rules that draw from the description go to the worker: schemathesis takes a second to start
and draws slowest, about as long as the other rules take together. Only the embedded server is
split: a real account is one account, whose rules are judged one after another.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.described import DRAWS_FROM_DESCRIPTION  # the worker's

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from conformance.checks import Scenario
    from conformance.progress import Observer
    from conformance.results import RequirementResult

STOP_WAIT_S = 10.0  # for an interrupted worker to hand over what it judged


@dataclass
class Part:
    """What a worker judged: its scenarios' results and the response checks' on its exchanges."""

    results: dict[str, RequirementResult] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)  # the scenarios it ran (or skipped)
    requests: int = 0
    stopped: str | None = None  # why it ended early, as for a whole run
    resent: int = 0  # as RunResult.resent


def usable() -> int:
    """How many processes a default run uses: two where two cores are there to run them."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 if cores >= 2 else 1


def split(scenarios: Sequence[Scenario]) -> tuple[list[Scenario], list[Scenario]]:
    """The scenarios this process runs, and the worker's; each keeps the run's order."""
    mine = [s for s in scenarios if s.requirement_id not in DRAWS_FROM_DESCRIPTION]
    theirs = [s for s in scenarios if s.requirement_id in DRAWS_FROM_DESCRIPTION]
    return mine, theirs


class _Relay:
    """The worker's observer: sends each finished scenario to the parent, which draws the progress."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def started(self, scenarios: int) -> None:
        pass

    def scenario_started(self, requirement_id: str) -> None:
        pass

    def scenario_finished(self, result: RequirementResult, requests: int) -> None:
        self._connection.send(("finished", result, requests))


Job = Callable[["Observer", Callable[[], bool]], Part]  # given the relay, and whether to stop


def _work(job: Job, connection: Connection, stop: Any, parent: int) -> None:
    # Only the parent stops the worker, through `stop`, which the worker asks before each request.
    # A signal would raise KeyboardInterrupt wherever the worker is, and inside a garbage-collector
    # callback it would be lost; Ctrl-C at a terminal reaches the parent too, which passes it on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

    def told_to_stop() -> bool:
        return stop.is_set() or os.getppid() != parent  # a parent killed outright stops it as well

    try:
        message: tuple = ("part", job(_Relay(connection), told_to_stop))
    except BaseException as error:  # whatever it was, the parent must hear of it
        message = ("crashed", "".join(traceback.format_exception_only(error)).strip())
    try:
        connection.send(message)
    except OSError:
        pass  # the parent is gone: nobody is left to tell
    finally:
        connection.close()


class Worker:
    """A forked process running `job`; its progress and its Part come back over a pipe."""

    def __init__(self, process: Any, connection: Connection, stop: Any, scenarios: Sequence[Scenario]) -> None:
        self._process = process
        self._connection = connection
        self._stop = stop
        self.scenarios = [s.requirement_id for s in scenarios]
        self._part: Part | None = None
        self._crash: str | None = None
        self._messages: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        self._reader = threading.Thread(target=self._read, name="chat-conformance-worker-pipe", daemon=True)
        self._reader.start()

    @classmethod
    def fork(cls, scenarios: Sequence[Scenario], job: Job) -> Worker:
        import multiprocessing  # only where a worker is started: a replay and a URL run start none

        context = multiprocessing.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        stop = context.Event()
        arguments = (job, sending, stop, os.getpid())
        process = context.Process(target=_work, args=arguments, name="chat-conformance-worker", daemon=True)
        process.start()
        sending.close()  # so that the pipe ends when the worker does
        return cls(process, receiving, stop, scenarios)

    def _read(self) -> None:
        """The pipe, read in a thread of its own: Ctrl-C, raised in the main thread, never cuts a message in half."""
        while True:
            try:
                message = self._connection.recv()
            except (EOFError, OSError):
                self._messages.put(("ended",))
                return
            self._messages.put(message)
            if message[0] != "finished":
                return

    def relay(self, observer: Observer | None, *, wait: float = 0.0) -> bool:
        """Pass on what the worker has said so far, waiting up to `wait` for more; True once it has said its last."""
        while self._part is None and self._crash is None:
            try:
                message = self._messages.get(timeout=wait) if wait > 0 else self._messages.get_nowait()
            except queue.Empty:
                break
            if message[0] == "finished" and observer is not None:
                _, result, requests = message
                observer.scenario_started(result.requirement.id)
                observer.scenario_finished(result, requests)
            elif message[0] == "part":
                self._part = message[1]
            elif message[0] == "crashed":
                self._crash = message[1]
            elif message[0] == "ended":
                self._process.join(STOP_WAIT_S)
                self._crash = f"it ended without a result (exit code {self._process.exitcode})"
        return self._part is not None or self._crash is not None

    def finish(self, observer: Observer | None, *, interrupted: bool = False) -> Part:
        """The worker's Part, once it is done; an interrupted run stops the worker too."""
        if interrupted:
            self._stop.set()
        while not self.relay(observer, wait=STOP_WAIT_S if interrupted else 1.0):
            if interrupted:
                self._crash = "it did not hand over its results in time"
                break
        self.close()
        if self._part is not None:
            return self._part
        return Part(stopped=f"the worker process judging {', '.join(self.scenarios)} failed: {self._crash}")

    def close(self) -> None:
        if self._process.is_alive():
            self._stop.set()
            self._process.join(STOP_WAIT_S)
        if self._process.is_alive():
            self._process.kill()  # it ignores SIGTERM (see _work)
            self._process.join()
        self._connection.close()


class Relaying:
    """This process's observer, also told of the worker's progress each time a scenario here ends."""

    def __init__(self, observer: Observer | None, worker: Worker) -> None:
        self._observer = observer
        self._worker = worker

    def started(self, scenarios: int) -> None:
        if self._observer is not None:
            self._observer.started(scenarios)

    def scenario_started(self, requirement_id: str) -> None:
        if self._observer is not None:
            self._observer.scenario_started(requirement_id)

    def scenario_finished(self, result: RequirementResult, requests: int) -> None:
        if self._observer is not None:
            self._observer.scenario_finished(result, requests)
        self._worker.relay(self._observer)
