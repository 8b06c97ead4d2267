"""Run every check against a target and gather a result per requirement.

The order of a run: snapshot the account, run the scenarios (each a small driver of requests),
judge every exchange they cause with the response checks, restore the account, and report. The
embedded reference server is started when no target is given; with `workers=2` some of its rules
are judged in a forked process against a server of their own (see conformance.workers).

A run always ends in a result. A check that raises something unexpected makes its own rule
`errored` (the exception kept for a bug report) and the others go on; a target that stops
answering, or an interrupt, ends the run early with the rules not yet judged `errored`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from conformance import ahead, budget, catalog, checks, described, forking, workers
from conformance.context import COVERAGE, SEARCH, WHOLE, Context, NoExample, Options
from conformance.distinct import DistinctFailures
from conformance.draws import Draws
from conformance.exchange import Exchange
from conformance.expectations import Expectations, apply
from conformance.failures import Skip, Violation
from conformance.progress import Observer
from conformance.quota import Quota
from conformance.results import RequirementResult, RunResult, Status, SuiteError, TargetInfo
from conformance.safety import Restore, restore, take_snapshot
from conformance.transport import BudgetSpent, NoResponse, Pacer, Target, TargetGone, Transport

ROLES = ("owner", "admin", "agent")
# Scenarios run in catalog order, except that those sending requests schemathesis draws go after
# the others, which gives a forked process the time to draw them (conformance.described), and the
# one sending arbitrary sequences of PUTs goes last: it may leave a faulty server in any state,
# which must not blur what the others judge.
LAST = ("ROBUST-STATE-VALID",)
BACKUP_FILE = "chat-conformance-billing-backup.json"
INTERRUPTED = "the run was interrupted"
SNAPSHOT_TRIES = 3  # a live account is only written to once its billing has been read
E = TypeVar("E", bound=BaseException)


@dataclass(frozen=True)
class RunConfig:
    base_url: str | None = None  # None: test the embedded reference server
    tokens: Mapping[str, str | None] = field(default_factory=dict)
    options: Options = field(default_factory=Options)
    timeout: float = 10.0
    pacer: Pacer | None = None
    sleep: Callable[[float], None] = time.sleep  # how 429s are waited out; replay does not wait
    explain: Callable[[Exception], str | None] | None = None  # see Target
    rate_share: float = 0.5  # of the quota the target announces, the most the run uses (see quota.py)
    clock: Callable[[], float] = time.monotonic  # what the quota's windows are measured with
    # Replay: the recorded answers, sent from here instead of a network, and the recorded examples.
    transport: Transport | None = None
    draws: Draws | None = None  # recording: filled in; replaying: given to the checks again
    recording: bool = False  # vcrpy records what goes through httpx's own transport: the run sends through it
    expectations: Expectations | None = None  # the target's known deviations (--expect)
    workers: int = 1  # 2: the embedded server's rules split over two processes (see conformance.workers)
    interrupted: Callable[[], bool] | None = None  # whether Ctrl-C was pressed, asked before each request
    order: Sequence[str] = ()  # replay: the rules in the order the cassette recorded them (ordered_scenarios)


@contextlib.contextmanager
def _target(config: RunConfig) -> Iterator[tuple[str, Mapping[str, str | None], bool]]:
    if config.base_url:
        yield config.base_url, config.tokens, False
        return
    # Imported here: a run against another target (or a replay) never starts the reference server.
    from conformance.server import ServerSettings, create_app
    from conformance.server.embedded import BackgroundServer
    from conformance.server.settings import DEFAULT_TOKENS

    settings = ServerSettings(support_created=config.options.support_created)
    with BackgroundServer(create_app(settings)) as server:
        yield server.url, DEFAULT_TOKENS, True


def ordered_scenarios(recorded: Sequence[str] = ()) -> list[checks.Scenario]:
    """The rules in the catalog's order, but those that send schemathesis's PUTs after the others.

    The pool of those PUTs is drawn while the others run (conformance.described); among them,
    the ones that send valid PUTs only come first, as those are drawn first, then INVALID_FIRST.
    LAST ends the run. A replay gives the order its cassette `recorded` the rules in: those rules
    run in that order, in the places they take here, so that a cassette recorded by a suite that
    ordered them otherwise still replays.
    """
    position = {requirement.id: index for index, requirement in enumerate(catalog.requirements())}

    def place(scenario: checks.Scenario) -> tuple[bool, bool, bool, bool, int]:
        id_ = scenario.requirement_id
        drawing = id_ in described.DRAWS_FROM_DESCRIPTION
        invalid = drawing and id_ not in described.DRAWS_VALID_ONLY
        return id_ in LAST, drawing, invalid, invalid and id_ != described.INVALID_FIRST, position[id_]

    ordered = sorted(checks.SCENARIOS, key=place)
    known = {scenario.requirement_id: scenario for scenario in ordered}
    named = [known[id_] for id_ in dict.fromkeys(recorded) if id_ in known]
    replayed = iter(named)
    return [next(replayed) if scenario in named else scenario for scenario in ordered]


def unmet(needs: checks.Needs, target: Target, options: Options) -> str | None:
    """Why a scenario cannot run on this target, or None."""
    if needs.writes and not options.writes:
        return "writes are disabled (--no-writes)"
    if needs.account == "support" and not options.support_created:
        return "target not declared --support-created"
    if needs.account == "chat" and options.support_created:
        return "the target is declared --support-created, so every PUT is refused (see SUPPORT-GET-ONLY)"
    missing = [role for role in needs.all_roles if not target.has(role)]
    if missing:
        return "no " + " or ".join(f"--{role}-token" for role in missing) + " given"
    if needs.any_role and not any(target.has(role) for role in needs.any_role):
        return "needs one of " + ", ".join(f"--{role}-token" for role in needs.any_role)
    return None


def _found(error: BaseException, kind: type[E]) -> list[E]:
    """The exceptions of `kind` in `error`, which hypothesis may have wrapped in a group."""
    if isinstance(error, kind):
        return [error]
    if isinstance(error, BaseExceptionGroup):
        return [found for inner in error.exceptions for found in _found(inner, kind)]
    return []


class Run:
    """One run's state: the results being filled in, and the context the checks share."""

    def __init__(
        self, target: Target, options: Options, draws: Draws | None = None, expectations: Expectations | None = None
    ) -> None:
        self.target = target
        self.ctx = Context(target, options, draws)
        self.expectations = expectations
        self.results = {r.id: RequirementResult(r) for r in catalog.requirements()}
        for check in checks.RESPONSE_CHECKS:
            self.results[check.requirement_id].checks.append(check.name)
        for scenario in checks.SCENARIOS:
            self.results[scenario.requirement_id].checks.append(scenario.name)
        self.done: set[str] = set()  # scenarios run (or skipped) so far
        self.searching: set[str] = set()  # scenarios whose coverage ran, with draws or edges left to search
        target.listeners.append(self.judge)

    def judge(self, exchange: Exchange) -> None:
        """Apply every response check to one exchange; one that breaks does not stop the others."""
        for check in checks.RESPONSE_CHECKS:
            if not exchange.complete and not check.sees_incomplete:
                continue
            if self._skipped_by_file(check.requirement_id):
                continue
            result = self.results[check.requirement_id]
            try:
                judged = check.judge(exchange, self.ctx)
            except Violation as violation:
                result.exercised += 1
                result.fail(violation.failure)
                continue
            except Exception as error:
                result.could_not_judge(_bug(check.name, error))
                continue
            if judged is not None:
                result.exercised += 1

    def scenario(self, scenario: checks.Scenario) -> RequirementResult:
        """Run one scenario; raises TargetGone (after recording it) when the target stopped answering."""
        result = self.results[scenario.requirement_id]
        self.done.add(scenario.requirement_id)
        reason = self._will_not_run(scenario)
        if reason is not None:
            result.skip_reason = reason
            return result
        self.ctx.requirement_id = scenario.requirement_id
        self.ctx.unanswered.clear()
        self.ctx.found_before_budget.clear()
        self.ctx.searches = 0
        sent = self.target.requests
        try:
            scenario.run(self.ctx)
        except Skip as skip:
            if self.ctx.phase != SEARCH:  # its coverage judged it: a search that judged nothing more is no skip
                result.skip_reason = str(skip)
        except NoExample:
            if self.ctx.unanswered:
                count = len(self.ctx.unanswered)
                result.could_not_judge(
                    SuiteError(f"none of its {count} requests got a complete answer (see ROBUST-HTTP)")
                )
            else:
                result.skip_reason = "no example could be generated for this target"
        except NoResponse as error:
            result.could_not_judge(SuiteError(f"{error} (see ROBUST-HTTP), so the rule could not be judged"))
        except TargetGone as gone:
            result.could_not_judge(SuiteError(str(gone)))
            raise
        except BudgetSpent as spent:
            for found in self.ctx.found_before_budget:  # a failure found before the budget ran out stands
                result.deviations.take(found)
            if self.ctx.phase == SEARCH:  # its coverage judged it; what the budget cut short is said
                result.notes.append("the --max-requests budget ran out during its search beyond its coverage")
            else:
                result.skip_reason = str(spent)
            raise
        except KeyboardInterrupt:
            result.could_not_judge(SuiteError(INTERRUPTED))  # what it judged so far is not a verdict
            raise
        except BaseExceptionGroup as group:
            self._outcome(result, scenario, group)
        except Exception as error:
            self._outcome(result, scenario, error)
        finally:
            result.exercised += self.target.requests - sent
            result.notes.extend(n for n in self.ctx.notes.get(scenario.requirement_id, []) if n not in result.notes)
            if self.ctx.phase == COVERAGE and self.ctx.searches:
                self.searching.add(scenario.requirement_id)
        if self.ctx.unanswered and result.status is not Status.ERRORED:
            count = len(self.ctx.unanswered)
            result.notes.append(f"{count} example{'s' if count != 1 else ''} got no complete answer (see ROBUST-HTTP)")
        return result

    def _outcome(self, result: RequirementResult, scenario: checks.Scenario, error: BaseException) -> None:
        """What a scenario's exception means: failures found, the target gone, or a check that broke."""
        gone = _found(error, TargetGone)
        if gone:
            result.could_not_judge(SuiteError(str(gone[0])))
            raise gone[0] from None
        properties = _found(error, DistinctFailures)
        for found in properties:
            result.deviations.take(found.deviations)
        violations = [] if properties else _found(error, Violation)
        for violation in violations:
            result.fail(violation.failure)
        if properties or violations:
            return
        from hypothesis.errors import Flaky  # here, not at the top: a replay need not load hypothesis

        if _found(error, Flaky):  # the target's doing, not the suite's: no bug to report
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            why = f"the target answered the same example differently when it was tried again ({first_line})"
            result.could_not_judge(SuiteError(why))
        else:
            result.could_not_judge(_bug(scenario.name, error))

    def take(self, part: workers.Part) -> None:
        """Add what a worker judged: its scenarios' results, and the response checks' on its exchanges."""
        for requirement_id in part.done:
            self.results[requirement_id] = part.results[requirement_id]
        self.done |= part.done
        for check in checks.RESPONSE_CHECKS:
            judged = part.results.get(check.requirement_id)  # none from a worker that failed
            if judged is not None:
                self.results[check.requirement_id].absorb(judged)

    def not_reached(self, why: str) -> None:
        """After the request budget ran out: the scenarios it did not reach are skipped, saying why."""
        for scenario in checks.SCENARIOS:
            if scenario.requirement_id not in self.done:
                self.results[scenario.requirement_id].skip_reason = why

    def not_judged(self, why: str) -> None:
        """After the run stopped early: the rules it did not get to are errored, saying why."""
        for scenario in checks.SCENARIOS:
            if scenario.requirement_id in self.done:
                continue
            result = self.results[scenario.requirement_id]
            reason = self._will_not_run(scenario)
            if reason is not None:
                result.skip_reason = reason  # it would not have been judged anyway
            else:
                result.could_not_judge(SuiteError(why))
        for check in checks.RESPONSE_CHECKS:
            result = self.results[check.requirement_id]
            if result.exercised == 0 and not result.failure_count and not self._skipped_by_file(check.requirement_id):
                result.could_not_judge(SuiteError(why))

    def drawing_ahead(self, scenarios: list[checks.Scenario]) -> list[str]:
        """Of `scenarios`, in order, those with properties that will run: the pool's process may draw them."""
        return [s.requirement_id for s in scenarios if s.properties and self._will_not_run(s) is None]

    def response_check_coverage(self) -> None:
        for check in checks.RESPONSE_CHECKS:
            result = self.results[check.requirement_id]
            skipped = self._skipped_by_file(check.requirement_id)
            if skipped is not None:
                result.skip_reason = skipped
            elif result.exercised == 0 and result.error is None:
                result.skip_reason = check.unexercised

    def _will_not_run(self, scenario: checks.Scenario) -> str | None:
        """Why `scenario` is skipped (the expectations file, or what it needs), or None."""
        return self._skipped_by_file(scenario.requirement_id) or unmet(scenario.needs, self.target, self.ctx.options)

    def _skipped_by_file(self, requirement_id: str) -> str | None:
        return None if self.expectations is None else self.expectations.skip_reason(requirement_id)


