"""What a check is given: the target, the run's options, and helpers shared by the scenarios."""

from __future__ import annotations

import contextlib
import itertools
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from conformance.budget import SHRINK_REQUESTS
from conformance.distinct import Deviations, DistinctFailures
from conformance.draws import Draws, Encoded, Recorder, encoder
from conformance.exchange import Credential, Exchange
from conformance.failures import Violation, expect_status
from conformance.results import MAX_FAILURES_KEPT
from conformance.seeding import seed_alone_decides
from conformance.transport import BudgetSpent, NoResponse, Target

# hypothesis is imported where examples are drawn: a replay draws none (see conformance.lazy).
if TYPE_CHECKING:
    from hypothesis import strategies as st

T = TypeVar("T")


class NoExample(Exception):
    """No example of a property could be judged: none could be generated, or none got a complete answer."""


# The candidates a property may try when shrinking, beside its requests (budget.SHRINK_REQUESTS):
# drawing one costs time even without a request. A count, not a clock, so that the same seed
# always sends the same requests and a cassette replays on any machine.
SHRINK_CANDIDATES = 100


class _ShrinkingDone(BaseException):
    """Raised through hypothesis (which stops at once on a BaseException) when the budget is spent."""


class _ShrinkBudget:
    """Bounds what shrinking a property's failures costs: requests to a target that may share its rate limit, and time.

    After its first failure a property goes on drawing, to find the other ways a target breaks the
    rule, as many examples as a passing run draws (hypothesis may stop sooner); what it tries past
    those is shrinking, and is bounded here, all its failures together. When the budget is spent,
    the smallest reproduction found of each failure is the one reported.
    """

    def __init__(self, target: Target, examples: int) -> None:
        self.target = target
        self.examples = examples
        self.calls = 0
        self.started_at: int | None = None  # requests sent when shrinking began
        self.candidates = 0

    def check(self, failed: bool) -> None:
        self.calls += 1
        if not failed or self.calls <= self.examples:
            return
        if self.started_at is None:
            self.started_at = self.target.requests
        self.candidates += 1
        if self.target.requests - self.started_at >= SHRINK_REQUESTS or self.candidates > SHRINK_CANDIDATES:
            raise _ShrinkingDone


class _Distinct(Exception):
    """A property's failure as hypothesis sees it: one class per distinct failure (see _Found.origin).

    Hypothesis tells failures apart by their exception's type and where it was raised, and shrinks
    each apart from the others; schemathesis's checks raise a class of their own for the same reason.
    """

    def __init__(self, violation: Violation) -> None:
        super().__init__(str(violation))
        self.violation = violation


class _Found:
    """The distinct failures of one property, the smallest example of each (see conformance.distinct)."""

    def __init__(self) -> None:
        self.deviations = Deviations(MAX_FAILURES_KEPT)
        self.violations: list[Violation] = []
        self.minimal: set[int] = set()  # the failures an edge value found: nothing to shrink
        self._origins: list[type[_Distinct]] = []

    def add(self, violation: Violation, example: Any) -> int | None:
        """Keep `violation` if it shows a new failure, or one already found by a smaller example."""
        kept = self.deviations.add(violation.failure, len(repr(example)))
        if kept is not None:
            if kept == len(self.violations):
                self.violations.append(violation)
            elif self.deviations.kept[kept] is violation.failure:
                self.violations[kept] = violation
        return kept

    def origin(self, index: int) -> type[_Distinct]:
        while len(self._origins) <= index:
            self._origins.append(type(f"Distinct{len(self._origins)}", (_Distinct,), {}))
        return self._origins[index]

    def raise_them(self) -> None:
        """Raise the failures found, if any, in a group (see conformance.distinct)."""
        if self.violations:
            raise DistinctFailures.of(self.violations, self.deviations)


@dataclass(frozen=True)
class Drawn:
    """What a property draws, made from the run's context alone (its options, roles and snapshot).

    Declared with its scenario (checks.registry.scenario), so that the process drawing the pool
    of PUTs can draw the property's examples too, ahead of the rule (conformance.ahead).
    """

    make: Callable[[Context], st.SearchStrategy[Any]]
    share: float = 1.0  # of the run's --max-examples

    def examples(self, ctx: Context) -> int:
        return ctx.examples(self.share)


class Ahead(Protocol):
    """Where the examples of the properties a run declares were drawn ahead (conformance.ahead)."""

    def examples(self, key: str, drawn: Drawn) -> list[Any] | None:
        """The examples hypothesis gives the property `key` (drawing `drawn`) while each passes, or None."""


@contextlib.contextmanager
def _quiet_about_large_examples() -> Iterator[None]:
    """No warning from hypothesis that a failing example's text is large.

    hypothesis writes a failing example out for its own report, which the suite does not show (a
    failure is reported as the exchange it was): for an edge value of 100,000 characters it warns
    that the text is long, and the warning reached the user's terminal from hypothesis's source.
    """
    from hypothesis.errors import HypothesisWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Generating overly large repr", category=HypothesisWarning)
        yield


