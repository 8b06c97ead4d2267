"""What a check is given: the target, the run's options, and helpers shared by the scenarios."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from conformance.draws import Draws, Recorder
from conformance.exchange import Credential, Exchange
from conformance.failures import Violation, expect_status
from conformance.transport import NoResponse, Target

T = TypeVar("T")


@contextlib.contextmanager
def _seed_alone_decides() -> Iterator[None]:
    """Keep hypothesis from mixing in constants it finds in the caller's own modules.

    Which modules count as the caller's depends on how the suite was installed and started, so
    with them the same seed could generate other requests, and a cassette would not replay.
    """
    from hypothesis.internal.conjecture import providers

    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None:  # a hypothesis without the feature: nothing to do
        yield
        return
    providers._get_local_constants = lambda: providers.Constants()
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


SHRINK_REQUESTS = 60  # requests a property may send to shrink a failure before the smallest found stands
# and candidates it may try: drawing one costs time even without a request. A count, not a clock,
# so that the same seed always sends the same requests and a cassette replays on any machine.
SHRINK_CANDIDATES = 100


class _ShrinkingDone(BaseException):
    """Raised through hypothesis (which stops at once on a BaseException) when the budget is spent."""


class _SmallestFailure:
    """Bounds what shrinking a failure costs: requests to a target that may share its rate limit, and time.

    Hypothesis only ever moves to a smaller failing example, so the last failure seen is the
    smallest found; when the budget is spent, it is the one reported.
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.started_at: int | None = None  # requests sent when the first failure was found
        self.candidates = 0
        self.violation: Violation | None = None

    def found(self, violation: Violation) -> None:
        if self.started_at is None:
            self.started_at = self.target.requests
        self.violation = violation

    def check_budget(self) -> None:
        if self.started_at is None:
            return
        self.candidates += 1
        if self.target.requests - self.started_at >= SHRINK_REQUESTS or self.candidates > SHRINK_CANDIDATES:
            raise _ShrinkingDone


@dataclass(frozen=True)
class Options:
    """How deep and how safely to test."""

    max_examples: int = 25
    seed: int = 0
    writes: bool = True
    support_created: bool = False
    max_requests: int | None = None  # None: as many as the examples take (see conformance.budget)