def _with_exception(reason: str, error: BaseException) -> SuiteError:
    """A rule errored by an exception the suite raised, with what a bug report needs."""
    return SuiteError(reason, f"{type(error).__name__}: {error}", "".join(traceback.format_exception(error)))


def _bug(name: str, error: BaseException) -> SuiteError:
    """A check that raised what no check should."""
    return _with_exception(
        f"the check {name} raised {type(error).__name__}: {error}; please report this as a bug", error
    )


def run(config: RunConfig, observer: Observer | None = None) -> RunResult:
    """Test one target. Whatever the target does, the result judges every rule or says why not."""
    started = time.perf_counter()
    # A worker takes the rules that draw from the description and draws for them itself; a replay
    # draws only what its recording did not keep: neither has the pool drawn ahead.
    forkable = forking.can_fork()
    split = forkable and config.workers > 1 and config.base_url is None and _splittable(config)
    # Forked before this process starts its server (a thread): a fork copies one thread.
    job = ahead.draw_for_parent if forkable and not split and config.transport is None else None
    with described.drawing(config.options.seed, config.options.max_examples, ahead=job) as pool:
        return _run_drawn(config, observer, started, split, pool if pool.forked else None)


def _run_drawn(
    config: RunConfig, observer: Observer | None, started: float, split: bool, pool: described.Pool | None
) -> RunResult:
    scenarios = ordered_scenarios(config.order)
    worker = None
    if split:
        scenarios, theirs = workers.split(scenarios)
        worker = workers.Worker.fork(theirs, lambda relay, stop: _judge_part(config, theirs, relay, stop))
    try:
        with _target(config) as (base_url, tokens, embedded):
            target = _open(config, base_url, tokens)
            try:
                return _run(target, config, observer, embedded, started, scenarios, worker, pool)
            finally:
                target.close()
    finally:
        if worker is not None:
            worker.close()


