"""Whether a replay stood for its recording, and what that makes of its verdict.

A replay is worth its verdict only if it is the recorded run again: every request at its recorded
place, every exchange played, every rule judged as it was. Any difference ends the claim: the
verdict is `error` (exit 3), naming the first difference and how to re-record. `--rejudge` asks for
recorded traffic to be judged afresh (after an upgrade of the suite, say): then differences in the
outcomes are reported and the new verdict decides; traffic that does not line up still cannot be
judged at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.results import RequirementResult, RunResult, Status

# Differences in the traffic itself: the recorded run cannot be played, whatever is asked.
TRAFFIC = ("exchange", "unplayed", "edited")


@dataclass(frozen=True)
class Difference:
    """One way the replay was not its recording; `kind` says which fields it has (see report.schema.json)."""

    kind: str  # exchange (a request out of place or past the end), unplayed, edited, outcome, verdict, requests
    message: str
    place: int | None = None  # counted from 1, the exchange's place in the cassette
    where: str | None = None  # the place as a person reads it: exchange 214 of 613, the 3rd of UPD-MERGE
    sent: str | None = None  # the request the replay sent there
    id: str | None = None  # the rule, for an outcome
    level: str | None = None
    recorded: Any = None  # the request, status, verdict or count the recording has
    replayed: Any = None  # and the replay's

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in dataclasses.asdict(self).items() if value is not None}


@dataclass
class Comparison:
    """Every difference found, first the traffic's (the run stopped there), then the outcomes'."""

    differences: list[Difference]
    rejudge: bool
    rerecord: str  # the command that re-records the cassette (empty when the replay matched)

    @property
    def matches(self) -> bool:
        return not self.differences

    @property
    def decides(self) -> bool:
        """Whether the differences make the verdict `error`: always for traffic, for outcomes unless rejudged."""
        return any(d.kind in TRAFFIC for d in self.differences) or (bool(self.differences) and not self.rejudge)

    def summary(self) -> str:
        first = self.differences[0]
        others = len(self.differences) - 1
        more = f" (and {others} more difference{'s' if others != 1 else ''})" if others else ""
        return f"the replay does not reproduce its recording: {first.message}{more}. {self.rerecord}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "matches": self.matches,
            "rejudge": self.rejudge,
            "differences": [difference.to_dict() for difference in self.differences],
        }


@dataclass
class ReplayResult(RunResult):
    """A replay's result: what its checks found, and whether that is what the recording found."""

    replay: Comparison = field(default_factory=lambda: Comparison([], False, ""))

    @property
    def verdict(self) -> str:
        return "error" if self.replay.decides else super().verdict

    @property
    def error(self) -> str | None:
        return self.replay.summary() if self.replay.decides else super().error


def _how(result: RequirementResult | None, stopped: str | None) -> str:
    if result is None:
        return "not in this version's catalog"
    status = result.status.value
    if result.status is Status.ERRORED and stopped is not None and result.reason == stopped:
        return f"{status} (not judged: the replay stopped at the first difference)"
    if result.status in (Status.FAILED, Status.EXPECTED) and result.failures:
        return f"{status} ({result.failures[0].to_dict()['message']})"
    if result.status in (Status.SKIPPED, Status.ERRORED) and result.reason:
        return f"{status} ({result.reason})"
    return status


def compare(
    result: RunResult,
    recorded: dict[str, Any],
    traffic: Difference | None,
    *,
    rejudge: bool,
    rerecord: Callable[[], str],
) -> ReplayResult:
    """`result` with how it differs from `recorded`: the traffic's first difference, then each rule's.

    `rerecord` says how to record the cassette again; asked only when the replay differs.
    """
    differences = [traffic] if traffic is not None else []
    differences += _outcomes(result, recorded)
    if traffic is None and not differences and result.requests != recorded["requests"]:
        message = f"the recording counted {recorded['requests']} requests, the replay sent {result.requests}"
        differences.append(Difference("requests", message, recorded=recorded["requests"], replayed=result.requests))
    kept = {item.name: getattr(result, item.name) for item in dataclasses.fields(result)}
    return ReplayResult(**kept, replay=Comparison(differences, rejudge, rerecord() if differences else ""))


def _outcomes(result: RunResult, recorded: dict[str, Any]) -> list[Difference]:
    """The rules whose status differs from the recorded one, in the catalog's order; else the verdict, if it does."""
    found = result.by_id()
    statuses = recorded["statuses"]
    differences = []
    for rule in [*found, *(rule for rule in statuses if rule not in found)]:
        now = found.get(rule)
        replayed = None if now is None else now.status.value
        if statuses.get(rule) == replayed:
            continue
        was = statuses.get(rule, "absent (not in the catalog it was recorded with)")
        differences.append(
            Difference(
                "outcome",
                f"{rule} was {was} when recorded, {_how(now, result.stopped)} in the replay",
                id=rule,
                level=None if now is None else now.requirement.level.value,
                recorded=statuses.get(rule),
                replayed=replayed,
            )
        )
    if not differences and result.verdict != recorded["verdict"]:
        message = f"the verdict was {recorded['verdict']} when recorded, {result.verdict} in the replay"
        differences.append(Difference("verdict", message, recorded=recorded["verdict"], replayed=result.verdict))
    return differences