class Context:
    """Shared by every check of one run."""

    def __init__(self, target: Target, options: Options, draws: Draws | None = None) -> None:
        self.target = target
        self.options = options
        # Recording: the examples each property is given are kept here. Replaying: they are
        # taken from here instead of drawn.
        self.draws = draws
        self._properties: dict[str, int] = {}  # properties run so far, per requirement
        self.snapshot: dict[str, Any] | None = None  # the owner's view before the first write
        self._current: Exchange | None = None
        self.requirement_id = ""  # the requirement being judged, set by the runner
        self.notes: dict[str, list[str]] = {}
        self.unanswered: list[NoResponse] = []  # requests of the current scenario that got no answer
        target.listeners.append(self._forget_on_write)

    def _forget_on_write(self, exchange: Exchange) -> None:
        if exchange.method not in ("GET", "HEAD"):
            self._current = None

    def role(self, name: str) -> Credential:
        return self.target.as_role(name)

    def reader(self) -> Credential | None:
        """Who can see the most of the account: the owner, else an admin."""
        for name in ("owner", "admin"):
            if self.target.has(name):
                return self.target.as_role(name)
        return None

    def current(self) -> Exchange | None:
        """The reader's GET of the account, reused until something else than a GET is sent."""
        reader = self.reader()
        if reader is None:
            return None
        if self._current is None or self._current.credential != reader:
            self._current = self.target.get(reader)
        return self._current

    def expect_unchanged(self, before: Exchange | None, cause: Exchange, what: str) -> None:
        """Fail when the account the reader sees now differs from `before` (taken before `cause`)."""
        if before is None or before.status != 200:
            return
        after = self.current()
        if after is not None and after.response.json != before.response.json:
            raise Violation(
                f"{what}, yet the account changed",
                expected=before.response.body,
                actual=after.response.body,
                exchange=cause,
            )

    def refused(
        self,
        method: str,
        credential: Credential,
        content: bytes | None,
        content_type: str | None,
        allowed: set[int] | range,
        what: str,
    ) -> Exchange:
        """Send a request that must be refused: fail unless its status is allowed and nothing changed."""
        before = self.current()
        exchange = self.target.send(method, credential, content=content, content_type=content_type)
        expect_status(exchange, allowed, what)
        self.expect_unchanged(before, exchange, what)
        return exchange

    def note(self, text: str) -> None:
        """A remark on the requirement being judged that is no failure (e.g. a SHOULD part of a MUST)."""
        if text not in self.notes.setdefault(self.requirement_id, []):
            self.notes[self.requirement_id].append(text)

    def check_property(
        self,
        strategy: st.SearchStrategy[T],
        test: Callable[[T], None],
        *,
        max_examples: int | None = None,
        examples: Sequence[T] = (),
    ) -> None:
        """Run `test` on every one of `examples`, then, unless one failed, on examples drawn from `strategy`.

        The given examples (edge values) are each sent once even after one has failed: every one
        of them is also judged by the response checks, ROBUST-NO-5XX among them. They are minimal
        already, so the first failure is raised as it is; a drawn failure is shrunk.
        """
        first: Violation | None = None
        for example in examples:
            try:
                test(example)
            except NoResponse as error:
                self.unanswered.append(error)
            except Violation as violation:
                first = first or violation
        if first is not None:
            raise first
        key = self._next_property_key()
        given = self.draws.given(key) if self.draws is not None else None
        if given is not None:
            self._give(given, test)
        else:
            self._draw(strategy, test, key, max_examples)

    def _next_property_key(self) -> str:
        count = self._properties.get(self.requirement_id, 0)
        self._properties[self.requirement_id] = count + 1
        return f"{self.requirement_id}/{count}"

    def _give(self, examples: Sequence[T], test: Callable[[T], None]) -> None:
        """Replay: the examples a recording gave, in its order, ending as hypothesis ended it there.

        Hypothesis reports the last failure it saw (the smallest it found), so the last one raised
        here is the one reported.
        """
        last: Violation | None = None
        answered = 0
        for example in examples:
            try:
                test(example)
            except NoResponse as error:
                self.unanswered.append(error)
                continue
            except Violation as violation:
                last = violation
            answered += 1
        if last is not None:
            raise last
        if examples and not answered:
            raise Unsatisfiable("none of the examples got a complete answer")

    def _draw(
        self, strategy: st.SearchStrategy[T], test: Callable[[T], None], key: str, max_examples: int | None
    ) -> None:
        settings = hypothesis.settings(
            max_examples=max_examples or self.options.max_examples,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
            # No explain phase: it re-runs a failing example over and over to say which parts of it
            # matter, each time sending requests; the shrunk example already shows that.
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
        )

        smallest = _SmallestFailure(self.target)
        recorder = self.draws.recorder() if self.draws is not None else None

        def answered(example: T) -> None:
            smallest.check_budget()
            if recorder is not None:
                recorder.saw(example)
            # An example whose request got no complete answer judges nothing here (ROBUST-HTTP
            # has judged the answer): it is dropped, and never shrunk as if it were a failure.
            try:
                test(example)
            except NoResponse as error:
                self.unanswered.append(error)
                hypothesis.reject()
            except Violation as violation:
                smallest.found(violation)
                raise

        run = hypothesis.seed(self.options.seed)(settings(given(strategy)(answered)))
        with _seed_alone_decides():
            try:
                run()
            except _ShrinkingDone:
                assert smallest.violation is not None
                self._keep(key, recorder)
                raise smallest.violation from None
            except Violation:
                self._keep(key, recorder)
                raise
        self._keep(key, recorder)

    def _keep(self, key: str, recorder: Recorder | None) -> None:
        # Only a property that ended in a pass or a failure is kept: any other ending (a flaky
        # target, a check that broke) is left for a replay to draw again, as the recording did.
        if self.draws is not None and recorder is not None:
            self.draws.keep(key, recorder)

    def examples(self, fraction: float = 1.0) -> int:
        return max(1, round(self.options.max_examples * fraction))
