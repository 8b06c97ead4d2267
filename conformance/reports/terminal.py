"""What a person sees: a progress bar while the run goes, then a line per requirement and the failures."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from rich.console import Console
from rich.markup import escape

from conformance.reports.json_report import requirement_entry
from conformance.reports.text import count_text, failures_text
from conformance.results import RequirementResult, RunResult, Status

LATER_BODY_LIMIT = 200  # characters of a body shown for a rule's second failure and on: the first shows more

STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "red",
    Status.SKIPPED: "yellow",
    Status.ERRORED: "magenta",
    Status.EXPECTED: "cyan",
}
VERDICT_STYLE = {"pass": "bold green", "fail": "bold red", "error": "bold magenta"}


class _Output(Console):
    """A console that outlives its reader: what is printed after the reader went away (`| head`) is dropped.

    rich's own answer to a broken pipe is to exit 1 on the spot, before the reports are written,
    with the code the contract keeps for a failed run. The command goes on instead, and ends with
    its verdict's code.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.file.fileno())  # so that no later flush fails


def console(*, stderr: bool = False, highlight: bool = True) -> Console:
    """Where the command writes: standard output, or standard error for progress and warnings.

    No emoji codes: a target's text is shown as it was sent, `:warning:` included (`escape` leaves
    those codes alone), and rich need not load its table of them.
    """
    return _Output(stderr=stderr, highlight=highlight, emoji=False)


class ProgressDisplay:
    """A runner Observer that draws a progress bar on stderr: only on a terminal, and off one loads nothing."""

    def __init__(self, console: Console) -> None:
        self._progress = _progress_bar(console) if console.is_terminal else None
        self._task = self._progress.add_task("starting", total=None, requests=0) if self._progress else None
        self._requests = 0

    def __enter__(self) -> ProgressDisplay:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def started(self, scenarios: int) -> None:
        # Drawn from here, not from `__enter__`: its refresh thread must not exist yet when the
        # runner forks a worker (conformance.workers).
        if self._progress is not None:
            self._progress.start()
            self._progress.update(self._task, total=scenarios)

    def scenario_started(self, requirement_id: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=requirement_id)

    def scenario_finished(self, result: RequirementResult, requests: int) -> None:
        self._requests += requests
        if self._progress is not None:
            self._progress.update(self._task, advance=1, requests=self._requests)


def _progress_bar(console: Console) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description:<26}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[requests]} requests"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        # Redrawn a few times a second: each redraw holds the interpreter that is also sending requests.
        refresh_per_second=4,
    )


def _line(result: RequirementResult) -> str:
    status = result.status
    label = "warning" if result.is_warning else status.value
    style = "yellow" if result.is_warning else STYLE[status]
    text = f"[{style}]{label:8}[/] {result.requirement.level.value:6} {result.requirement.id:26}"
    if status is Status.SKIPPED:
        text += f" [dim]{escape(result.reason or '')}[/]"
    elif status is Status.EXPECTED:
        text += f" [dim]as expected: {escape(str(result.expectation))}[/]"
    elif status is Status.ERRORED:
        text += f" {escape(result.reason or '')}"
    elif result.unexpected_pass:
        text += " unexpected pass: the expectations file says it fails; remove the entry"
    elif status is Status.FAILED:
        text += f" [dim]{count_text(requirement_entry(result))}[/]"
    else:
        text += f" [dim]{result.exercised} request{'s' if result.exercised != 1 else ''}[/]"
    return text


def _counts(counts: dict[str, int], failed: str) -> str:
    text = f"{counts['passed']} passed, {counts['failed']} {failed}, {counts['skipped']} skipped"
    text += f", {counts['expected']} expected" if counts["expected"] else ""
    return text + (f", {counts['errored']} errored" if counts["errored"] else "")


def render(result: RunResult, console: Console) -> None:
    target = result.target
    where = "the embedded reference server" if target.embedded else target.base_url
    console.print(f"[bold]Zendesk Chat Accounts API conformance[/] of {escape(where)}")
    roles = ", ".join(target.roles) or "none"
    console.print(
        f"roles: {roles}; writes: {'yes' if target.writes else 'no'}; "
        f"support-created: {'yes' if target.support_created else 'no'}; seed {result.seed}"
    )
    console.print()
    for entry in result.requirements:
        console.print(_line(entry), highlight=False)
        for note in entry.notes:
            console.print(f"{'':16}[dim]note: {escape(note)}[/]", highlight=False)
    failed = [entry for entry in result.requirements if entry.status is Status.FAILED]
    for entry in failed:
        console.print()
        title = f"{entry.requirement.id} {entry.requirement.level.value}: {entry.requirement.rule}"
        console.print(f"[bold {'yellow' if entry.is_warning else 'red'}]{escape(title)}[/]")
        shown = failures_text(requirement_entry(entry), LATER_BODY_LIMIT)
        console.print(escape(shown), highlight=False, soft_wrap=True)
    for entry in result.requirements:
        if entry.status is Status.ERRORED and entry.error is not None and entry.error.traceback:
            console.print()
            console.print(f"[bold magenta]{entry.requirement.id}: the check raised an exception (please report it)[/]")
            console.print(escape(entry.error.traceback.rstrip()), highlight=False, soft_wrap=True)
    console.print()
    if result.restore_message and result.restored is not None:
        style = "green" if result.restored else "bold red"
        console.print(f"[{style}]{escape(result.restore_message)}[/]")
    summary = result.summary()
    must, should = summary["must"], summary["should"]
    if result.error:
        console.print(f"[bold magenta]the run could not judge every rule:[/] {escape(result.error)}", soft_wrap=True)
    console.print(
        f"[{VERDICT_STYLE[result.verdict]}]verdict: {result.verdict}[/]  "
        f"MUST {_counts(must, 'failed')}; SHOULD {_counts(should, 'warnings')}; "
        f"{result.requests} requests in {result.duration_s:.1f} s"
        + (f" ({result.resent} sent again: a keep-alive connection closed under them)" if result.resent else "")
    )
    if result.verdict == "fail":
        console.print(f"[dim]rerun the same requests with --seed {result.seed}[/]")
