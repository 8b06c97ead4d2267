"""What a run found: a status per requirement, and the verdict they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.catalog import Level, Requirement
from conformance.deviations import Expectation
from conformance.distinct import Deviations
from conformance.failures import Failure

MAX_FAILURES_KEPT = 5  # distinct failures per requirement; the rest are only counted


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERRORED = "errored"  # the suite could not judge the rule; `reason` says why
    EXPECTED = "expected"  # failed, as the target's expectations file says it does


@dataclass(frozen=True)
class SuiteError:
    """Why a rule could not be judged: the target stopped answering, or a check raised unexpectedly.

    `exception` and `traceback` are set for the second kind, so that a user can file it.
    """

    reason: str
    exception: str | None = None
    traceback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"reason": self.reason}
        if self.exception is not None:
            data["exception"] = self.exception
        if self.traceback is not None:
            data["traceback"] = self.traceback
        return data


@dataclass
class RequirementResult:
    requirement: Requirement
    checks: list[str] = field(default_factory=list)  # the functions that judged it
    exercised: int = 0  # exchanges judged, or requests a scenario sent
    deviations: Deviations = field(default_factory=lambda: Deviations(MAX_FAILURES_KEPT))
    skip_reason: str | None = None
    error: SuiteError | None = None  # the first reason the rule could not be judged
    notes: list[str] = field(default_factory=list)
    expectation: Expectation | None = None  # set when it failed as the expectations file says
    unexpected_pass: bool = False  # it passed, though the expectations file says it fails

    @property
    def failures(self) -> list[Failure]:
        """Each distinct way the rule was broken, its smallest reproduction, the first found first."""
        return self.deviations.kept

    @property
    def failure_count(self) -> int:
        """Failures seen: every exchange a response check failed, every distinct failure of a scenario."""
        return self.deviations.seen

    @property
    def distinct_failures(self) -> int:
        """Distinct ways the rule was broken, those past MAX_FAILURES_KEPT included."""
        return self.deviations.distinct

    def fail(self, failure: Failure) -> None:
        self.deviations.add(failure)

    def could_not_judge(self, error: SuiteError) -> None:
        if self.error is None:
            self.error = error

    def absorb(self, other: RequirementResult) -> None:
        """Add what another process judged of the same rule, as if this one had judged it too."""
        self.exercised += other.exercised
        self.deviations.absorb(other.deviations)
        if other.error is not None:
            self.could_not_judge(other.error)
        self.notes.extend(note for note in other.notes if note not in self.notes)

    @property
    def status(self) -> Status:
        # A failure found is a fact whatever else went wrong; an error outranks a skip, since the
        # rule was meant to be judged.
        if self.failure_count:
            return Status.EXPECTED if self.expectation is not None else Status.FAILED
        if self.error is not None:
            return Status.ERRORED
        if self.skip_reason is not None or self.exercised == 0:
            return Status.SKIPPED
        return Status.PASSED

    @property
    def reason(self) -> str | None:
        status = self.status
        if status is Status.ERRORED:
            return self.error.reason if self.error else None
        if status is Status.EXPECTED:
            return self.expectation.reason if self.expectation else None
        if status is not Status.SKIPPED:
            return None
        return self.skip_reason or "no request exercised it"

    @property
    def is_warning(self) -> bool:
        return self.status is Status.FAILED and self.requirement.level is Level.SHOULD and not self.unexpected_pass

    @property
    def fails_verdict(self) -> bool:
        """A MUST failure, or a pass the expectations file did not expect (of any level)."""
        if self.status is not Status.FAILED:
            return False
        return self.requirement.level is Level.MUST or self.unexpected_pass


@dataclass
class TargetInfo:
    base_url: str
    roles: list[str]
    support_created: bool
    writes: bool
    embedded: bool = False


@dataclass
class RunResult:
    target: TargetInfo
    requirements: list[RequirementResult]
    requests: int
    duration_s: float
    seed: int
    max_examples: int
    max_requests: int | None = None
    restored: bool | None = None  # None: nothing needed restoring
    restore_message: str | None = None
    stopped: str | None = None  # why the run ended before judging every rule, if it did
    expectations: dict[str, Any] | None = None  # the expectations file it was judged with: path, name
    resent: int = 0  # requests sent once more after a keep-alive connection closed before answering

    @property
    def verdict(self) -> str:
        """`fail` on any MUST failure (or unexpected pass), whatever else happened; else `error` if a
        rule could not be judged. Expected failures and SHOULD warnings keep `pass`."""
        if any(result.fails_verdict for result in self.requirements):
            return "fail"
        if self.stopped or any(result.status is Status.ERRORED for result in self.requirements):
            return "error"
        return "pass"

    @property
    def error(self) -> str | None:
        """What kept the run from a verdict, when the verdict is `error`."""
        if self.verdict != "error":
            return None
        if self.stopped:
            return self.stopped
        errored = [result for result in self.requirements if result.status is Status.ERRORED]
        shown = "; ".join(f"{result.requirement.id}: {result.reason}" for result in errored[:3])
        more = f"; and {len(errored) - 3} more" if len(errored) > 3 else ""
        return f"{len(errored)} rule{'s' if len(errored) != 1 else ''} could not be judged: {shown}{more}"

    def counts(self, level: Level | None = None) -> dict[str, int]:
        chosen = [result for result in self.requirements if level is None or result.requirement.level is level]
        return {status.value: sum(result.status is status for result in chosen) for status in Status}

    def by_id(self) -> dict[str, RequirementResult]:
        return {result.requirement.id: result for result in self.requirements}

    def summary(self) -> dict[str, Any]:
        return {"must": self.counts(Level.MUST), "should": self.counts(Level.SHOULD)}
