"""The HTML report: built from JSON reports, self-contained, and readable in a real browser.

The browser tests put a zoo-sized page in Chromium: twelve columns of real runs (the reference server,
faults of it that break MUST and SHOULD rules, one judged with an expectations file, one that could
not be reached, one whose report lacks a rule), at 1,400 px and at a phone's 390 px.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED, TOKEN_ARGS

from conformance import catalog, cli
from conformance.reports import html, json_report
from conformance.runner import unjudged
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer
from interop import chromium

needs_chromium = pytest.mark.skipif(
    chromium.EXECUTABLE is None, reason=f"Chromium is not installed ({chromium.INSTALL})"
)

EXPECT_BILLING = """
[target]
name = "a server that shows billing to admins"

[expected.BILLING-OWNER-ONLY]
reason = "admins are served the owner's view"
link = "https://example.org/issues/7"
"""
# Column name: the server it runs against. Names as long as a fault's, to test that headers wrap.
RUNS: dict[str, Any] = {
    "reference": create_app,
    "create-date-not-utc": faults.CreateDateNotUtc,  # MUST: SHAPE-ACCOUNT, several failures
    "post-acts-as-put": faults.PostActsAsPut,  # MUST: ROBUST-METHOD, and a SHOULD warning
    "silent-refusals": faults.SilentRefusals,  # SHOULD only: a warning, verdict pass
    "accepts-wrong-types": faults.AcceptsWrongTypes,
    "crashes-on-wrong-type": faults.CrashesOnWrongType,
    "methods-without-allow": faults.MethodsWithoutAllow,
    "agent-can-update": faults.AgentCanUpdate,
    "numbers-as-strings-accepted": faults.NumbersAsStringsAccepted,
    "admin-sees-billing": faults.AdminSeesBilling,  # with its expectations file: expected
}
NARROW, WIDE = 390, 1400


def _run(app: Any, report: Path, *extra: str) -> None:
    with BackgroundServer(app) as server:
        args = ["run", "--base-url", server.url, *TOKEN_ARGS, "--seed", str(SEED), "--max-examples", "3"]
        cli.main([*args, "--json", str(report), *extra])


@pytest.fixture(scope="module")
def zoo_reports(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """JSON reports of real runs, as `run --json` writes them, one per column."""
    folder = tmp_path_factory.mktemp("reports")
    expect = folder / "billing.toml"
    expect.write_text(EXPECT_BILLING, encoding="utf-8")
    paths = []
    for name, app in RUNS.items():
        extra = ["--expect", str(expect)] if name == "admin-sees-billing" else []
        _run(app(), folder / f"{name}.json", *extra)
        paths.append(folder / f"{name}.json")
    down = folder / "unreachable.json"
    down.write_text(json.dumps(json_report.to_dict(unjudged("http://127.0.0.1:9", "the target could not be reached"))))
    older = json.loads(paths[0].read_text())  # as a report of an older suite, without the newest rule
    older["requirements"] = [entry for entry in older["requirements"] if entry["id"] != "SECURITY-REDIRECT"]
    (folder / "older-suite.json").write_text(json.dumps(older))
    return [*paths, down, folder / "older-suite.json"]


@pytest.fixture(scope="module")
def page_file(zoo_reports: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    assert cli.main(["report", *map(str, zoo_reports), "--html", str(out)]) == 0
    return out


def _entry(report: Path, requirement_id: str) -> dict[str, Any]:
    return next(e for e in json.loads(report.read_text())["requirements"] if e["id"] == requirement_id)


def _column(zoo_reports: list[Path], name: str) -> int:
    return [path.stem for path in zoo_reports].index(name)


def test_the_page_is_self_contained(page_file: Path) -> None:
    text = page_file.read_text()
    for remote in ("<script", "<link", "src=", "url(", "@import"):
        assert remote not in text


def test_every_requirement_is_a_row_and_every_target_a_column(page_file: Path, zoo_reports: list[Path]) -> None:
    text = page_file.read_text()
    assert text.count('<details class="req" id="') == len(catalog.requirements())
    for path in zoo_reports:
        assert f'data-target="{path.stem}"' in text
    assert '<span class="verdict-pass">✓ pass</span>' in text and '<span class="verdict-fail">✗ fail</span>' in text


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
    row = html.render([("t", report)]).split('id="RATE-RETRY-AFTER">')[1].split("</details>")[0]
    assert "not covered" in row and "the target sent no 429 response" in row
    assert "passed" not in row and "failed" not in row
    absent = html.render([("t", report)]).split('id="ROBUST-HTTP">')[1].split("</details>")[0]
    assert "not covered" in absent and "this report has no result for the rule" in absent


def test_a_rule_text_is_rendered_and_its_summary_cut_where_a_clause_ends() -> None:
    shown = html.inline_markdown("a `Retry-After` <b>header</b>")
    assert shown == "a <code>Retry-After</code> &lt;b&gt;header&lt;/b&gt;"
    # Asides in parentheses go, even with code in them; a colon inside code does not end the clause.
    rule = "Every response says `Content-Type: application/json` (a `charset` allowed): and more."
    assert html.short_summary(rule) == "Every response says `Content-Type: application/json`"
    assert html.short_summary("(For the suite.) A credential stays home. Always.") == "A credential stays home"
    clipped = html.short_summary("word " * 40 + "`a b c`", limit=30)
    assert clipped.endswith(" …") and len(clipped) <= 32 and clipped.count("`") % 2 == 0
    for requirement in catalog.requirements():
        shown = html.short_summary(requirement.rule)
        assert shown and shown.count("`") % 2 == 0 and "`" not in html.inline_markdown(shown)


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
    assert out.read_text().count('<details class="req" id="') == len(catalog.requirements())


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


def _open(browser: Any, page_file: Path, width: int) -> Any:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(page_file.as_uri())
    return page


def _scrolls_sideways(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def _state(page: Any, requirement_id: str, target: str) -> str:
    """What a cell says, read as a person reads it (the target's name is there for screen readers only)."""
    cell = page.locator(f"#{requirement_id} > summary > [data-target='{target}'] .state")
    return " ".join(cell.inner_text().split())


def _shows_every_failure(page: Any, section: Any, entry: dict[str, Any]) -> None:
    failures = section.locator("li.failure")
    assert failures.count() == len(entry["failures"])
    for shown, failure in zip(failures.all(), entry["failures"], strict=True):
        assert shown.is_visible()
        text = shown.inner_text()
        assert failure["message"] in text
        for key in ("expected", "actual", "curl"):
            if key in failure:
                assert failure[key][:200] in text
        if "response" in failure:
            assert f"HTTP {failure['response']['status']}" in text and failure["response"]["body"][:200] in text
        box = shown.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]


