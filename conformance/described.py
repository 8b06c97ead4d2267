"""The requests schemathesis draws from the description, drawn ahead of the rules that send them.

Loading schemathesis and drawing from it (it mutates the description for each invalid request) is
most of what a run against a URL target costs the suite itself: about 0.9 s of 2. What it draws
depends on the seed and the number of examples alone, so a forked process draws a pool of PUTs,
valid and invalid, while this one judges the rules that send none (they run first, see runner);
against a URL target it is forked as soon as the command has read its options (`start_early`).
A property then samples the pool, and shrinks towards its first requests, hypothesis's simplest.
Where forking is not safe (another thread, no fork on the platform), or the process fails, the
same pool is drawn here, when it is first needed: a seed sends the same requests either way.
"""

from __future__ import annotations

import base64
import contextlib
import gc
import json
import os
import signal
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from conformance import collector, forking
from conformance.lazy import strategies as st

# The rest of the suite is imported where it is used: the command forks the process drawing the
# pool as soon as it has read its options (`start_early`), and both import the rest after that.
if TYPE_CHECKING:
    from typing import IO

    from conformance.generation import GeneratedRequest

MODES = ("positive", "negative")  # schemathesis's: valid against the description, or not

# The scenarios whose properties send requests from the pool (a test keeps the list right).
DRAWS_FROM_DESCRIPTION = frozenset(
    {
        "AUTH-MISSING",
        "AUTH-INVALID",
        "ROLE-PUT-ADMIN",
        "ROLE-PUT-AGENT",
        "SUPPORT-GET-ONLY",
        "ROBUST-INVALID-REJECTED",
        "ROBUST-STATE-VALID",
    }
)
# Those of them that send valid PUTs only: they run first, as the pool's valid PUTs come first.
DRAWS_VALID_ONLY = frozenset({"ROLE-PUT-ADMIN", "ROLE-PUT-AGENT", "SUPPORT-GET-ONLY"})
# Of the others, the one that sends most before it samples the pool (some fifty bodies the docs
# refuse, its coverage and edge values, each sent and read back): it comes first among them, and
# sends those while the invalid PUTs are still being drawn, which the run would otherwise wait on.
INVALID_FIRST = "ROBUST-INVALID-REJECTED"


@cache
def schema() -> Any:
    """The description loaded by schemathesis (the base URL is a placeholder: it never sends).

    schemathesis is imported here, not above: a replay draws nothing and need not load it.
    """
    import schemathesis

    from conformance import spec

    schema = schemathesis.openapi.from_dict(spec.load())
    schema.config.update(base_url="http://conformance.invalid")
    # Credentials are the suite's to choose (each rule sends its roles' own), so schemathesis draws
    # none: a negative case is then always a broken body, never a valid one with a broken header.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def _to_request(case: Any, mode: str) -> GeneratedRequest:
    from schemathesis.core import NotSet

    from conformance.generation import GeneratedRequest

    body = case.body
    if isinstance(body, NotSet):
        return GeneratedRequest("PUT", mode, None, None)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return GeneratedRequest("PUT", mode, content, case.media_type)


def puts(mode: str) -> st.SearchStrategy[GeneratedRequest]:
    """schemathesis's own strategy for the PUT, valid (`positive`) or not (`negative`)."""
    from schemathesis import GenerationMode

    from conformance import spec

    operation = schema()[spec.ACCOUNT_PATH]["PUT"]
    generation_mode = GenerationMode.POSITIVE if mode == "positive" else GenerationMode.NEGATIVE
    return operation.as_strategy(generation_mode=generation_mode).map(lambda case: _to_request(case, mode))


def _never() -> bool:
    return False


# Asked between two draws: drawing a pool takes seconds, with no request between whose check
# (Target's `interrupted`) would stop it. Only a worker sets it: it ignores Ctrl-C and is told to
# stop by its parent instead (conformance.workers); elsewhere Ctrl-C interrupts drawing itself.
_told_to_stop: Callable[[], bool] = _never


@contextlib.contextmanager
def stop_drawing_when(told: Callable[[], bool]) -> Iterator[None]:
    """Inside, `draw` ends as an interrupt would (KeyboardInterrupt) once `told()` is true."""
    global _told_to_stop
    _told_to_stop = told
    try:
        yield
    finally:
        _told_to_stop = _never


