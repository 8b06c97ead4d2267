"""The requirement catalog: every rule the suite judges, with its stable ID and level."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path


class Level(StrEnum):
    MUST = "MUST"  # a failure makes the verdict `fail`
    SHOULD = "SHOULD"  # a failure is a warning; the verdict can still be `pass`


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    rule: str
    section: str


@cache
def requirements() -> tuple[Requirement, ...]:
    """Every requirement, in catalog order."""
    data = tomllib.loads(Path(__file__).with_name("requirements.toml").read_text(encoding="utf-8"))
    return tuple(
        Requirement(id=row["id"], level=Level(row["level"]), rule=row["rule"], section=row["section"])
        for row in data["requirement"]
    )


@cache
def by_id() -> dict[str, Requirement]:
    return {requirement.id: requirement for requirement in requirements()}


def get(requirement_id: str) -> Requirement:
    try:
        return by_id()[requirement_id]
    except KeyError:
        raise KeyError(f"no requirement {requirement_id!r} in the catalog") from None
