"""What changed between two runs of one target: regressions, fixes and other changes, rule by rule.

A rule *regressed* when it passed before and now fails (or fails as the expectations file
expects: it fails all the same), and was *fixed* the other way round. Any other change of status
(judged then skipped, errored, a failure now expected) is listed as changed. A rule that failed in
both runs but with other failures is listed too, since what breaks it may have moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

GOOD = {"passed"}
BAD = {"failed", "expected"}


@dataclass(frozen=True)
class Change:
    id: str
    level: str
    before: str | None  # None: not in that report
    after: str | None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "level": self.level, "before": self.before, "after": self.after, "detail": self.detail}


@dataclass
class Changes:
    regressed: list[Change] = field(default_factory=list)
    fixed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    verdicts: tuple[str, str] = ("", "")
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": {"before": self.verdicts[0], "after": self.verdicts[1]},
            "regressed": [change.to_dict() for change in self.regressed],
            "fixed": [change.to_dict() for change in self.fixed],
            "changed": [change.to_dict() for change in self.changed],
            "unchanged": self.unchanged,
            "warnings": self.warnings,
        }


def _messages(entry: dict[str, Any] | None) -> set[str]:
    return {failure["message"] for failure in (entry or {}).get("failures", [])}


def _detail(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "not in this report"
    if entry.get("failures"):
        return entry["failures"][0]["message"]
    return entry.get("reason", "")


def compare(old: dict[str, Any], new: dict[str, Any]) -> Changes:
    changes = Changes(verdicts=(old["verdict"], new["verdict"]))
    if old["target"]["base_url"] != new["target"]["base_url"]:
        changes.warnings.append(
            f"the runs tested different targets: {old['target']['base_url']} and {new['target']['base_url']}"
        )
    if set(old["target"]["roles"]) != set(new["target"]["roles"]):
        changes.warnings.append(
            f"the runs had other roles: {', '.join(old['target']['roles']) or 'none'} and "
            f"{', '.join(new['target']['roles']) or 'none'}"
        )
    before = {entry["id"]: entry for entry in old["requirements"]}
    after = {entry["id"]: entry for entry in new["requirements"]}
    for requirement_id in [*after, *(id_ for id_ in before if id_ not in after)]:
        was, now = before.get(requirement_id), after.get(requirement_id)
        level = (now or was or {}).get("level", "")
        status_was, status_now = (was or {}).get("status"), (now or {}).get("status")
        if status_was in GOOD and status_now in BAD:
            changes.regressed.append(Change(requirement_id, level, status_was, status_now, _detail(now)))
        elif status_was in BAD and status_now in GOOD:
            changes.fixed.append(Change(requirement_id, level, status_was, status_now, _detail(was)))
        elif status_was != status_now:
            changes.changed.append(Change(requirement_id, level, status_was, status_now, _detail(now)))
        elif status_now in BAD and _messages(was) != _messages(now):
            detail = f"fails otherwise now: {_detail(now)}"
            changes.changed.append(Change(requirement_id, level, status_was, status_now, detail))
        else:
            changes.unchanged += 1
    return changes