def _splittable(config: RunConfig) -> bool:
    """A run whose rules may be judged in two processes: nothing recorded or replayed, no budget or pace to share."""
    return (
        config.draws is None
        and config.transport is None
        and config.options.max_requests is None
        and config.pacer is None
    )


def _open(config: RunConfig, base_url: str, tokens: Mapping[str, str | None]) -> Target:
    options = config.options
    most = budget.plan(options.max_examples, options.max_requests).most
    return Target(
        base_url,
        tokens,
        timeout=config.timeout,
        pacer=config.pacer,
        sleep=config.sleep,
        explain=config.explain,
        transport=config.transport,
        limit=most - (budget.RESTORE - 1 if options.writes else 0),  # restoring is never cut short
        quota=Quota(config.rate_share, config.clock),
        interrupted=config.interrupted,
        wire=not config.recording,
    )


def _snapshot(target: Target) -> dict | None:
    """The owner's view before any write; a request that got no answer is tried again."""
    for _ in range(SNAPSHOT_TRIES - 1):
        with contextlib.suppress(NoResponse):
            return take_snapshot(target)
    return take_snapshot(target)


def _judge(
    state: Run, scenarios: list[checks.Scenario], observer: Observer | None, keep_backup: bool = True
) -> tuple[str | None, Restore | None]:
    """Snapshot the account, run `scenarios`, restore it: why the run stopped early (or None), and the restore."""
    target = state.target
    snapshot = None
    outcome = None
    stopped = None
    try:
        if state.ctx.options.writes:
            snapshot = _snapshot(target)
        state.ctx.snapshot = snapshot
        if isinstance(state.ctx.ahead, ahead.Ahead):
            state.ctx.ahead.tell(state.ctx.options, target.tokens, snapshot, state.drawing_ahead(scenarios))
        if state.ctx.options.max_requests is None:
            _phase(state, scenarios, observer, snapshot, WHOLE)
        else:
            _phase(state, scenarios, observer, snapshot, COVERAGE)
            if snapshot is not None:
                restore(target, snapshot)  # the search starts from the account as the run found it
            searching = [s for s in scenarios if s.requirement_id in state.searching]
            searching = [s for s in searching if state.results[s.requirement_id].skip_reason is None]
            _phase(state, searching, observer, snapshot, SEARCH)
    except TargetGone as gone:
        stopped = str(gone)
    except BudgetSpent as spent:
        state.not_reached(str(spent))
    except NoResponse as error:
        stopped = f"the account could not be read before writing to it: {error}"
    except KeyboardInterrupt:
        stopped = INTERRUPTED
    finally:
        if snapshot is not None:
            outcome = _restore(target, snapshot, keep_backup)
    return stopped, outcome