@needs_chromium
def test_the_whole_zoo_fits_a_wide_screen_and_a_failed_cell_opens_to_every_failure(
    browser: Any, page_file: Path, zoo_reports: list[Path], tmp_path: Path
) -> None:
    page = _open(browser, page_file, WIDE)
    try:
        assert len(zoo_reports) >= 12
        assert page.locator("#matrix details.req").count() == len(catalog.requirements())
        assert not _scrolls_sideways(page)
        for row in ("SHAPE-ACCOUNT", "ROBUST-ALLOW"):  # every cell on screen, none cut off at the right
            cells = page.locator(f"#{row} > summary > [data-target]")
            assert cells.count() == len(zoo_reports)
            assert all(cell.bounding_box()["x"] + cell.bounding_box()["width"] <= WIDE for cell in cells.all())
        names = page.locator("#matrix .head .target")
        assert [name.inner_text() for name in names.all()] == [path.stem for path in zoo_reports]

        # A compact status: a symbol and a word, the count of failures for a failure.
        column = _column(zoo_reports, "create-date-not-utc")
        entry = _entry(zoo_reports[column], "SHAPE-ACCOUNT")
        assert len(entry["failures"]) > 1  # so that "all, not the first" is tested
        cell = page.locator("#SHAPE-ACCOUNT > summary > [data-target='create-date-not-utc']")
        assert _state(page, "SHAPE-ACCOUNT", "create-date-not-utc") == f"✗ failed {len(entry['failures'])}"
        assert _state(page, "SHAPE-ACCOUNT", "reference") == "✓ passed"
        assert _state(page, "AUTH-ERROR-BODY", "silent-refusals").startswith("! warning ")
        assert _state(page, "BILLING-OWNER-ONLY", "admin-sees-billing") == "≈ expected"
        assert _state(page, "AUTH-MISSING", "unreachable") == "? errored"
        assert _state(page, "SECURITY-REDIRECT", "older-suite") == "\N{EN DASH} not covered"
        assert _state(page, "SUPPORT-GET-ONLY", "reference") == "\N{EN DASH} not covered"

        section = page.locator(f"#SHAPE-ACCOUNT--{column}")
        assert not section.is_visible()
        cell.click()
        assert section.is_visible()
        _shows_every_failure(page, section, entry)
        assert "Bearer ***" in section.inner_text()
        assert not _scrolls_sideways(page)
        page.screenshot(path=str(tmp_path / "wide.png"))
        assert (tmp_path / "wide.png").stat().st_size > 10_000

        # Every rule text rendered: with every row open, not one backtick is left in what is shown.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        shown = page.locator("body").inner_text()
        assert "`" not in shown and "Content-Type: application/json" in shown
        assert page.locator("#SHAPE-ACCOUNT .detail .rule code").count() >= 5
        assert not _scrolls_sideways(page)
    finally:
        page.close()


