"""The HTML report: built from JSON reports, self-contained, and readable in a real browser."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import run_suite

from conformance import catalog, cli
from conformance.reports import html, json_report
from conformance.runner import unjudged
from conformance.server import create_app, faults

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As root on a machine with no network beyond the package registries: no sandbox, no background fetches.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("reports")
    paths = []
    for name, app in (("reference", create_app()), ("create-date-not-utc", faults.CreateDateNotUtc())):
        path = folder / f"{name}.json"
        path.write_text(json.dumps(json_report.to_dict(run_suite(app, max_examples=5))))
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def page_file(two_reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    assert cli.main(["report", *map(str, two_reports), "--html", str(out)]) == 0
    return out


def test_the_page_is_self_contained(page_file: Path) -> None:
    text = page_file.read_text()
    for remote in ("<script", "<link", "src=", "url(", "@import"):
        assert remote not in text


def test_every_requirement_is_a_row_and_every_target_a_column(page_file: Path) -> None:
    text = page_file.read_text()
    assert text.count('<tr id="') == len(catalog.requirements())
    assert "reference (" in text and "create-date-not-utc (" in text
    assert '<span class="verdict-pass">pass</span>' in text and '<span class="verdict-fail">fail</span>' in text


def test_a_requirement_no_request_exercised_is_not_covered_never_passed() -> None:
    report = {
        "target": {"base_url": "http://x", "roles": [], "support_created": False, "writes": False},
        "verdict": "pass",
        "requests": 0,
        "duration_s": 0.1,
        "requirements": [
            {
                "id": "RATE-RETRY-AFTER",
                "level": "SHOULD",
                "status": "skipped",
                "reason": "the target sent no 429 response",
                "coverage": {"checks": ["x"], "requests": 0},
            }
        ],
    }
    row = html.render([("t", report)]).split('<tr id="RATE-RETRY-AFTER">')[1].split("</tr>")[0]
    assert "not covered" in row and "passed" not in row


def test_a_file_that_is_not_a_report_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"verdict": "maybe"}')
    assert cli.main(["report", str(bad), "--html", str(tmp_path / "out.html")]) == 2
    assert f"{bad} is not a chat-conformance report" in capsys.readouterr().err
    bad.write_text("{")
    assert cli.main(["report", str(bad), "--html", str(tmp_path / "out.html")]) == 2
    assert f"{bad} is not JSON" in capsys.readouterr().err
    assert not (tmp_path / "out.html").exists()


def test_run_writes_the_page_for_a_single_run(tmp_path: Path) -> None:
    out = tmp_path / "run.html"
    assert cli.main(["run", "--seed", "2", "--max-examples", "3", "--html", str(out)]) == 0
    assert out.read_text().count('<tr id="') == len(catalog.requirements())


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_a_person_sees_the_table_and_a_failure_after_a_click(page_file: Path, tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(page_file.as_uri())
            assert page.locator("#matrix tr").count() == len(catalog.requirements()) + 1  # and the header
            assert page.locator("#summary tr").count() == 3
            cell = page.locator("#SHAPE-ACCOUNT td.failed")
            assert cell.count() == 1 and "failed" in cell.inner_text()
            assert page.locator("#SHAPE-ACCOUNT td.passed").count() == 1
            detail = cell.locator("pre").first
            assert not detail.is_visible()
            cell.locator("summary").click()
            assert detail.is_visible()
            shown = detail.inner_text()
            assert "curl -X GET" in shown and "create_date" in shown and "Bearer ***" in shown
            page.screenshot(path=str(tmp_path / "report.png"))
            assert (tmp_path / "report.png").stat().st_size > 10_000
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_a_person_sees_a_rule_that_could_not_be_judged_as_its_own_kind(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    report = json_report.to_dict(unjudged("http://127.0.0.1:9", "the target could not be reached"))
    page_path = tmp_path / "errored.html"
    html.write([("down", report)], page_path)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            cell = page.locator("#AUTH-MISSING td.errored")
            assert cell.is_visible() and "errored" in cell.inner_text()
            assert "not judged: the target could not be reached" in cell.inner_text()
            assert page.locator("#matrix td.passed, #matrix td.failed").count() == 0
            assert "error" in page.locator("#summary .verdict-error").inner_text()
        finally:
            browser.close()