def _phase(
    state: Run, scenarios: list[checks.Scenario], observer: Observer | None, snapshot: dict | None, phase: str
) -> None:
    """Run `scenarios` in one phase (see conformance.context.WHOLE)."""
    target = state.target
    state.ctx.phase = phase
    for scenario in scenarios:
        if observer:
            observer.scenario_started(scenario.requirement_id)
        before = target.requests
        if scenario.requirement_id in LAST and snapshot is not None and _left_invalid(state):
            restore(target, snapshot)
        result = state.scenario(scenario)
        if observer:
            observer.scenario_finished(result, target.requests - before)


def _left_invalid(state: Run) -> bool:
    """Whether the account was seen invalid: the rules before the last may have stored what they sent.

    A rule that fails goes on sending what it finds accepted, wrong types among them; what is
    already wrong with the account when ROBUST-STATE-VALID starts is not that rule's to find, so it
    starts from the account as the run found it. A target that never answered an invalid account
    is not sent these requests.
    """
    return state.results["SHAPE-ACCOUNT"].failure_count > 0


def _judge_part(
    config: RunConfig, scenarios: list[checks.Scenario], observer: Observer, stop: Callable[[], bool]
) -> workers.Part:
    """In a worker: `scenarios` against a reference server of its own, until done or told to `stop`."""
    config = dataclasses.replace(config, interrupted=stop)
    # Drawing the description's PUTs sends nothing for a while: it asks `stop` itself.
    with described.stop_drawing_when(stop), _target(config) as (base_url, tokens, _):
        target = _open(config, base_url, tokens)
        try:
            state = Run(target, config.options, None, config.expectations)
            stopped, _ = _judge(state, scenarios, observer)
        finally:
            target.close()
    judged = state.done | {check.requirement_id for check in checks.RESPONSE_CHECKS}
    part = workers.Part({id_: state.results[id_] for id_ in judged}, state.done, target.requests, stopped)
    part.resent = target.resent
    return part


