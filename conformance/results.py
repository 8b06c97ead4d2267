"""What a run found: a status per requirement, and the verdict they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from conformance.catalog import Level, Requirement
from conformance.failures import Failure

MAX_FAILURES_KEPT = 5  # per requirement; the rest are only counted


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class RequirementResult:
    requirement: Requirement
    checks: list[str] = field(default_factory=list)  # the functions that judged it
    exercised: int = 0  # exchanges judged, or requests a scenario sent
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    skip_reason: str | None = None
    notes: list[str] = field(default_factory=list)

    def fail(self, failure: Failure) -> None:
        self.failure_count += 1
        if len(self.failures) < MAX_FAILURES_KEPT and failure not in self.failures:
            self.failures.append(failure)

    @property
    def status(self) -> Status:
        if self.failure_count:
            return Status.FAILED
        if self.skip_reason is not None or self.exercised == 0:
            return Status.SKIPPED
        return Status.PASSED

    @property
    def reason(self) -> str | None:
        if self.status is not Status.SKIPPED:
            return None
        return self.skip_reason or "no request exercised it"

    @property
    def is_warning(self) -> bool:
        return self.status is Status.FAILED and self.requirement.level is Level.SHOULD


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
    restored: bool | None = None  # None: nothing needed restoring
    restore_message: str | None = None
    incomplete: str | None = None  # why the run stopped early, if it did

    @property
    def verdict(self) -> str:
        failed_must = any(
            result.status is Status.FAILED and result.requirement.level is Level.MUST for result in self.requirements
        )
        return "fail" if failed_must else "pass"

    def counts(self, level: Level | None = None) -> dict[str, int]:
        chosen = [result for result in self.requirements if level is None or result.requirement.level is level]
        return {status.value: sum(result.status is status for result in chosen) for status in Status}

    def by_id(self) -> dict[str, RequirementResult]:
        return {result.requirement.id: result for result in self.requirements}

    def summary(self) -> dict[str, Any]:
        return {"must": self.counts(Level.MUST), "should": self.counts(Level.SHOULD)}
