"""The JSON report of `run --json`, as the contract fixes it (plus fields users asked for).

`report.schema.json` beside this file describes it; every report written is valid against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance import __version__
from conformance.distinct import describe_faults
from conformance.failures import Failure
from conformance.results import RequirementResult, RunResult, Status

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")


def requirement_entry(result: RequirementResult) -> dict[str, Any]:
    """One rule as the report holds it; the terminal and JUnit render its failures from this too."""
    entry: dict[str, Any] = {
        "id": result.requirement.id,
        "level": result.requirement.level.value,
        "status": result.status.value,
    }
    if result.status in (Status.FAILED, Status.EXPECTED):
        entry["failures"] = [_failure(failure) for failure in result.failures]
        entry["failure_count"] = result.failure_count
        entry["distinct_failures"] = result.distinct_failures
    if result.unexpected_pass:
        entry["unexpected_pass"] = True
    if result.status in (Status.SKIPPED, Status.ERRORED, Status.EXPECTED):
        entry["reason"] = result.reason
    if result.expectation is not None and result.expectation.link:
        entry["link"] = result.expectation.link
    if result.status is Status.ERRORED and result.error is not None and result.error.exception is not None:
        entry["error"] = result.error.to_dict()
    if result.notes:
        entry["notes"] = result.notes
    entry["coverage"] = {"checks": result.checks, "requests": result.exercised}
    return entry


def _failure(failure: Failure) -> dict[str, Any]:
    data = failure.to_dict()
    fault = describe_faults(failure)
    if fault is not None:
        data["fault"] = fault
    return data


def to_dict(result: RunResult) -> dict[str, Any]:
    report = {
        "tool": {"name": "zendesk-chat-conformance", "version": __version__},
        "target": {
            "base_url": result.target.base_url,
            "roles": result.target.roles,
            "support_created": result.target.support_created,
            "writes": result.target.writes,
            "embedded": result.target.embedded,
        },
        "verdict": result.verdict,
        "requests": result.requests,
        "resent": result.resent,
        "duration_s": result.duration_s,
        "seed": result.seed,
        "max_examples": result.max_examples,
        "max_requests": result.max_requests,
        "summary": result.summary(),
        "restore": {"restored": result.restored, "message": result.restore_message},
        "requirements": [requirement_entry(entry) for entry in result.requirements],
    }
    if result.error is not None:
        report["error"] = result.error
    if result.expectations is not None:
        report["expectations"] = result.expectations
    replay = getattr(result, "replay", None)  # a replay's result: whether it found what was recorded
    if replay is not None:
        report["replay"] = replay.to_dict()
    return report


def write(result: RunResult, path: Path) -> None:
    path.write_text(json.dumps(to_dict(result), indent=2) + "\n", encoding="utf-8")


class ReportError(ValueError):
    """A file that is not a JSON report of `chat-conformance run`; the message names it and why."""


def load(path: Path) -> dict[str, Any]:
    """A JSON report, checked against the report schema."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ReportError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise ReportError(f"{path} is not JSON: {error}") from None
    from jsonschema import Draft202012Validator  # here: writing a report, as a run does, needs none of it

    problems = sorted(Draft202012Validator(json.loads(SCHEMA_PATH.read_text())).iter_errors(report), key=str)
    if problems:
        raise ReportError(f"{path} is not a chat-conformance report: {problems[0].message}")
    return report
