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
from typing import Any

from conformance import forking, generation, spec
from conformance.generation import MODES, NO_CHANGE, GeneratedRequest
from conformance.lazy import strategies as st
from conformance.seeding import seed_alone_decides

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


@cache
def schema() -> Any:
    """The description loaded by schemathesis (the base URL is a placeholder: it never sends).

    schemathesis is imported here, not above: a replay draws nothing and need not load it.
    """
    import schemathesis

    schema = schemathesis.openapi.from_dict(spec.load())
    schema.config.update(base_url="http://conformance.invalid")
    # Credentials are the suite's to choose (each rule sends its roles' own), so schemathesis draws
    # none: a negative case is then always a broken body, never a valid one with a broken header.
    schema.config.generation.update(with_security_parameters=False)
    return schema


def _to_request(case: Any, mode: str) -> GeneratedRequest:
    from schemathesis.core import NotSet

    body = case.body
    if isinstance(body, NotSet):
        return GeneratedRequest("PUT", mode, None, None)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return GeneratedRequest("PUT", mode, content, case.media_type)


def puts(mode: str) -> st.SearchStrategy[GeneratedRequest]:
    """schemathesis's own strategy for the PUT, valid (`positive`) or not (`negative`)."""
    from schemathesis import GenerationMode

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
    send only those (DRAWS_VALID_ONLY, run first) need not wait for the invalid ones.
    """

    def __init__(self, seed: int, size: int) -> None:
        self.seed, self.size = seed, max(1, size)
        self._drawn: dict[str, list[GeneratedRequest]] = {}
        self._child: tuple[int, Any] | None = None  # its pid, and the end of the pipe this process reads

    def start(self) -> None:
        """Start drawing in a forked process: only where forking is safe (`forking.can_fork`)."""
        if self._drawn or self._child is not None:
            return
        # Both processes draw with hypothesis: imported once, before they part, it costs the
        # machine 0.2 s of CPU less. Freezing what is loaded spares both the collector's passes
        # over it, and the child's pages stay shared (the gc module's advice before a fork).
        import hypothesis.strategies  # noqa: F401

        gc.freeze()
        reading, writing = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(reading)
            self._draw_for_parent(writing)
        os.close(writing)
        self._child = (child, os.fdopen(reading, "rb"))

    def _draw_for_parent(self, writing: int) -> None:
        # Ctrl-C is the parent's to handle: it stops this process once it no longer needs it.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        status = 1
        try:
            with os.fdopen(writing, "wb") as pipe:
                for mode in MODES:  # one line each, sent as soon as it is drawn
                    drawn = [_encode(request) for request in draw(self.seed, self.size, mode)]
                    pipe.write(json.dumps({mode: drawn}).encode() + b"\n")
                    pipe.flush()
            status = 0
        finally:
            os._exit(status)  # nothing of the parent's (its buffers, its exit handlers) is the child's to run

    def requests(self, mode: str) -> list[GeneratedRequest]:
        while mode not in self._drawn and self._from_child():
            pass
        if mode not in self._drawn:  # no process drew it, or it failed before it said
            self._drawn[mode] = draw(self.seed, self.size, mode)
        return self._drawn[mode]

    def _from_child(self) -> bool:
        """Take the next mode the forked process drew; False once it has nothing more to say."""
        if self._child is None:
            return False
        line = self._child[1].readline()  # interrupted here, the run's end still stops the process (`close`)
        try:
            ((mode, drawn),) = json.loads(line).items()
            if mode not in MODES:
                raise ValueError(mode)
            self._drawn[mode] = [_decode(request) for request in drawn]
        except (ValueError, TypeError, AttributeError):  # it ended, or failed before it had said all
            self.close()
            return False
        if all(each in self._drawn for each in MODES):
            self.close()
        return True

    def close(self) -> None:
        """Stop the forked process if it is still drawing (the run ended before it needed the pool)."""
        if self._child is None:
            return
        (pid, pipe), self._child = self._child, None
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        pipe.close()


def _encode(request: GeneratedRequest) -> list[Any]:
    content = None if request.content is None else base64.b64encode(request.content).decode("ascii")
    return [request.mode, content, request.content_type]


def _decode(encoded: list[Any]) -> GeneratedRequest:
    mode, content, content_type = encoded
    return GeneratedRequest("PUT", mode, None if content is None else base64.b64decode(content), content_type)


def requests(method: str, mode: str) -> st.SearchStrategy[GeneratedRequest]:
    """Requests schemathesis generates for one operation, valid (`positive`) or not (`negative`).

    The GET takes no parameter and no body, so every GET schemathesis could draw is the same
    request: it is given as it is, without drawing. The PUTs come from the run's pool.
    """
    if method == "GET":
        return st.just(GeneratedRequest("GET", mode, None, None))
    return sample(mode)


def any_request() -> st.SearchStrategy[GeneratedRequest]:
    return st.one_of(*(requests(method, mode) for method in ("GET", "PUT") for mode in MODES))


def owner_updates() -> st.SearchStrategy[GeneratedRequest]:
    """PUTs an owner could send: the empty update, plausible ones, and what the description allows."""
    plausible = generation.billing_updates().map(generation.plausible_update)
    allowed = requests("PUT", "positive").map(lambda request: request if request.content is not None else NO_CHANGE)
    return st.one_of(st.just(NO_CHANGE), plausible, allowed)


# A run's pool, while it runs; outside a run (a check's unit test) one is drawn here for seed 0.
_current: Pool | None = None
DEFAULT_SIZE = 25
# A pool started before the run that will sample it (`start_early`), until that run takes it.
_early: Pool | None = None


def start_early(seed: int, size: int) -> None:
    """Start drawing the pool of a run with `seed` and `size` now, before the command loads the rest.

    The command knows both as soon as its options are read, and the forked process draws while
    this one still imports what the run needs: the run then finds the pool drawn. Only where
    forking is safe; a run with another seed or size, or none, leaves it to `discard_early`.
    """
    global _early
    if _early is None and forking.can_fork():
        _early = Pool(seed, size)
        _early.start()


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
def drawing(seed: int, size: int, *, ahead: bool) -> Iterator[Pool]:
    """The pool the properties of a run sample: the one started early for it, or one drawn ahead when `ahead`."""
    global _current
    pool, outer = _adopt_early(seed, size), _current
    if pool is None:
        pool = Pool(seed, size)
        if ahead:
            pool.start()
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
