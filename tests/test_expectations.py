"""--expect: known deviations are `expected`, a pass the file does not expect fails the run, bad files exit 2."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import http_double
import jsonschema
import pytest
from conftest import SEED, TOKEN_ARGS

from conformance import cli
from conformance.reports.json_report import SCHEMA_PATH
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer

TOKENS = TOKEN_ARGS
BILLING = """
[target]
name = "a server that shows billing to admins"

[expected.BILLING-OWNER-ONLY]
reason = "admins are served the owner's view"
link = "https://example.org/issues/7"
"""


def _run(app: object, tmp_path: Path, expectations: str, *extra: str) -> tuple[int, dict]:
    path = tmp_path / "expect.toml"
    path.write_text(expectations, encoding="utf-8")
    report = tmp_path / "report.json"
    with BackgroundServer(app) as server:
        args = ["run", "--base-url", server.url, *TOKENS, "--seed", str(SEED), "--max-examples", "3"]
        code = cli.main([*args, "--expect", str(path), "--json", str(report), *extra])
    data = json.loads(report.read_text()) if report.exists() else {}
    return code, data


def _entry(report: dict, requirement_id: str) -> dict:
    return next(entry for entry in report["requirements"] if entry["id"] == requirement_id)


def test_a_listed_failure_is_expected_and_the_run_passes(tmp_path: Path) -> None:
    junit, html = tmp_path / "report.xml", tmp_path / "report.html"
    code, report = _run(faults.AdminSeesBilling(), tmp_path, BILLING, "--junit-xml", str(junit), "--html", str(html))
    assert code == 0 and report["verdict"] == "pass"
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    entry = _entry(report, "BILLING-OWNER-ONLY")
    assert entry["status"] == "expected"
    assert entry["reason"] == "admins are served the owner's view" and entry["link"] == "https://example.org/issues/7"
    assert entry["failures"]  # what it did is kept
    assert report["summary"]["must"]["expected"] == 1
    assert report["expectations"]["name"] == "a server that shows billing to admins"
    case = ET.parse(junit).getroot().find("testcase[@name='BILLING-OWNER-ONLY']")
    assert case is not None and case.find("skipped").get("type") == "expected"
    assert case.find("skipped").get("message") == (
        "expected to fail: admins are served the owner's view (https://example.org/issues/7)"
    )
    page = html.read_text()
    assert 'class="expected"' in page and "admins are served the owner&#x27;s view" in page


def test_a_listed_rule_that_passes_fails_the_run_saying_the_entry_can_go(tmp_path: Path) -> None:
    code, report = _run(create_app(), tmp_path, BILLING)
    assert code == 1 and report["verdict"] == "fail"
    entry = _entry(report, "BILLING-OWNER-ONLY")
    assert entry["status"] == "failed" and entry["unexpected_pass"] is True
    assert "remove the entry" in entry["failures"][0]["message"]


def test_a_listed_rule_a_run_cut_short_never_saw_fail_is_errored_not_an_unexpected_pass(tmp_path: Path) -> None:
    # As Prism, killed mid-run by one generated request, is: what had passed so far proves nothing.
    listed = '[expected.SHAPE-CONTENT-TYPE]\nreason = "errors as problem+json"\n'
    path, report = tmp_path / "expect.toml", tmp_path / "report.json"
    path.write_text(listed, encoding="utf-8")
    with http_double.serving(http_double.StopsAnsweringAfter(40)) as url:
        args = ["run", "--base-url", url, *TOKENS, "--seed", str(SEED), "--max-examples", "3", "--timeout", "1"]
        code = cli.main([*args, "--expect", str(path), "--json", str(report)])
    entry = _entry(json.loads(report.read_text()), "SHAPE-CONTENT-TYPE")
    assert code == 3 and entry["status"] == "errored" and not entry.get("unexpected_pass")
    assert "the run ended before" in entry["reason"] and "stopped answering" in entry["reason"]


def test_an_unexpected_pass_of_a_should_rule_fails_the_run_too(tmp_path: Path) -> None:
    should = '[expected.UPD-MERGE]\nreason = "a PUT replaces billing"\n'
    code, report = _run(create_app(), tmp_path, should)
    assert code == 1 and _entry(report, "UPD-MERGE")["unexpected_pass"] is True


def test_a_rule_that_is_not_strict_may_pass(tmp_path: Path) -> None:
    loose = '[expected.BILLING-OWNER-ONLY]\nreason = "comes and goes"\nstrict = false\n'
    code, report = _run(create_app(), tmp_path, loose)
    assert code == 0 and _entry(report, "BILLING-OWNER-ONLY")["status"] == "passed"


def test_a_skipped_rule_is_not_run(tmp_path: Path) -> None:
    skip = '[skip.UPD-IDEMPOTENT]\nreason = "a repeated PUT hangs this server"\n'
    code, report = _run(faults.CountsRepeats(), tmp_path, skip)
    entry = _entry(report, "UPD-IDEMPOTENT")
    assert code == 0 and entry["status"] == "skipped" and "hangs this server" in entry["reason"]
    assert entry["coverage"]["requests"] == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[expected.NO-SUCH-RULE]\nreason = "x"\n', "no requirement has this ID"),
        ("[expected.ROLE-GET-AGENT]\nlink = 'x'\n", "needs a reason"),
        ("[expected.ROLE-GET-AGENT\n", "not valid TOML"),
        ('[expected.ROLE-GET-AGENT]\nreason = "x"\nstrict = "no"\n', "strict must be true or false"),
        ('[expect.ROLE-GET-AGENT]\nreason = "x"\n', "unknown table"),
        ('[expected.ROLE-GET-AGENT]\nreason = "x"\n[skip.ROLE-GET-AGENT]\nreason = "y"\n', "keep one"),
    ],
)
def test_a_bad_expectations_file_is_a_usage_error(
    text: str, problem: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "expect.toml"
    path.write_text(text, encoding="utf-8")
    assert cli.main(["run", "--expect", str(path), "--max-examples", "1"]) == 2
    error = capsys.readouterr().err
    assert problem in error and "Traceback" not in error


def test_a_missing_expectations_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--expect", str(tmp_path / "none.toml")]) == 2
    assert f"no expectations file at {tmp_path / 'none.toml'}" in capsys.readouterr().err
