"""Run every check against a target and gather a result per requirement.

The order of a run: snapshot the account, run the scenarios (each a small driver of requests),
judge every exchange they cause with the response checks, restore the account, and report. The
embedded reference server is started when no target is given.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from hypothesis.errors import Flaky, Unsatisfiable

from conformance import catalog, checks
from conformance.context import Context, Options
from conformance.exchange import Exchange
from conformance.failures import Skip, Violation
from conformance.results import RequirementResult, RunResult, TargetInfo
from conformance.safety import Restore, restore, take_snapshot
from conformance.server import ServerSettings, create_app
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS
from conformance.transport import Pacer, Target, Unreachable

ROLES = ("owner", "admin", "agent")
# Scenarios run in catalog order, except that the one sending arbitrary sequences of PUTs goes
# last: it may leave a faulty server in any state, which must not blur what the others judge.
LAST = ("ROBUST-STATE-VALID",)
BACKUP_FILE = "chat-conformance-billing-backup.json"
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


class Observer(Protocol):
    """Told of progress, e.g. to draw a progress bar."""

    def started(self, scenarios: int) -> None: ...

    def scenario_started(self, requirement_id: str) -> None: ...

    def scenario_finished(self, result: RequirementResult, requests: int) -> None: ...


def new_seed() -> int:
    return random.SystemRandom().randrange(2**32)


@contextlib.contextmanager
def _target(config: RunConfig) -> Iterator[tuple[str, Mapping[str, str | None], bool]]:
    if config.base_url:
        yield config.base_url, config.tokens, False
        return
    settings = ServerSettings(support_created=config.options.support_created)
    with BackgroundServer(create_app(settings)) as server:
        yield server.url, DEFAULT_TOKENS, True


def _ordered_scenarios() -> list[checks.Scenario]:
    position = {requirement.id: index for index, requirement in enumerate(catalog.requirements())}
    return sorted(checks.SCENARIOS, key=lambda s: (s.requirement_id in LAST, position[s.requirement_id]))


def _unmet(needs: checks.Needs, target: Target, options: Options) -> str | None:
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

    def __init__(self, target: Target, options: Options) -> None:
        self.target = target
        self.ctx = Context(target, options)
        self.results = {r.id: RequirementResult(r) for r in catalog.requirements()}
        for check in checks.RESPONSE_CHECKS:
            self.results[check.requirement_id].checks.append(check.name)
        for scenario in checks.SCENARIOS:
            self.results[scenario.requirement_id].checks.append(scenario.name)
        target.listeners.append(self.judge)

    def judge(self, exchange: Exchange) -> None:
        """Apply every response check to one exchange."""
        for check in checks.RESPONSE_CHECKS:
            result = self.results[check.requirement_id]
            try:
                judged = check.judge(exchange, self.ctx)
            except Violation as violation:
                result.exercised += 1
                result.fail(violation.failure)
                continue
            if judged is not None:
                result.exercised += 1

    def scenario(self, scenario: checks.Scenario) -> RequirementResult:
        result = self.results[scenario.requirement_id]
        reason = _unmet(scenario.needs, self.target, self.ctx.options)
        if reason is not None:
            result.skip_reason = reason
            return result
        self.ctx.requirement_id = scenario.requirement_id
        sent = self.target.requests
        try:
            scenario.run(self.ctx)
        except Skip as skip:
            result.skip_reason = str(skip)
        except Unsatisfiable:
            result.skip_reason = "no example could be generated for this target"
        except (Violation, Flaky, BaseExceptionGroup) as error:
            unreachable = _found(error, Unreachable)
            if unreachable:
                raise unreachable[0] from None
            found = _found(error, Violation)
            if not found:
                raise
            for violation in found:
                result.fail(violation.failure)
        finally:
            result.exercised += self.target.requests - sent
            result.notes.extend(self.ctx.notes.get(scenario.requirement_id, []))
        return result

    def response_check_coverage(self) -> None:
        for check in checks.RESPONSE_CHECKS:
            result = self.results[check.requirement_id]
            if result.exercised == 0:
                result.skip_reason = check.unexercised


def run(config: RunConfig, observer: Observer | None = None) -> RunResult:
    """Test one target; raises Unreachable when it cannot be reached, after restoring what it could."""
    started = time.perf_counter()
    with _target(config) as (base_url, tokens, embedded):
        target = Target(
            base_url, tokens, timeout=config.timeout, pacer=config.pacer, sleep=config.sleep, explain=config.explain
        )
        try:
            return _run(target, config.options, observer, embedded, started)
        finally:
            target.close()


def _run(target: Target, options: Options, observer: Observer | None, embedded: bool, started: float) -> RunResult:
    state = Run(target, options)
    scenarios = _ordered_scenarios()
    if observer:
        observer.started(len(scenarios))
    snapshot = take_snapshot(target) if options.writes else None
    state.ctx.snapshot = snapshot
    outcome = None
    try:
        for scenario in scenarios:
            if observer:
                observer.scenario_started(scenario.requirement_id)
            before = target.requests
            result = state.scenario(scenario)
            if observer:
                observer.scenario_finished(result, target.requests - before)
    finally:
        if snapshot is not None:
            outcome = _restore(target, snapshot)
    state.response_check_coverage()
    info = TargetInfo(
        base_url=target.base_url,
        roles=[role for role in ROLES if target.has(role)],
        support_created=options.support_created,
        writes=options.writes,
        embedded=embedded,
    )
    return RunResult(
        target=info,
        requirements=list(state.results.values()),
        requests=target.requests,
        duration_s=round(time.perf_counter() - started, 3),
        seed=options.seed,
        max_examples=options.max_examples,
        restored=None if outcome is None or not outcome.needed else outcome.succeeded,
        restore_message=None if outcome is None else outcome.message,
    )


def _restore(target: Target, snapshot: dict) -> Restore:
    """Restore; when that fails, keep the original billing in a file so that a person can."""
    try:
        outcome = restore(target, snapshot)
    except Unreachable as error:
        outcome = Restore(needed=True, succeeded=False, message=f"billing could not be restored: {error}")
    if outcome.succeeded:
        return outcome
    Path(BACKUP_FILE).write_text(json.dumps(snapshot.get("billing"), indent=2), encoding="utf-8")
    return Restore(needed=True, succeeded=False, message=f"{outcome.message}; original billing saved in {BACKUP_FILE}")