def _gather(worker: workers.Worker, observer: Observer | None, stopped: str | None) -> tuple[workers.Part, str | None]:
    """The worker's part; an interrupt while waiting for it interrupts the worker and the run."""
    try:
        return worker.finish(observer, interrupted=stopped == INTERRUPTED), stopped
    except KeyboardInterrupt:
        return worker.finish(observer, interrupted=True), stopped or INTERRUPTED


def _run(
    target: Target,
    config: RunConfig,
    observer: Observer | None,
    embedded: bool,
    started: float,
    scenarios: list[checks.Scenario],
    worker: workers.Worker | None,
    pool: described.Pool | None = None,
) -> RunResult:
    options = config.options
    state = Run(target, options, config.draws, config.expectations)
    if pool is not None:  # the forked process drawing the pool draws its properties too
        state.ctx.ahead = ahead.Ahead(pool)
    if observer:
        observer.started(len(checks.SCENARIOS))
    # A replay changed no account: a restore it could not play leaves nothing to keep in a file.
    relaying = workers.Relaying(observer, worker) if worker else observer
    stopped, outcome = _judge(state, scenarios, relaying, keep_backup=config.transport is None)
    requests, resent = target.requests, target.resent
    if worker is not None:
        part, stopped = _gather(worker, observer, stopped)
        state.take(part)
        stopped = stopped or part.stopped
        requests += part.requests
        resent += part.resent
    if stopped:
        state.not_judged(stopped)
    state.response_check_coverage()
    info = TargetInfo(
        base_url=target.base_url,
        roles=[role for role in ROLES if target.has(role)],
        support_created=options.support_created,
        writes=options.writes,
        embedded=embedded,
    )
    run_result = RunResult(
        target=info,
        requirements=list(state.results.values()),
        requests=requests,
        duration_s=round(time.perf_counter() - started, 3),
        seed=options.seed,
        max_examples=options.max_examples,
        max_requests=options.max_requests,
        restored=None if outcome is None or not outcome.needed else outcome.succeeded,
        restore_message=None if outcome is None else outcome.message,
        stopped=stopped,
        resent=resent,
    )
    if config.expectations is not None:
        apply(run_result, config.expectations)
        run_result.expectations = {"path": str(config.expectations.path), "name": config.expectations.name}
    return run_result


