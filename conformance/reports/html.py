"""One self-contained HTML page comparing runs: a row per requirement, a column per target.

It is built from JSON reports (the contract's format), so runs made anywhere, by anyone, can be put
side by side. Each cell shows the status and level; a failed cell opens, on a click, to the rule,
the expected and actual values, the curl command and the response. The page needs no network and
no script: the click is an HTML `<details>` element.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from conformance import __version__, catalog
from conformance.reports.text import failure_text

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #1d2330; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #d4d8e0; padding: .35em .6em; vertical-align: top; text-align: left; }
th { background: #f3f5f8; }
td.rule { max-width: 34em; font-size: .9em; color: #4a5163; }
.passed { background: #e3f6e8; } .failed { background: #fbe2e0; } .warning { background: #fff1cc; }
.uncovered { background: #ececec; color: #8a1c1c; }
.errored { background: #f1e4f7; color: #5b1f73; }
.expected { background: #e2eef9; color: #1c4a73; }
.status { font-weight: 600; } .level { font-size: .8em; color: #5c6270; }
.coverage { font-size: .8em; color: #5c6270; }
.verdict-pass { color: #17692f; font-weight: 700; } .verdict-fail { color: #a3190f; font-weight: 700; }
.verdict-error { color: #5b1f73; font-weight: 700; }
details summary { cursor: pointer; font-weight: 600; }
pre { white-space: pre-wrap; word-break: break-all; max-width: 60em; background: #fff; border: 1px solid #e1e4ea;
      padding: .5em; font-size: .85em; }
"""


SUMMARY_STATUSES = ("passed", "failed", "expected", "skipped", "errored")


def _label(report: dict[str, Any], name: str) -> str:
    target = report["target"]
    where = "embedded reference server" if target.get("embedded") else target["base_url"]
    return f"{name} ({where})"


def _summary_row(name: str, report: dict[str, Any]) -> str:
    summary = report.get("summary", {})
    must, should = summary.get("must", {}), summary.get("should", {})
    verdict = report["verdict"]
    cells = [
        escape(_label(report, name)),
        f'<span class="verdict-{verdict}">{verdict}</span>',
        *(str(must.get(status, 0)) for status in SUMMARY_STATUSES),
        *(str(should.get(status, 0)) for status in SUMMARY_STATUSES),
        str(report["requests"]),
        f"{report['duration_s']:.1f} s",
        escape(", ".join(report["target"]["roles"]) or "none"),
        str(report.get("seed", "")),
    ]
    return "<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>"


def _coverage(entry: dict[str, Any]) -> str:
    coverage = entry.get("coverage")
    if not coverage:
        return ""
    checks = ", ".join(coverage["checks"])
    count = coverage["requests"]
    return f'<div class="coverage">{count} request{"s" if count != 1 else ""}; judged by {escape(checks)}</div>'


def _cell(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return '<td class="uncovered">not in this report</td>'
    level = entry["level"]
    status = entry["status"]
    if status == "skipped":
        # Nothing exercised it, whatever the reason: say so, never let it look like a pass.
        reason = escape(entry.get("reason", ""))
        return (
            f'<td class="uncovered"><span class="status">not covered</span> <span class="level">{level}</span>'
            f'<div class="coverage">skipped: {reason}</div></td>'
        )
    if status == "errored":
        # The suite could not judge it: neither a pass nor a failure of the target.
        reason = escape(entry.get("reason", ""))
        trace = entry.get("error", {}).get("traceback")
        detail = f"<details><summary>exception</summary><pre>{escape(trace)}</pre></details>" if trace else ""
        return (
            f'<td class="errored"><span class="status">errored</span> <span class="level">{level}</span>'
            f'<div class="coverage">not judged: {reason}</div>{detail}</td>'
        )
    if status == "expected":
        # Failed as the target's expectations file says: a known deviation, with its reason.
        reason = escape(entry.get("reason", ""))
        link = entry.get("link")
        shown_link = ""
        if link:  # a web link is followed on a click; anything else is shown as text
            web = link.startswith(("https://", "http://"))
            shown_link = f' <a href="{escape(link)}">{escape(link)}</a>' if web else f" ({escape(link)})"
        blocks = "".join(f"<pre>{escape(failure_text(failure))}</pre>" for failure in entry["failures"])
        return (
            f'<td class="expected"><details><summary><span class="status">expected</span> '
            f'<span class="level">{level}</span></summary>{blocks}</details>'
            f'<div class="coverage">known deviation: {reason}{shown_link}</div></td>'
        )
    if status == "passed":
        return (
            f'<td class="passed"><span class="status">passed</span> <span class="level">{level}</span>'
            f"{_coverage(entry)}</td>"
        )
    if entry.get("unexpected_pass"):
        css, shown = "failed", "unexpected pass"
    else:
        css, shown = ("warning", "warning") if level == "SHOULD" else ("failed", "failed")
    count = entry.get("failure_count", len(entry["failures"]))
    blocks = "".join(f"<pre>{escape(failure_text(failure))}</pre>" for failure in entry["failures"])
    more = count - len(entry["failures"])
    if more > 0:
        blocks += f'<div class="coverage">and {more} more failures</div>'
    return (
        f'<td class="{css}"><details><summary><span class="status">{shown}</span> '
        f'<span class="level">{level}</span> ({count})</summary>{blocks}</details>{_coverage(entry)}</td>'
    )


def render(reports: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """The page for `reports`, given as (column name, JSON report) pairs."""
    header = "".join(f"<th>{escape(_label(report, name))}</th>" for name, report in reports)
    by_id = [{entry["id"]: entry for entry in report["requirements"]} for _, report in reports]
    rows = []
    for requirement in catalog.requirements():
        cells = "".join(_cell(entries.get(requirement.id)) for entries in by_id)
        rows.append(
            f'<tr id="{requirement.id}"><th>{requirement.id}</th><td>{requirement.level.value}</td>'
            f'<td class="rule">{escape(requirement.rule)}</td>{cells}</tr>'
        )
    summary_head = (
        "<tr><th>target</th><th>verdict</th>"
        + "".join(f"<th>MUST {status}</th>" for status in SUMMARY_STATUSES)
        + "".join(f"<th>SHOULD {'warnings' if status == 'failed' else status}</th>" for status in SUMMARY_STATUSES)
        + "<th>requests</th><th>duration</th><th>roles</th><th>seed</th></tr>"
    )
    summaries = "".join(_summary_row(name, report) for name, report in reports)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Zendesk Chat Accounts API conformance</title>
<style>{STYLE}</style></head>
<body>
<h1>Zendesk Chat Accounts API conformance</h1>
<p>{len(reports)} target{"s" if len(reports) != 1 else ""}; generated {generated} by zendesk-chat-conformance
{escape(__version__)}. Click a failed cell for its reproduction. A requirement no request exercised
is shown as <em>not covered</em>; one the target's expectations file lists, and that failed as it says,
as <em>expected</em>, with the file's reason.</p>
<h2>Summary</h2>
<table id="summary">{summary_head}{summaries}</table>
<h2>Requirements</h2>
<table id="matrix"><tr><th>ID</th><th>level</th><th>rule</th>{header}</tr>
{"".join(rows)}
</table>
</body></html>
"""


def write(reports: Sequence[tuple[str, dict[str, Any]]], path: Path) -> None:
    path.write_text(render(reports), encoding="utf-8")