def property_settings(examples: int) -> Any:
    """How every property is drawn: here, and ahead in the process drawing the pool (conformance.ahead)."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, Verbosity

    return hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        # Each distinct failure is shrunk apart from the others, and a failure does not end the
        # search for more (within the examples a passing run draws).
        report_multiple_bugs=True,
        verbosity=Verbosity.quiet,
        # No explain phase: it re-runs a failing example over and over to say which parts of it
        # matter, each time sending requests; the shrunk example already shows that.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )


# What a property's examples did when given as drawn ahead, up to the first that did not pass:
# each example as encoded, and what its test raised (None: it passed).
Given = list[tuple[Encoded, Exception | None]]


# A property has three parts: its coverage (a few deterministic examples that reach every field,
# kind of value and role the rule is about), its edges (every edge value, each sent once) and its
# draws. A run sends them in that order, property by property (WHOLE); a run with a --max-requests
# budget sends the coverage of every rule first (COVERAGE), then the rest (SEARCH) while the budget
# lasts, so that a small budget still reaches every rule with what matters most.
WHOLE, COVERAGE, SEARCH = "whole", "coverage", "search"


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
        # What a property had found when the --max-requests budget ran out: it stands.
        self.found_before_budget: list[Deviations] = []
        # Which part of each property a scenario sends (see WHOLE); the runner sets it.
        self.phase = WHOLE
        self.searches = 0  # properties the current scenario ran that have a search part
        self.ahead: Ahead | None = None  # the runner's, where the pool is drawn in a forked process
        target.listeners.append(self._forget_on_write)

    def _forget_on_write(self, exchange: Exchange) -> None:
        if exchange.method not in ("GET", "HEAD"):
            self._current = None

    @property
    def covering(self) -> bool:
        """Whether this phase sends coverage: requests a scenario sends once, outside its properties, are."""
        return self.phase != SEARCH

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

    def each(self, items: Iterable[T], probe: Callable[[T], None]) -> None:
        """Run `probe` on every one of `items`, even after one failed; raise each distinct failure, as a property does.

        A probe that got no answer ends it as before: with the failures found so far, or as no answer.
        Probes are coverage: a search phase sends none.
        """
        if self.phase == SEARCH:
            return
        found = _Found()
        try:
            for item in items:
                try:
                    probe(item)
                except Violation as violation:
                    found.add(violation, item)
                except NoResponse:
                    if not found.violations:
                        raise
                    break
        except BudgetSpent:
            self.found_before_budget.append(found.deviations)
            raise
        found.raise_them()

    def check_property(
        self,
        strategy: Drawn | Callable[[], st.SearchStrategy[T]],
        test: Callable[[T], None],
        *,
        max_examples: int | None = None,
        examples: Sequence[T] = (),
        coverage: Sequence[T] = (),
    ) -> None:
        """Run `test` on `coverage`, on each of `examples`, then on examples drawn from `strategy()`; raise what failed.

        The strategy is made only to draw: a replay gives the examples its recording kept, and a
        property its scenario declares (`Drawn`) may be given the examples drawn ahead for it.

        The given examples (coverage, then edge values) are each sent once: every one of them is
        also judged by the response checks, ROBUST-NO-5XX among them. They are minimal already; a
        drawn failure is shrunk. A property that fails goes on to find the other ways the target
        breaks the rule: each distinct failure (conformance.distinct) is raised, in a group.
        Which parts are sent is the phase's to say (see WHOLE).
        """
        found = _Found()
        given_examples = [*(coverage if self.phase != SEARCH else ()), *(examples if self.phase != COVERAGE else ())]
        try:
            for example in given_examples:
                try:
                    test(example)
                except NoResponse as error:
                    self.unanswered.append(error)
                except Violation as violation:
                    index = found.add(violation, example)
                    if index is not None:
                        found.minimal.add(index)
            if self.phase == COVERAGE:
                self.searches += 1
                found.raise_them()
                return
            key = self._next_property_key()
            given = self.draws.given(key) if self.draws is not None else None
            if given is not None:
                self._give(given, test, found)
            elif callable(strategy):
                self._draw(strategy, test, key, max_examples, found)
            else:
                self._draw_declared(strategy, test, key, found)
        except BudgetSpent:
            self.found_before_budget.append(found.deviations)
            raise
        found.raise_them()

    def _next_property_key(self) -> str:
        count = self._properties.get(self.requirement_id, 0)
        self._properties[self.requirement_id] = count + 1
        return f"{self.requirement_id}/{count}"

    def _give(self, examples: Sequence[T], test: Callable[[T], None], found: _Found) -> None:
        """Replay: the examples a recording gave, in its order, judged as the recording judged them."""
        answered = 0
        for example in examples:
            try:
                test(example)
            except NoResponse as error:
                self.unanswered.append(error)
                continue
            except Violation as violation:
                found.add(violation, example)
            answered += 1
        if examples and not answered:
            raise NoExample("none of the examples got a complete answer")

    def _draw_declared(self, drawn: Drawn, test: Callable[[T], None], key: str, found: _Found) -> None:
        """A declared property: given what was drawn ahead while each example passes, then drawn here.

        Hypothesis gives a property the same examples wherever it draws them, as long as each
        passes; from the first that does not, what it draws next depends on that outcome. It then
        draws here from the start, and is told the outcomes of the examples already sent instead
        of sending them again: the run sends what it sends when everything is drawn here.
        """
        ahead = self.ahead.examples(key, drawn) if self.ahead is not None else None
        tried: Given = []
        if ahead:
            tried = self._give_ahead(ahead, test, key)
            if tried[-1][1] is None:  # every one passed: what hypothesis would have drawn here
                return
        self._draw(lambda: drawn.make(self), test, key, drawn.examples(self), found, tried)

    def _give_ahead(self, examples: Sequence[T], test: Callable[[T], None], key: str) -> Given:
        """Run `test` on the examples drawn ahead up to the first that does not pass; what each did."""
        encode = encoder(self.target.tokens)
        recorder = self.draws.recorder() if self.draws is not None else None
        tried: Given = []
        for example in examples:
            tried.append((encode(example), None))  # before the test, which may change the example
            if recorder is not None:
                recorder.saw(example)
            try:
                test(example)
            except Exception as error:  # hypothesis's to judge: it is told this outcome (`_draw`)
                tried[-1] = (tried[-1][0], error)
                return tried
        self._keep(key, recorder)
        return tried

    def _draw(
        self,
        strategy: Callable[[], st.SearchStrategy[T]],
        test: Callable[[T], None],
        key: str,
        max_examples: int | None,
        found: _Found,
        tried: Given | None = None,  # what was given as drawn ahead (`_draw_declared`)
    ) -> None:
        import hypothesis
        from hypothesis import given
        from hypothesis.errors import Flaky, Unsatisfiable

        examples = max_examples or self.options.max_examples
        settings = property_settings(examples)
        budget = _ShrinkBudget(self.target, examples)
        recorder = self.draws.recorder() if self.draws is not None else None
        outcome = _told(tried or [], test, self.target.tokens)

        def answered(example: T) -> None:
            budget.check(bool(found.violations))
            if recorder is not None:
                recorder.saw(example)
            # An example whose request got no complete answer judges nothing here (ROBUST-HTTP
            # has judged the answer): it is dropped, and never shrunk as if it were a failure.
            failed = None
            try:
                outcome(example)
            except NoResponse as error:
                self.unanswered.append(error)
                hypothesis.reject()
            except Violation as violation:
                failed = violation
            if failed is not None:
                index = found.add(failed, example)
                # Only a failure worth shrinking is hypothesis's to see: not one an edge value
                # showed already, nor one past the cap. Raised outside the `except`, so that its
                # origin is its class alone.
                if index is not None and index not in found.minimal:
                    raise found.origin(index)(failed)

        run = hypothesis.seed(self.options.seed)(settings(given(strategy())(answered)))
        with seed_alone_decides(), _quiet_about_large_examples():
            try:
                run()
            except _ShrinkingDone:
                pass
            except Exception as error:
                # What hypothesis raises for the failures (one, or a group) is in `found`. Any other
                # ending stands unless the rule failed anyway: a failure that did not fail again
                # (Flaky) or a check that broke beside it. Such a property is not kept either.
                if not found.violations:
                    if isinstance(error, Unsatisfiable):
                        raise NoExample(str(error)) from error
                    raise
                if isinstance(error, Flaky) or not _only_failures(error):
                    return
        self._keep(key, recorder)

    def _keep(self, key: str, recorder: Recorder | None) -> None:
        # Only a property that ended in a pass or a failure is kept: any other ending (a flaky
        # target, a check that broke) is left for a replay to draw again, as the recording did.
        if self.draws is not None and recorder is not None:
            self.draws.keep(key, recorder)

    def examples(self, fraction: float = 1.0) -> int:
        return max(1, round(self.options.max_examples * fraction))


def _told(tried: Given, test: Callable[[T], None], tokens: dict[str, str]) -> Callable[[T], None]:
    """`test`, except that the first calls, given the examples already `tried`, raise what those raised."""
    if not tried:
        return test
    encode = encoder(tokens)
    calls = itertools.count()

    def outcome(example: T) -> None:
        call = next(calls)
        if call < len(tried) and tried[call][0] == encode(example):
            error = tried[call][1]
            if error is not None:
                raise error
            return
        test(example)

    return outcome


def _only_failures(error: BaseException) -> bool:
    """Whether `error` is what hypothesis raises for the failures of a property, and nothing else."""
    if isinstance(error, _Distinct):
        return True
    return isinstance(error, BaseExceptionGroup) and all(_only_failures(inner) for inner in error.exceptions)
