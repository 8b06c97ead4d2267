"""The catalog in the package says what the published requirement catalog says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance import catalog, checks

PUBLISHED = Path(__file__).resolve().parents[2] / "shared" / "requirements.md"


def _published_rows() -> list[tuple[str, str, str, str]]:
    pattern = re.compile(r"^\| ([A-Z0-9-]+) \| (MUST|SHOULD) \| (.*) \| (.*) \|$")
    return [m.groups() for line in PUBLISHED.read_text().splitlines() if (m := pattern.match(line))]


@pytest.mark.skipif(not PUBLISHED.exists(), reason="the published catalog is not beside the checkout")
def test_the_packaged_catalog_matches_the_published_one() -> None:
    packaged = [(r.id, r.level.value, r.rule, r.section) for r in catalog.requirements()]
    assert packaged == _published_rows()


def test_every_requirement_is_judged_by_exactly_one_check() -> None:
    judged = [check.requirement_id for check in checks.RESPONSE_CHECKS] + [s.requirement_id for s in checks.SCENARIOS]
    assert sorted(judged) == sorted(r.id for r in catalog.requirements())


def test_ids_are_unique() -> None:
    ids = [r.id for r in catalog.requirements()]
    assert len(ids) == len(set(ids)) == 29
