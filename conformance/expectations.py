"""What a target is known to do wrong: its expectations file (`run --expect FILE`).

People who validate an implementation over months keep, per implementation, the rules it knowingly
breaks, so that a run says "as before" instead of "failed", and says so loudly when that changes:

    [target]
    name = "Prism 5 mock of openapi/chat-accounts.yaml"

    [expected.ROLE-GET-AGENT]
    reason = "Prism checks that a bearer token is present, not whose it is"
    link = "https://github.com/stoplightio/prism/issues/..."   # optional
    strict = false   # optional: the rule may also pass (a deviation that comes and goes)

    [skip.ROBUST-STATE-VALID]
    reason = "a PUT naming a field beyond Latin-1 kills the Prism process"

A listed rule that fails is `expected`; one that passes is an unexpected pass, which fails the
verdict so that the file never goes stale (unless the entry says `strict = false`). A `skip` entry
keeps the rule from running at all, for rules whose requests stop the target; it is `skipped`
with the reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance import catalog
from conformance.deviations import Expectation
from conformance.failures import Failure
from conformance.results import RunResult, Status, SuiteError

KINDS = ("expected", "skip")


class ExpectationsError(Exception):
    """An expectations file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Expectations:
    path: Path
    name: str | None = None
    expected: dict[str, Expectation] = field(default_factory=dict)
    skip: dict[str, Expectation] = field(default_factory=dict)

    def skip_reason(self, requirement_id: str) -> str | None:
        entry = self.skip.get(requirement_id)
        if entry is None:
            return None
        return f"the expectations file skips it: {entry}"


def load(path: Path) -> Expectations:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExpectationsError(f"no expectations file at {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ExpectationsError(f"{path} cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"{path} is not valid TOML: {error}") from None
    unknown_tables = sorted(set(document) - {"target", *KINDS})
    if unknown_tables:
        raise ExpectationsError(
            f"{path}: unknown table {unknown_tables[0]!r}; expected [target], [expected.ID], [skip.ID]"
        )
    target = document.get("target", {})
    name = target.get("name") if isinstance(target, dict) else None
    entries = {kind: _entries(path, kind, document.get(kind, {})) for kind in KINDS}
    both = sorted(set(entries["expected"]) & set(entries["skip"]))
    if both:
        raise ExpectationsError(f"{path}: {both[0]} is both expected to fail and skipped; keep one")
    return Expectations(path, name if isinstance(name, str) else None, entries["expected"], entries["skip"])


def _entries(path: Path, kind: str, table: Any) -> dict[str, Expectation]:
    if not isinstance(table, dict):
        raise ExpectationsError(f"{path}: [{kind}] must be a table of requirement IDs")
    known = {requirement.id for requirement in catalog.requirements()}
    entries = {}
    for requirement_id, entry in table.items():
        where = f"{path}: [{kind}.{requirement_id}]"
        if requirement_id not in known:
            raise ExpectationsError(f"{where}: no requirement has this ID (chat-conformance requirements lists them)")
        if not isinstance(entry, dict) or not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
            raise ExpectationsError(f"{where} needs a reason: a sentence saying why the target does this")
        link, strict = entry.get("link"), entry.get("strict", True)
        if link is not None and not isinstance(link, str):
            raise ExpectationsError(f"{where}: link must be a string")
        if not isinstance(strict, bool):
            raise ExpectationsError(f"{where}: strict must be true or false")
        extra = sorted(set(entry) - {"reason", "link", "strict"})
        if extra:
            raise ExpectationsError(f"{where}: unknown key {extra[0]!r}; an entry has reason, link and strict")
        entries[requirement_id] = Expectation(entry["reason"].strip(), link, strict)
    return entries


def apply(result: RunResult, expectations: Expectations) -> None:
    """Mark listed failures `expected`, and listed passes as unexpected (which fails the verdict)."""
    for entry in result.requirements:
        expectation = expectations.expected.get(entry.requirement.id)
        if expectation is None:
            continue
        if entry.status is Status.FAILED:
            entry.expectation = expectation
        elif entry.status is Status.PASSED and result.stopped:
            # What a run cut short saw says nothing of what the rest would have: not a pass to act on.
            why = f"the run ended before the failure the expectations file lists could show: {result.stopped}"
            entry.could_not_judge(SuiteError(why))
        elif entry.status is Status.PASSED and expectation.strict:
            entry.unexpected_pass = True
            entry.fail(
                Failure(
                    f"passed, though the expectations file {expectations.path} says it fails "
                    f"({expectation.reason}); the target now keeps this rule: remove the entry"
                )
            )
