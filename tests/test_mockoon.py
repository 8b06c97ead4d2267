"""The suite against a second real third-party mock: Mockoon CLI serving the description.

Mockoon answers every request with 200 and an account it generates anew: it checks no credentials
and no body, knows no roles and keeps no state. The suite must name exactly those deviations, and
`expectations/mockoon.toml` must say so, with a complete report and no traceback. The test installs
the Mockoon pinned in `interop/mockoon/package-lock.json` itself (npm ci), so a new user's run
includes it; it is skipped only where Node.js is missing.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from conftest import SEED, zoo_member

from conformance import catalog, cli
from conformance.reports.json_report import SCHEMA_PATH
from interop import zoo

MOCKOON = zoo.BY_NAME["mockoon"]
EXPECTATIONS = zoo.EXPECTATIONS / "mockoon.toml"
# Rules no Mockoon run can judge: it never refuses anything, the account is not Support-created, and
# no two reads of the owner agree (every answer is generated anew), so an admin's view has nothing
# to be compared with (ROLE-GET-ADMIN-VIEW).
NEVER_EXERCISED = {"AUTH-NO-LEAK", "AUTH-ERROR-BODY", "RATE-RETRY-AFTER", "SUPPORT-GET-ONLY", "ROLE-GET-ADMIN-VIEW"}


@pytest.fixture(scope="module")
def mockoon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with zoo_member(MOCKOON, log=tmp_path_factory.mktemp("mockoon") / "mockoon.log") as url:
        yield url


def _run(url: str, path: Path, *extra: str) -> tuple[int, dict]:
    code = cli.main(
        ["run", "--base-url", url, *zoo.token_args(MOCKOON), "--seed", str(SEED), *extra, "--json", str(path)]
    )
    report = json.loads(path.read_text())
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    return code, report


def _listed() -> set[str]:
    return set(tomllib.loads(EXPECTATIONS.read_text())["expected"])


def test_the_suite_names_mockoons_deviations(mockoon: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _run(mockoon, tmp_path / "mockoon.json")
    shown = capsys.readouterr()
    assert "Traceback" not in shown.out + shown.err
    statuses = {entry["id"]: entry["status"] for entry in report["requirements"]}
    assert list(statuses) == [requirement.id for requirement in catalog.requirements()]
    assert code == 1 and report["verdict"] == "fail"
    assert {id_ for id_, status in statuses.items() if status == "failed"} == _listed()
    assert {id_ for id_, status in statuses.items() if status == "skipped"} == NEVER_EXERCISED
    assert report["restore"]["restored"] is False  # a mock that keeps no state cannot be shown restored


def test_mockoon_does_what_its_expectations_file_says(mockoon: str, tmp_path: Path) -> None:
    """expectations/mockoon.toml is kept honest: an entry that no longer fails is an unexpected pass, exit 1."""
    code, report = _run(mockoon, tmp_path / "mockoon.json", "--expect", str(EXPECTATIONS))
    unexpected = {e["id"]: e["status"] for e in report["requirements"] if e["status"] in ("failed", "errored")}
    assert code == 0 and report["verdict"] == "pass", unexpected
    assert {e["id"] for e in report["requirements"] if e["status"] == "expected"} == _listed()