@needs_chromium
def test_not_covered_is_painted_grey_never_like_a_failure(browser: Any, page_file: Path) -> None:
    page = _open(browser, page_file, WIDE)
    try:
        colours = page.evaluate(
            """kind => [...document.querySelectorAll(`#matrix summary .${kind}`)].map(cell => {
                const style = getComputedStyle(cell);
                return [style.color, style.backgroundColor].map(c => c.match(/\\d+/g).slice(0, 3).map(Number));
            })""",
            "uncovered",
        )
        assert colours  # SUPPORT-GET-ONLY, RATE-RETRY-AFTER and the rule the older report lacks
        for pair in colours:
            for red, green, blue in pair:
                assert max(red, green, blue) - min(red, green, blue) <= 24, pair  # a grey, not a red
    finally:
        page.close()


@needs_chromium
def test_on_a_phone_the_cells_stack_under_each_rule_with_their_names(
    browser: Any, page_file: Path, zoo_reports: list[Path], tmp_path: Path
) -> None:
    """At 390 px: nothing scrolls sideways, each cell says whose it is, and a failure opens readable."""
    page = _open(browser, page_file, NARROW)
    try:
        assert not _scrolls_sideways(page)
        assert not page.locator("#matrix .head").is_visible()  # the names are in the cells instead
        cells = page.locator("#SHAPE-ACCOUNT > summary > [data-target]")
        for cell, path in zip(cells.all(), zoo_reports, strict=True):
            assert cell.locator(".who").is_visible() and cell.locator(".who").inner_text() == path.stem
            box = cell.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW and box["height"] >= 24  # a finger's tap
        rule = page.locator("#SHAPE-ACCOUNT .short")
        assert rule.is_visible()
        assert float(rule.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 12
        summary = page.locator("#summary").bounding_box()
        assert summary["x"] + summary["width"] <= NARROW

        column = _column(zoo_reports, "post-acts-as-put")
        cells.first.click()  # a tap anywhere on the row opens it
        page.locator("#ROBUST-METHOD > summary").click()
        entry = _entry(zoo_reports[column], "ROBUST-METHOD")
        _shows_every_failure(page, page.locator(f"#ROBUST-METHOD--{column}"), entry)
        assert not _scrolls_sideways(page)
        page.screenshot(path=str(tmp_path / "narrow.png"), full_page=True)
        assert (tmp_path / "narrow.png").stat().st_size > 10_000
    finally:
        page.close()


@needs_chromium
def test_a_person_sees_a_rule_that_could_not_be_judged_as_its_own_kind(browser: Any, tmp_path: Path) -> None:
    report = json_report.to_dict(unjudged("http://127.0.0.1:9", "the target could not be reached"))
    page_path = tmp_path / "errored.html"
    html.write([("down", report)], page_path)
    page = browser.new_page()
    try:
        page.goto(page_path.as_uri())
        cell = page.locator("#AUTH-MISSING > summary > .errored")
        assert cell.is_visible() and "errored" in cell.inner_text()
        assert page.locator("#matrix summary .passed, #matrix summary .failed").count() == 0
        cell.click()
        assert "errored: the target could not be reached" in page.locator("#AUTH-MISSING .detail").inner_text()
        assert "error" in page.locator("#summary .verdict-error").inner_text()
    finally:
        page.close()


@needs_chromium
def test_a_known_deviation_shows_its_reason_and_link(browser: Any, page_file: Path, zoo_reports: list[Path]) -> None:
    page = _open(browser, page_file, WIDE)
    try:
        column = _column(zoo_reports, "admin-sees-billing")
        page.locator("#BILLING-OWNER-ONLY > summary").click()
        section = page.locator(f"#BILLING-OWNER-ONLY--{column}")
        assert "known deviation: admins are served the owner's view" in section.inner_text()
        assert section.locator("a[href='https://example.org/issues/7']").count() == 1
        _shows_every_failure(page, section, _entry(zoo_reports[column], "BILLING-OWNER-ONLY"))
    finally:
        page.close()