def draw(seed: int, size: int, mode: str) -> list[GeneratedRequest]:
    """The first `size` PUTs hypothesis draws from `puts(mode)` with `seed`: the same on every machine."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    from conformance.seeding import seed_alone_decides

    drawn: list[GeneratedRequest] = []
    every_check_off = list(HealthCheck)

    @seeded(seed)
    @settings(
        max_examples=size, database=None, deadline=None, phases=[Phase.generate], suppress_health_check=every_check_off
    )
    @given(puts(mode))
    def keep(request: GeneratedRequest) -> None:
        if _told_to_stop():
            raise KeyboardInterrupt  # hypothesis lets it through, and the run ends as interrupted
        drawn.append(request)

    with seed_alone_decides():
        keep()
    return drawn


class Pool:
    """The PUTs of one run's seed and size, drawn in a forked process (`start`) or here when asked.

    The forked process sends each mode as soon as it is drawn, valid PUTs first: the rules that
    send only those (DRAWS_VALID_ONLY, run first) need not wait for the invalid ones. What it does
    is its `job`'s to say: the job of conformance.ahead also draws the examples of the properties
    that sample the pool, once it is told what the run is (`tell`), and says them (`hear_also`).
    """

    def __init__(self, seed: int, size: int) -> None:
        self.seed, self.size = seed, max(1, size)
        self._drawn: dict[str, list[GeneratedRequest]] = {}
        # Its pid, the end of the pipe this process reads, and the end of the one it writes.
        self._child: tuple[int, Any, Any] | None = None
        self.hear_also: Callable[[str, Any], None] | None = None  # what it says beside the PUTs

    def start(self, job: Job | None = None) -> None:
        """Start drawing in a forked process, as `job` says: only where forking is safe (`forking.can_fork`)."""
        if self._drawn or self._child is not None:
            return
        # Freezing what is loaded spares both processes the collector's passes over it, and the
        # child's pages stay shared (the gc module's advice before a fork).
        gc.freeze()
        reading, writing = os.pipe()
        told, telling = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(reading)
            os.close(telling)
            self._draw_for_parent(writing, told, job or draw_modes)
        os.close(writing)
        os.close(told)
        self._child = (child, os.fdopen(reading, "rb"), os.fdopen(telling, "wb"))

    def _draw_for_parent(self, writing: int, told: int, job: Job) -> None:
        # Ctrl-C is the parent's to handle: it stops this process once it no longer needs it.
        global _current
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _current = self  # the pool its properties sample
        status = 1
        try:
            _load_for_drawing()
            with os.fdopen(writing, "wb") as pipe, os.fdopen(told, "rb") as run:

                def send(line: dict[str, Any]) -> None:
                    pipe.write(json.dumps(line).encode() + b"\n")
                    pipe.flush()

                job(self, run, send)
            status = 0
        finally:
            os._exit(status)  # nothing of the parent's (its buffers, its exit handlers) is the child's to run

    @property
    def drawn(self) -> dict[str, list[GeneratedRequest]]:
        return self._drawn

    @property
    def forked(self) -> bool:
        """Whether a forked process is drawing for this pool (and may draw its properties' examples)."""
        return self._child is not None

    def draw_mode(self, mode: str) -> list[Any]:
        """In the forked process: draw the PUTs of `mode`, kept here too; as the parent is sent them."""
        self._drawn[mode] = draw(self.seed, self.size, mode)
        return [_encode(request) for request in self._drawn[mode]]

    def tell(self, said: dict[str, Any]) -> bool:
        """Send the forked process one line (its job reads it); whether it was sent.

        Only a line that goes whole into a pipe's buffer: this process never waits on one that
        may itself be waiting for this one to read what it writes.
        """
        line = json.dumps(said).encode() + b"\n"
        if self._child is None or len(line) > MOST_TOLD:
            return False
        try:
            self._child[2].write(line)
            self._child[2].flush()
        except OSError:  # it has ended
            return False
        return True

    def requests(self, mode: str) -> list[GeneratedRequest]:
        while mode not in self._drawn and self.hear():
            pass
        if mode not in self._drawn:  # no process drew it, or it failed before it said
            self._drawn[mode] = draw(self.seed, self.size, mode)
        return self._drawn[mode]

    def hear(self) -> bool:
        """Take the next line the forked process said; False once it has nothing more to say."""
        if self._child is None:
            return False
        line = self._child[1].readline()  # interrupted here, the run's end still stops the process (`close`)
        try:
            ((kind, said),) = json.loads(line).items()
            if kind in MODES:
                self._drawn[kind] = [_decode(request) for request in said]
            elif self.hear_also is not None:
                self.hear_also(kind, said)
        except (ValueError, TypeError, AttributeError):  # it ended, or failed before it had said all
            self.close()
            return False
        return True

    def close(self) -> None:
        """Stop the forked process if it is still drawing (the run ended before it needed the pool)."""
        if self._child is None:
            return
        (pid, pipe, telling), self._child = self._child, None
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        pipe.close()
        with contextlib.suppress(OSError):
            telling.close()


def _load_for_drawing() -> None:
    """schemathesis and the description loaded, and frozen: most of what the process will hold."""
    with collector.paused(freeze=True):
        schema()


Send = Callable[[dict[str, Any]], None]
# What the forked process does for its pool: draw the PUTs and send them, read what it is told.
Job = Callable[[Pool, "IO[bytes]", Send], None]
MOST_TOLD = 4096  # bytes: what a pipe's buffer holds at the least (a page, on Linux)


def draw_modes(pool: Pool, told: IO[bytes], send: Send) -> None:
    """The pool's job by default: the valid PUTs, then the invalid ones."""
    for mode in MODES:
        send({mode: pool.draw_mode(mode)})


def _encode(request: GeneratedRequest) -> list[Any]:
    content = None if request.content is None else base64.b64encode(request.content).decode("ascii")
    return [request.mode, content, request.content_type]


def _decode(encoded: list[Any]) -> GeneratedRequest:
    from conformance.generation import GeneratedRequest

    mode, content, content_type = encoded
    return GeneratedRequest("PUT", mode, None if content is None else base64.b64decode(content), content_type)


def requests(method: str, mode: str) -> st.SearchStrategy[GeneratedRequest]:
    """Requests schemathesis generates for one operation, valid (`positive`) or not (`negative`).

    The GET takes no parameter and no body, so every GET schemathesis could draw is the same
    request: it is given as it is, without drawing. The PUTs come from the run's pool.
    """
    from conformance.generation import GeneratedRequest

    if method == "GET":
        return st.just(GeneratedRequest("GET", mode, None, None))
    return sample(mode)


def any_request() -> st.SearchStrategy[GeneratedRequest]:
    return st.one_of(*(requests(method, mode) for method in ("GET", "PUT") for mode in MODES))


def owner_updates() -> st.SearchStrategy[GeneratedRequest]:
    """PUTs an owner could send: the empty update, plausible ones, and what the description allows."""
    from conformance import generation
    from conformance.generation import NO_CHANGE

    plausible = generation.billing_updates().map(generation.plausible_update)
    allowed = requests("PUT", "positive").map(lambda request: request if request.content is not None else NO_CHANGE)
    return st.one_of(st.just(NO_CHANGE), plausible, allowed)


# A run's pool, while it runs; outside a run (a check's unit test) one is drawn here for seed 0.
_current: Pool | None = None
DEFAULT_SIZE = 25
# A pool started before the run that will sample it (`start_early`), until that run takes it.
_early: Pool | None = None


def start_early(seed: int, size: int, job: Job | None = None) -> None:
    """Start drawing the pool of a run with `seed` and `size` now, before the command loads the rest.

    The command knows both as soon as its options are read, and the forked process draws while
    this one still imports what the run needs: the run then finds the pool drawn. Only where
    forking is safe; a run with another seed or size, or none, leaves it to `discard_early`.
    """
    global _early
    if _early is None and forking.can_fork():
        _early = Pool(seed, size)
        _early.start(job)


def discard_early() -> None:
    """Stop a pool started early that no run took (the command ended before its run)."""
    global _early
    pool, _early = _early, None
    if pool is not None:
        pool.close()


def _adopt_early(seed: int, size: int) -> Pool | None:
    global _early
    pool, _early = _early, None
    if pool is not None and (pool.seed, pool.size) != (seed, max(1, size)):
        pool.close()
        return None
    return pool


@contextlib.contextmanager
def drawing(seed: int, size: int, *, ahead: Job | None) -> Iterator[Pool]:
    """The pool the properties of a run sample: the one started early for it, or one drawn ahead by the job `ahead`."""
    global _current
    pool, outer = _adopt_early(seed, size), _current
    if pool is None:
        pool = Pool(seed, size)
        if ahead is not None:
            pool.start(ahead)
    _current = pool
    try:
        yield pool
    finally:
        _current = outer
        pool.close()


def sample(mode: str) -> st.SearchStrategy[GeneratedRequest]:
    """A PUT of the current run's pool, valid (`positive`) or not (`negative`)."""
    global _current
    if _current is None:
        _current = Pool(0, DEFAULT_SIZE)
    return st.sampled_from(_current.requests(mode))
