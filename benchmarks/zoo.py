"""The matrix: the suite against every implementation in interop/, over several seeds, for people to read.

    python benchmarks/zoo.py [--seeds 1,2,3,7,20261125] [--out zoo/] [--screenshot docs/report.png]
    python benchmarks/zoo.py --page-only --screenshot docs/report.png   # from the reports in zoo/, no runs

Starts each member (the reference server, the four independent implementations, Prism and Mockoon)
on loopback afresh for each seed, runs `chat-conformance run --seed S --json ...` against it, writes the
comparison page with `chat-conformance report` (`zoo/zoo.html`, one column per member) and prints
the README's table: stack, verdict on every seed, the rules it deviates from and why, time per run.
The mocks are run with their expectations files, so their verdict says whether they still deviate
exactly as listed. Needs Node.js for the Node members (each is installed from its lock file).
`--screenshot` takes the page in Chromium, 1,400 px wide, with the first row that shows a failure
opened (`--open RULE` for another): the picture the README shows.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from conformance.server import create_app
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # interop/ sits beside benchmarks/
from interop import chromium, zoo

SEEDS = (1, 2, 3, 7, 20261125)


@dataclass
class Row:
    name: str
    stack: str
    verdicts: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    deviations: dict[str, str] = field(default_factory=dict)  # rule: why
    expectations: str | None = None  # the file its runs were judged with


def _reasons(member: zoo.Member | None) -> dict[str, str]:
    if member is None:
        return {}
    if member.expectations is None:
        return dict(member.warns)
    listed = tomllib.loads((zoo.EXPECTATIONS / member.expectations).read_text())
    return {rule: entry["reason"] for rule, entry in listed.get("expected", {}).items()}


def _run(url: str, tokens: dict[str, str], seed: int, report: Path, expect: Path | None) -> float:
    command = [sys.executable, "-m", "conformance", "run", "--base-url", url, "--seed", str(seed)]
    command += [arg for role, token in tokens.items() for arg in (f"--{role}-token", token)]
    command += ["--json", str(report), "--timeout", "2"]
    if expect is not None:
        command += ["--expect", str(expect)]
    started = time.monotonic()
    subprocess.run(command, capture_output=True, check=False)
    return time.monotonic() - started


def measure(
    name: str, stack: str, start: Callable[[], AbstractContextManager[str]], tokens: dict[str, str], args: Options
) -> Row:
    """Each seed's run against a member started afresh: a seed that crashes it must not decide the next one's."""
    member = zoo.BY_NAME.get(name)
    row = Row(name, stack, expectations=member.expectations if member else None)
    expect = zoo.EXPECTATIONS / member.expectations if member and member.expectations else None
    reasons = _reasons(member)
    for seed in args.seeds:
        with start() as url:
            report_path = args.out / f"{name}-{seed}.json"
            row.seconds.append(_run(url, tokens, seed, report_path, expect))
            report = json.loads(report_path.read_text())
            row.verdicts.append(report["verdict"])
            for entry in report["requirements"]:
                if entry["status"] in ("failed", "expected", "errored"):
                    why = reasons.get(entry["id"]) or (entry.get("failures") or [{}])[0].get("message", entry["status"])
                    row.deviations.setdefault(entry["id"], why)
    (args.out / f"{name}.json").write_bytes((args.out / f"{name}-{args.seeds[0]}.json").read_bytes())
    return row


@dataclass
class Options:
    seeds: tuple[int, ...]
    out: Path


@contextlib.contextmanager
def _embedded() -> Iterator[str]:
    with BackgroundServer(create_app()) as server:
        yield server.url


def _table(rows: list[Row]) -> str:
    lines = ["| member | stack | verdict | deviates from (why) | s per run (median) |", "|---|---|---|---|---|"]
    for row in rows:
        passes = row.verdicts.count("pass")
        verdict = f"pass on {passes} of {len(row.verdicts)} seeds" if passes else f"{row.verdicts[0]} on every seed"
        if passes not in (0, len(row.verdicts)):
            verdict = f"**depends on the seed**: {', '.join(row.verdicts)}"
        if row.expectations:
            verdict += f", with expectations/{row.expectations}"
        deviations = "; ".join(f"{rule} ({why})" for rule, why in row.deviations.items()) or "none"
        seconds = sorted(row.seconds)[len(row.seconds) // 2]
        lines.append(f"| {row.name} | {row.stack} | {verdict} | {deviations} | {seconds:.1f} |")
    return "\n".join(lines)


SCREEN_WIDTH = 1400  # px: the page must fit it with every member, without scrolling sideways
# The row opened for the picture: the first with a MUST failure, else a warning, else a known deviation.
FIRST_FINDING = """() => {
  for (const kind of ["failed", "warning", "expected", "errored"]) {
    const row = [...document.querySelectorAll("#matrix details.req")].find(r => r.querySelector(`summary .${kind}`));
    if (row) return row.id;
  }
  return null;
}"""

# Three rows above the opened one for context, the first of them right under the column names.
SCROLL_TO = """id => {
  let top = document.getElementById(id);
  for (let i = 0; i < 3 && top.previousElementSibling?.matches("details"); i++) top = top.previousElementSibling;
  const names = document.querySelector("#matrix .head").offsetHeight;
  window.scrollTo(0, top.getBoundingClientRect().top + window.scrollY - names);
}"""


def screenshot(page: Path, png: Path, open_rule: str | None = None, width: int = SCREEN_WIDTH) -> str | None:
    """The page as Chromium shows it `width` px wide, a row opened under the sticky column names.

    Returns the ID of the row it opened. Needs Playwright (the `test` extra) and Debian's chromium.
    """
    from playwright.sync_api import sync_playwright

    if chromium.EXECUTABLE is None:
        raise SystemExit(f"--screenshot needs Chromium: {chromium.INSTALL}")
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        try:
            view = browser.new_page(viewport={"width": width, "height": 1100})
            view.goto(page.resolve().as_uri())
            rule = open_rule or view.evaluate(FIRST_FINDING)
            if rule:
                row = view.locator(f"#{rule}")
                row.locator("summary").click()
                view.evaluate(SCROLL_TO, rule)
            view.screenshot(path=str(png))
        finally:
            browser.close()
    return rule


def _page(names: list[str], out: Path) -> Path:
    page = out / "zoo.html"
    reports = [str(out / f"{name}.json") for name in names]
    subprocess.run([sys.executable, "-m", "conformance", "report", *reports, "--html", str(page)], check=True)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="comma-separated seeds")
    parser.add_argument("--out", type=Path, default=Path("zoo"), help="folder for the reports and the page")
    parser.add_argument("--page-only", action="store_true", help="run nothing: the page from the reports in --out")
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="take the page in Chromium, 1,400 px wide")
    parser.add_argument("--open", metavar="RULE", help="the row opened in the screenshot (default: the first failure)")
    parsed = parser.parse_args()
    args = Options(tuple(int(seed) for seed in parsed.seeds.split(",")), parsed.out)
    if parsed.page_only:
        names = ["reference", *(member.name for member in (*zoo.MEMBERS, *zoo.MOCKS))]
        found = [name for name in names if (args.out / f"{name}.json").exists()]
        if not found:
            raise SystemExit(f"no zoo reports in {args.out}/: run python benchmarks/zoo.py first")
        page = _page(found, args.out)
        if parsed.screenshot:
            print(f"wrote {parsed.screenshot}, {screenshot(page, parsed.screenshot, parsed.open) or 'no row'} opened")
        return
    args.out.mkdir(parents=True, exist_ok=True)

    rows = [measure("reference", "the embedded reference server (Starlette)", _embedded, dict(DEFAULT_TOKENS), args)]
    for member in (*zoo.MEMBERS, *zoo.MOCKS):
        try:
            zoo.install(member)
        except (zoo.Unavailable, zoo.Broken) as why:
            print(f"{member.name}: skipped: {why}", file=sys.stderr)
            continue
        rows.append(measure(member.name, member.stack, functools.partial(zoo.serving, member), member.tokens, args))
        print(f"{member.name}: {', '.join(rows[-1].verdicts)}", file=sys.stderr)

    page = _page([row.name for row in rows], args.out)
    print(_table(rows))
    if parsed.screenshot:
        print(f"wrote {parsed.screenshot}, {screenshot(page, parsed.screenshot, parsed.open) or 'no row'} opened")


if __name__ == "__main__":
    main()
