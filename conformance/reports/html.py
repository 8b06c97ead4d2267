"""One self-contained HTML page comparing runs: a row per requirement, a column per target.

It is built from JSON reports (the contract's format), so runs made anywhere, by anyone, can be put
side by side. Each cell is a compact status (a symbol and a word, never colour alone); a row opens,
on a click, to the rule's full text and every failure each target's report lists (message, expected,
actual, curl, response). The page needs no network and no script: the click is an HTML `<details>`
element, and the layout is CSS that stacks the cells under the rule on a narrow screen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from conformance import __version__, catalog
from conformance.reports.html_style import STYLE

CLIP = 1000  # characters of one value shown; a body past it is cut, saying how much was left out
SHORT = 120  # characters of a rule's one-line summary


@dataclass(frozen=True)
class Kind:
    css: str  # the cell's class: its colours
    mark: str  # the symbol, so that colour is never the only signal
    word: str
    meaning: str  # for the legend


KINDS = {
    "passed": Kind("passed", "✓", "passed", "the target met the rule"),
    "failed": Kind("failed", "✗", "failed", "a MUST rule broken; the number says how many failures are listed"),
    "warning": Kind("warning", "!", "warning", "a SHOULD rule broken"),
    "unexpected": Kind("failed", "✗", "unexpected pass", "passed, though the expectations file says it fails"),
    "expected": Kind("expected", "≈", "expected", "failed as the target's expectations file says it does"),
    "errored": Kind("errored", "?", "errored", "the suite could not judge the rule"),
    "skipped": Kind("uncovered", "\N{EN DASH}", "not covered", "no request exercised the rule, or the report lacks it"),
}
LEGEND = ("passed", "failed", "warning", "expected", "skipped", "errored", "unexpected")
SUMMARY_STATUSES = ("passed", "failed", "expected", "skipped", "errored")
SUMMARY_HEADS = {kind: KINDS[kind].mark for kind in SUMMARY_STATUSES}
VERDICTS = {"pass": "✓ pass", "fail": "✗ fail", "error": "? error"}


@cache
def _markdown() -> MarkdownIt:
    # CommonMark without raw HTML: a rule's text is shown, never run.
    return MarkdownIt("commonmark", {"html": False})


def inline_markdown(text: str) -> str:
    """A catalog text as HTML: its backticks become `<code>`, everything else is escaped."""
    return _markdown().renderInline(text)


CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
ASIDE = re.compile(r"\s*\([^()]*\)")
CLAUSE_END = re.compile(r"[:;]\s|\.\s|\.$")


def short_summary(rule: str, limit: int = SHORT) -> str:
    """The rule's first clause without its asides in parentheses, clipped: what a folded row shows."""
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    text = CODE_SPAN.sub(hide, rule)
    while (shorter := ASIDE.sub("", text)) != text:
        text = shorter
    clause = CLAUSE_END.split(text, maxsplit=1)[0].strip() or text.strip()

    def shown(words: list[str]) -> str:
        return re.sub("\x00(\\d+)\x00", lambda match: spans[int(match.group(1))], " ".join(words))

    words = clause.split()  # a code span is one word here, so a cut never leaves one open
    if len(shown(words)) <= limit:
        return shown(words)
    kept = 1
    while len(shown(words[: kept + 1])) <= limit:
        kept += 1
    return shown(words[:kept]).rstrip(",;") + " …"


def _clip(text: str) -> str:
    return text if len(text) <= CLIP else text[:CLIP] + f"… ({len(text) - CLIP} more characters)"


def _kind(entry: dict[str, Any] | None) -> str:
    if entry is None or entry["status"] == "skipped":
        return "skipped"
    status = entry["status"]
    if status == "failed":
        if entry.get("unexpected_pass"):
            return "unexpected"
        return "warning" if entry["level"] == "SHOULD" else "failed"
    return str(status)


def _where(report: dict[str, Any]) -> str:
    target = report["target"]
    return "embedded reference server" if target.get("embedded") else str(target["base_url"])


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _cell(name: str, entry: dict[str, Any] | None) -> str:
    kind = _kind(entry)
    shown = KINDS[kind]
    count = ""
    title = shown.meaning
    if entry is not None and kind in ("failed", "warning", "expected"):
        listed = len(entry.get("failures", []))
        seen = entry.get("failure_count", listed)
        count = f' <span class="count">{listed}</span>' if kind != "expected" else ""
        title = f"{_plural(listed, 'failure')} listed, {seen} seen; open the row to read them"
    elif entry is None:
        title = "this report has no result for the rule"
    elif entry.get("reason"):
        title = f"{shown.word}: {entry['reason']}"
    return (
        f'<span class="{shown.css}" data-target="{escape(name)}" title="{escape(title)}">'
        f'<span class="who">{escape(name)}</span>'
        f'<span class="state"><span class="mark" aria-hidden="true">{shown.mark}</span> {shown.word}{count}</span>'
        "</span>"
    )