def _restore(target: Target, snapshot: dict, keep_backup: bool = True) -> Restore:
    """Restore what can be; when that fails, keep the original billing in a file so that a person can."""
    # A target that stopped answering gets one more chance to be put right, and the requests that
    # restore were kept out of the budget.
    target.try_again(None if target.limit is None else target.limit + budget.RESTORE - 1)
    outcome = restore(target, snapshot)
    if outcome.succeeded or not keep_backup:
        return outcome
    Path(BACKUP_FILE).write_text(json.dumps(snapshot.get("billing"), indent=2), encoding="utf-8")
    return Restore(needed=True, succeeded=False, message=f"{outcome.message}; original billing saved in {BACKUP_FILE}")


def unjudged(base_url: str, why: str, error: BaseException | None = None) -> RunResult:
    """The result of a run that could not start or was cut off before it had a result: every rule errored."""
    reason = SuiteError(why) if error is None else _with_exception(why, error)
    results = [RequirementResult(requirement) for requirement in catalog.requirements()]
    for result in results:
        result.could_not_judge(reason)
    info = TargetInfo(base_url=base_url or "(embedded reference server)", roles=[], support_created=False, writes=False)
    return RunResult(info, results, requests=0, duration_s=0.0, seed=0, max_examples=1, stopped=why)