def _response(response: dict[str, Any]) -> str:
    """The status, the headers (in a fainter type) and the body, as HTML for a `<pre>`."""
    headers = "".join(f"\n{name}: {value}" for name, value in response.get("headers", {}).items())
    body = response.get("body", "")
    shown = f'<b>HTTP {escape(str(response["status"]))}</b><span class="headers">{escape(headers)}</span>'
    return shown + (f"\n\n{escape(_clip(body))}" if body else "")


def _failure(number: int, failure: dict[str, Any]) -> str:
    parts = [f'<p class="message"><span class="nr">{number}.</span> {escape(failure["message"])}</p><dl>']
    for key in ("expected", "actual"):
        if key in failure:
            parts.append(f"<dt>{key}</dt><dd><pre>{escape(_clip(failure[key]))}</pre></dd>")
    if "request" in failure:
        parts.append(f"<dt>sent as</dt><dd>{escape(str(failure.get('credential', '')))}</dd>")
        parts.append(f"<dt>curl</dt><dd><pre>{escape(_clip(failure['curl']))}</pre></dd>")
        shown = _response(failure["response"]) if "response" in failure else "none: the connection ended first"
        parts.append(f'<dt>response</dt><dd><pre class="response">{shown}</pre></dd>')
    parts.append("</dl>")
    return f'<li class="failure">{"".join(parts)}</li>'


def _coverage(entry: dict[str, Any] | None) -> str:
    coverage = (entry or {}).get("coverage")
    if not coverage:
        return ""
    checks = ", ".join(coverage["checks"])
    return f'<span class="coverage">{_plural(coverage["requests"], "request")}; judged by {escape(checks)}</span>'


def _link(entry: dict[str, Any]) -> str:
    link = entry.get("link")
    if not link:
        return ""
    if link.startswith(("https://", "http://")):  # a web link is followed on a click; anything else is text
        return f' <a href="{escape(link)}">{escape(link)}</a>'
    return f" ({escape(link)})"


def _finding(name: str, entry: dict[str, Any], anchor: str) -> str:
    """What one target's report says about the rule, in the opened row: its failures in full."""
    kind = _kind(entry)
    shown = KINDS[kind]
    head = f'<span class="mark" aria-hidden="true">{shown.mark}</span> {shown.word}'
    body = ""
    if kind in ("failed", "warning", "expected", "unexpected"):
        failures = entry.get("failures", [])
        seen = entry.get("failure_count", len(failures))
        head += f": {_plural(len(failures), 'failure')} shown" + (f" of {seen} seen" if seen > len(failures) else "")
        if kind == "expected":
            head += f"; known deviation: {escape(entry.get('reason') or '')}{_link(entry)}"
        body = f'<ol class="failures">{"".join(_failure(i, f) for i, f in enumerate(failures, 1))}</ol>'
    elif entry.get("reason"):
        head += f": {escape(entry['reason'])}"
    if entry.get("error", {}).get("traceback"):
        body += f"<details><summary>the exception</summary><pre>{escape(entry['error']['traceback'])}</pre></details>"
    notes = "".join(f'<p class="note">note: {escape(note)}</p>' for note in entry.get("notes", []))
    return (
        f'<section class="finding {shown.css}" id="{anchor}"><h4><span class="name">{escape(name)}</span> {head}</h4>'
        f"{_coverage(entry)}{notes}{body}</section>"
    )


def _grouped(kind: str, members: list[tuple[str, dict[str, Any] | None]]) -> str:
    """One line for the targets that passed, or that did not cover the rule for the same reason."""
    shown = KINDS[kind]
    head = f'<span class="mark" aria-hidden="true">{shown.mark}</span> {shown.word}'
    if kind == "passed":
        names = ", ".join(
            f'<span class="name">{escape(name)}</span> ({_plural(entry["coverage"]["requests"], "request")})'
            if entry and entry.get("coverage")
            else f'<span class="name">{escape(name)}</span>'
            for name, entry in members
        )
        checks = sorted(
            {check for _, entry in members if entry for check in entry.get("coverage", {}).get("checks", [])}
        )
        judged = f'<span class="coverage">judged by {escape(", ".join(checks))}</span>' if checks else ""
        return f'<p class="finding passed"><b>{head}</b> {names} {judged}</p>'
    by_reason: dict[str, list[str]] = {}
    for name, entry in members:
        reason = entry.get("reason", "no request exercised it") if entry else "this report has no result for the rule"
        by_reason.setdefault(reason, []).append(f'<span class="name">{escape(name)}</span>')
    return "".join(
        f'<p class="finding uncovered"><b>{head}</b> {", ".join(names)}: {escape(reason)}</p>'
        for reason, names in by_reason.items()
    )


def _findings(requirement_id: str, columns: list[tuple[str, dict[str, Any] | None]]) -> str:
    """The opened row: what went wrong first, column by column; then passes and gaps, a line each."""
    shown: list[str] = []
    passed: list[tuple[str, dict[str, Any] | None]] = []
    uncovered: list[tuple[str, dict[str, Any] | None]] = []
    for column, (name, entry) in enumerate(columns):
        kind = _kind(entry)
        if entry is None or (kind in ("passed", "skipped") and not entry.get("notes")):
            (passed if kind == "passed" else uncovered).append((name, entry))
        else:
            shown.append(_finding(name, entry, f"{requirement_id}--{column}"))
    return (
        "".join(shown)
        + (_grouped("passed", passed) if passed else "")
        + (_grouped("skipped", uncovered) if uncovered else "")
    )


def _row(requirement: catalog.Requirement, reports: Sequence[tuple[str, dict[str, Any]]], by_id: list[dict]) -> str:
    rid = requirement.id
    columns = [(name, entries.get(rid)) for (name, _), entries in zip(reports, by_id, strict=True)]
    cells = "".join(_cell(name, entry) for name, entry in columns)
    level = requirement.level.value
    return (
        f'<details class="req" id="{rid}"><summary>'
        f'<span class="rule-head"><span class="id">{rid}</span> <span class="level {level.lower()}">{level}</span>'
        f'<span class="short">{inline_markdown(short_summary(requirement.rule))}</span></span>{cells}</summary>'
        f'<div class="detail"><p class="rule">{inline_markdown(requirement.rule)}</p>'
        f'<p class="section">{level} · from the docs: {inline_markdown(requirement.section)}</p>'
        f"{_findings(rid, columns)}</div></details>"
    )


def _summary_row(name: str, report: dict[str, Any]) -> str:
    summary = report.get("summary", {})
    verdict = report["verdict"]
    expectations = report.get("expectations")
    where = f'<span class="where">{escape(_where(report))}</span>'
    if expectations:
        judged_with = expectations.get("name") or expectations.get("path", "")
        where += f'<span class="where">judged with {escape(judged_with)}</span>'
    if report.get("error"):
        where += f'<span class="where error-text">{escape(report["error"])}</span>'
    cells = [
        ("target", f'<span class="name">{escape(name)}</span>{where}'),
        ("verdict", f'<span class="verdict-{escape(verdict)}">{escape(VERDICTS.get(verdict, verdict))}</span>'),
    ]
    for level in ("must", "should"):
        counts = summary.get(level, {})
        cells += [(f"{level.upper()} {SUMMARY_HEADS[s]}", str(counts.get(s, 0))) for s in SUMMARY_STATUSES]
    cells += [
        ("requests", str(report["requests"])),
        ("duration", f"{report['duration_s']:.1f} s"),
        ("roles", escape(", ".join(report["target"]["roles"]) or "none")),
        ("seed", escape(str(report.get("seed", "")))),
    ]
    return "<tr>" + "".join(f'<td data-label="{label}">{cell}</td>' for label, cell in cells) + "</tr>"


def _summary(reports: Sequence[tuple[str, dict[str, Any]]]) -> str:
    heads = "".join(
        f'<th scope="col"><span aria-hidden="true">{SUMMARY_HEADS[status]}</span> {KINDS[status].word}</th>'
        for status in SUMMARY_STATUSES
    )
    return (
        '<table id="summary"><thead><tr><th rowspan="2" scope="col">target</th><th rowspan="2" scope="col">verdict</th>'
        '<th colspan="5" scope="colgroup">MUST rules</th><th colspan="5" scope="colgroup">SHOULD rules</th>'
        '<th rowspan="2" scope="col">requests</th><th rowspan="2" scope="col">duration</th>'
        '<th rowspan="2" scope="col">roles</th><th rowspan="2" scope="col">seed</th></tr>'
        f"<tr>{heads}{heads}</tr></thead><tbody>"
        + "".join(_summary_row(name, report) for name, report in reports)
        + "</tbody></table>"
    )


def _legend() -> str:
    items = "".join(
        f'<li><span class="{KINDS[k].css}"><span class="mark" aria-hidden="true">{KINDS[k].mark}</span> '
        f"{KINDS[k].word}</span> {KINDS[k].meaning}</li>"
        for k in LEGEND
    )
    return f'<ul class="legend">{items}</ul>'


def render(reports: Sequence[tuple[str, dict[str, Any]]]) -> str:
    """The page for `reports`, given as (column name, JSON report) pairs."""
    by_id = [{entry["id"]: entry for entry in report["requirements"]} for _, report in reports]
    header = "".join(f'<span class="target" title="{escape(_where(r))}">{escape(n)}</span>' for n, r in reports)
    rows = "".join(_row(requirement, reports, by_id) for requirement in catalog.requirements())
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    count = _plural(len(reports), "target")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Zendesk Chat Accounts API conformance</title>
<style>{STYLE}</style></head>
<body>
<h1>Zendesk Chat Accounts API conformance</h1>
<p class="intro">{count}; generated {generated} by zendesk-chat-conformance {escape(__version__)}.
A row per requirement, a column per target: click a row to read the rule in full and every failure
each target's report lists, with its curl command and response.</p>
{_legend()}
<h2>Summary</h2>
{_summary(reports)}
<h2>Requirements</h2>
<div id="matrix" style="--targets: {max(len(reports), 1)}">
<div class="head" aria-hidden="true"><span class="rule-head">requirement</span>{header}</div>
{rows}
</div>
</body></html>
"""


def write(reports: Sequence[tuple[str, dict[str, Any]]], path: Path) -> None:
    path.write_text(render(reports), encoding="utf-8")
