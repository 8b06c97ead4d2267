"""`run`: test a target (the embedded reference server when none is given), record or replay it."""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.cli.common import (
    EXIT_ERROR,
    EXIT_FOR_VERDICT,
    EXIT_PASS,
    UsageError,
    check_writable,
    positive_int,
    rate,
    seconds,
    share,
)
from conformance.cli.common import seed as seed_number

# Everything else is imported where it is used, dataclasses included: the process that reads a
# YAML cassette ahead, or draws the pool, is forked as soon as the options are read (`handle`).

DEFAULT_MAX_EXAMPLES = 25
ROLES = ("owner", "admin", "agent")
ENV = {
    "base_url": "CHAT_CONFORMANCE_BASE_URL",
    "owner": "CHAT_CONFORMANCE_OWNER_TOKEN",
    "admin": "CHAT_CONFORMANCE_ADMIN_TOKEN",
    "agent": "CHAT_CONFORMANCE_AGENT_TOKEN",
}


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("run", help="test a target (no --base-url: the embedded reference server)")
    parser.add_argument(
        "--base-url", metavar="URL", help=f"the target, e.g. https://acme.zendesk.com [{ENV['base_url']}]"
    )
    for role, who in (
        ("owner", "the account owner"),
        ("admin", "an admin who is not the owner"),
        ("agent", "an agent who is not an admin"),
    ):
        parser.add_argument(f"--{role}-token", metavar="T", help=f"bearer token of {who} [{ENV[role]}]")
    parser.add_argument("--support-created", action="store_true", help="the account was created in Zendesk Support")
    parser.add_argument("--no-writes", action="store_true", help="send nothing that could change the account")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report")
    parser.add_argument("--junit-xml", type=Path, metavar="PATH", help="write a JUnit XML report")
    parser.add_argument("--html", type=Path, metavar="PATH", help="write a self-contained HTML report")
    parser.add_argument(
        "--max-examples",
        type=positive_int,
        metavar="N",
        help=f"generated cases per property (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument("--seed", type=seed_number, metavar="N", help="make generation reproducible")
    parser.add_argument(
        "--max-requests",
        type=positive_int,
        metavar="N",
        help="never send more than N requests; the examples are spread to fit",
    )
    parser.add_argument("--rate-limit", type=rate, metavar="N/s|N/m", help="never send faster than this")
    parser.add_argument(
        "--rate-share",
        type=share,
        default=0.5,
        metavar="F",
        help="where the target announces its quota, use at most this share of it (default 0.5)",
    )
    parser.add_argument("--timeout", type=seconds, default=10.0, metavar="SECONDS", help="per request (default 10)")
    parser.add_argument(
        "--workers",
        type=int,
        choices=(1, 2),
        metavar="{1,2}",
        help="the embedded server only: 2 judges the rules in two processes, each with a server of its own "
        "(default 2 where there are two cores)",
    )
    parser.add_argument(
        "--expect",
        type=Path,
        metavar="FILE",
        help="the target's expectations file (TOML): its known deviations are reported as expected",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="send nothing: print what the run would do, rule by rule, and exit"
    )
    parser.add_argument("--badge", type=Path, metavar="PATH", help="write a shields.io endpoint badge for the run")
    cassette = parser.add_mutually_exclusive_group()
    cassette.add_argument("--record", type=Path, metavar="PATH", help="record the run's HTTP traffic to a cassette")
    cassette.add_argument(
        "--replay",
        type=Path,
        metavar="PATH",
        help="run offline from a recorded cassette; it must find what the recording found (else exit 3)",
    )
    parser.add_argument(
        "--rejudge",
        action="store_true",
        help="with --replay: judge the recorded traffic afresh (e.g. after upgrading the suite); "
        "the new verdict decides the exit status, and differences from the recording are reported",
    )
    parser.set_defaults(handler=handle)


@functools.cache  # asked before the fork and again by the run's config: checked once
def _check_base_url(url: str) -> str:
    import httpx

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number from 0 to 65535
        httpx.URL(url)  # what the client will send to: it may refuse more than urlsplit does
    except (ValueError, httpx.InvalidURL) as error:
        raise UsageError(f"--base-url {url!r} is not a URL: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url {url!r} must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise UsageError(f"--base-url {url!r} must not have a query or fragment")
    return url


def _keep_hypothesis_files_in_the_user_cache() -> None:
    """Hypothesis keeps its Unicode tables in `.hypothesis/` under the working folder by default.

    A command would leave that folder wherever it is started, and build the tables again in each
    new one (a third of a second). They go to the user's cache folder instead, unless
    HYPOTHESIS_STORAGE_DIRECTORY says where.
    """
    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return
    from conformance import caches

    folder = caches.folder("hypothesis")
    if "hypothesis" in sys.modules:  # it may have read the variable already
        from hypothesis.configuration import set_hypothesis_home_dir

        set_hypothesis_home_dir(folder)
    else:  # read when hypothesis first stores a file: a replay need not load it (conformance.lazy)
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(folder)


class _Interrupts:
    """Ctrl-C and SIGTERM, each raised as KeyboardInterrupt and remembered.

    SIGTERM ends a run as Ctrl-C does, so that the account is put back before exiting. Python
    raises the interrupt wherever the main thread is, and one raised inside a garbage-collector
    callback (hypothesis keeps one) is reported as ignored and lost: the run also asks `heard`
    before each request. Python's report of such a lost interrupt (a traceback on stderr) is kept
    quiet, since the interrupt is not lost here and the report would read as a crash.
    """

    def __init__(self) -> None:
        self.pressed = False
        self._report_unraisable = sys.unraisablehook

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._raise)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:  # as a shell's background job has it
            signal.signal(signal.SIGINT, self._raise)
        self._report_unraisable = sys.unraisablehook
        sys.unraisablehook = self._unraisable

    def _unraisable(self, unraisable: Any) -> None:
        if self.pressed and isinstance(unraisable.exc_value, KeyboardInterrupt):
            return  # heard, and raised again at the next request
        self._report_unraisable(unraisable)

    def _raise(self, signum: int, frame: object) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def heard(self) -> bool:
        return self.pressed


def _base_url(args: argparse.Namespace) -> str | None:
    return args.base_url or os.environ.get(ENV["base_url"]) or None


def _start_drawing(args: argparse.Namespace) -> bool:
    """Against a URL target, start drawing the run's PUTs now, in a process of their own; whether it did.

    See conformance.described.start_early. Their seed and number are fixed here: a run not given
    a seed gets its seed now. The embedded server's runs draw as the runner decides (two workers
    draw for themselves).
    """
    from conformance import ahead, budget, described, seeding

    base_url = _base_url(args)
    if base_url is None:
        return False
    if args.seed is None:
        args.seed = seeding.new_seed()
    _keep_hypothesis_files_in_the_user_cache()  # before the drawing process loads hypothesis
    spending = budget.plan(args.max_examples or DEFAULT_MAX_EXAMPLES, args.max_requests)
    described.start_early(args.seed, spending.max_examples, ahead.draw_for_parent)
    try:
        _check_base_url(base_url)  # after the fork: the URL is read with httpx, which takes a tenth of a second to load
    except UsageError:
        described.discard_early()
        raise
    return True


def _live_config(args: argparse.Namespace, err: Any) -> Any:
    from conformance import budget, workers
    from conformance.context import Options
    from conformance.runner import RunConfig
    from conformance.seeding import new_seed

    base_url = _base_url(args)
    if base_url:
        _check_base_url(base_url)
    tokens = {role: getattr(args, f"{role}_token") or os.environ.get(ENV[role]) or None for role in ROLES}
    if base_url and not any(tokens.values()):
        err.print("[yellow]no token given: only the unauthenticated rules can be judged[/]")
    if base_url and args.workers == 2:
        raise UsageError("--workers 2 splits the run over reference servers of its own, so not with --base-url")
    spending = budget.plan(args.max_examples or DEFAULT_MAX_EXAMPLES, args.max_requests)
    err.print(f"this run sends {spending.describe()}")
    options = Options(
        max_examples=spending.max_examples,
        seed=args.seed if args.seed is not None else new_seed(),
        writes=not args.no_writes,
        support_created=args.support_created,
        max_requests=args.max_requests,
    )
    return RunConfig(
        base_url=base_url,
        tokens=tokens,
        options=options,
        timeout=args.timeout,
        pacer=args.rate_limit,
        rate_share=args.rate_share,
        workers=args.workers or workers.usable(),
    )


def _refuse_run_options_with_replay(args: argparse.Namespace) -> None:
    flags = [
        ("--base-url", args.base_url),
        ("--seed", args.seed),
        ("--max-examples", args.max_examples),
        ("--max-requests", args.max_requests),
        ("--support-created", args.support_created),
        ("--no-writes", args.no_writes),
        ("--rate-limit", args.rate_limit),
        ("--workers", args.workers),
        *((f"--{role}-token", getattr(args, f"{role}_token")) for role in ROLES),
    ]
    given = [flag for flag, value in flags if value]
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with --replay: the cassette says how the run was made")


def _run(config: Any, err: Any, interrupts: _Interrupts, watch: Any = None) -> Any:
    """The run, its progress drawn on `err`; `watch`, given the progress display, may wrap it."""
    import dataclasses

    from conformance.reports import terminal
    from conformance.runner import run

    with terminal.ProgressDisplay(err) as progress:
        observer = progress if watch is None else watch(progress)
        return run(dataclasses.replace(config, interrupted=interrupts.heard), observer=observer)


def _dry_run(args: argparse.Namespace, err: Any) -> int:
    """Print what the run would do, having sent nothing to the target."""
    import dataclasses

    from conformance import plan
    from conformance.reports import terminal

    if args.replay or args.record:
        raise UsageError("--dry-run sends nothing, so there is nothing to record or replay")
    config = dataclasses.replace(_live_config(args, err), expectations=_expectations(args))
    plan.render(plan.make(config), config, terminal.console(highlight=False))
    return EXIT_PASS


DIFFERENCES_SHOWN = 10


def _tell_comparison(result: Any, recorded: dict[str, Any], err: Any) -> None:
    """Whether the replay found what the recording found; if not, each difference (the first decides)."""
    from rich.markup import escape

    comparison = result.replay
    if comparison.matches:
        err.print(f"[green]the replay found what the recording found (verdict {escape(str(recorded['verdict']))})[/]")
        return
    if comparison.decides:
        err.print("[bold red]the replay does not reproduce its recording[/], so it is no verdict on the target:")
    else:
        err.print("[bold yellow]judged afresh (--rejudge): the new verdict decides; it differs from the recording:[/]")
    for difference in comparison.differences[:DIFFERENCES_SHOWN]:
        err.print(f"  - {escape(difference.message)}", highlight=False, soft_wrap=True)
    hidden = len(comparison.differences) - DIFFERENCES_SHOWN
    if hidden > 0:
        err.print(f"  ... and {hidden} more (the JSON report lists them all)")
    if comparison.decides:
        err.print(escape(comparison.rerecord), highlight=False, soft_wrap=True)


def _expectations(args: argparse.Namespace) -> Any:
    from conformance import expectations

    if args.expect is None:
        return None
    try:
        return expectations.load(args.expect)
    except expectations.ExpectationsError as error:
        raise UsageError(str(error)) from None


def _execute(
    args: argparse.Namespace,
    err: Any,
    interrupts: _Interrupts,
    unwritten: list[str],
    cassette_read: Callable[[], None] | None,
) -> Any:
    """Run, record or replay as the options say; the result of the run (a cassette not saved: in `unwritten`).

    `cassette_read` waits for the cassette being read ahead, if it is: the replay's own modules
    load meanwhile.
    """
    import dataclasses

    from conformance import cassettes

    expected = _expectations(args)
    if args.replay:
        _refuse_run_options_with_replay(args)
        from conformance.cassettes import replaying  # loaded before the wait

        if cassette_read is not None:
            cassette_read()
        with replaying.replay(args.replay) as replay:
            result = _run(dataclasses.replace(replay.run_config(), expectations=expected), err, interrupts)
            # Only what was drawn again can differ with the libraries' versions: recorded examples cannot.
            for warning in replay.version_warnings() if replay.drew() else ():
                err.print(f"[yellow]warning: {warning}; the examples drawn again may differ[/]")
            result = replay.compare(result, rejudge=args.rejudge)
            _tell_comparison(result, replay.recorded, err)
            return result
    config = dataclasses.replace(_live_config(args, err), expectations=expected)
    if not args.record:
        return _run(config, err, interrupts)
    from conformance.server.settings import DEFAULT_TOKENS

    tokens = config.tokens if config.base_url else DEFAULT_TOKENS
    with cassettes.record(args.record, tokens) as recording:
        result = _run(
            dataclasses.replace(config, draws=recording.draws, recording=True), err, interrupts, recording.watching
        )
        recording.finish(cassettes.run_metadata(result))
    if recording.error is not None:
        unwritten.append(f"--record {args.record}: {recording.error}")
    return result


def _write_reports(args: argparse.Namespace, result: Any) -> list[str]:
    """Write every report asked for; why each that could not be written failed (the others are written)."""
    writers = (
        ("--json", args.json, _json),
        ("--junit-xml", args.junit_xml, _junit),
        ("--html", args.html, _page),
        ("--badge", args.badge, _badge),
    )
    failed = []
    for option, path, write in writers:
        if not path:
            continue
        try:
            write(result, path)
        except Exception as error:  # the verdict is known: one output failing must not cost the others
            failed.append(f"{option} {path}: {_reason(error)}")
    return failed


# Each writer imports its renderer: a run asks for few of them, and the HTML one loads a Markdown parser.
def _json(result: Any, path: Path) -> None:
    from conformance.reports import json_report

    json_report.write(result, path)


def _junit(result: Any, path: Path) -> None:
    from conformance.reports import junit

    junit.write(result, path)


def _page(result: Any, path: Path) -> None:
    from conformance.reports import html, json_report

    html.write([("run", json_report.to_dict(result))], path)


def _badge(result: Any, path: Path) -> None:
    from conformance.reports import badge

    badge.write(result, path)


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"


def _check_cassette_name(path: Path | None, option: str) -> None:
    from conformance.cassettes.format import CassetteError, serializer_for

    try:
        if path is not None:
            serializer_for(path)
    except CassetteError as error:
        raise UsageError(f"{option} {error}") from None


def handle(args: argparse.Namespace) -> int:
    outputs = (
        (args.json, "--json"),
        (args.junit_xml, "--junit-xml"),
        (args.html, "--html"),
        (args.record, "--record"),
        (args.badge, "--badge"),
    )
    for path, option in outputs:
        check_writable(path, option)
    _check_cassette_name(args.record, "--record")
    _check_cassette_name(args.replay, "--replay")
    if args.rejudge and not args.replay:
        raise UsageError("--rejudge judges a recorded run afresh: it goes with --replay")
    from conformance.cassettes.format import read_ahead

    # A YAML cassette is parsed beside the imports below, not after them; so are the PUTs of a run
    # against a URL target drawn.
    cassette_read = read_ahead(args.replay) if args.replay and not args.dry_run else None
    early = not args.replay and not args.dry_run and _start_drawing(args)
    try:
        return _handle(args, cassette_read)
    finally:
        if cassette_read is not None:
            cassette_read()  # the process that read it is done, whatever the command did
        if early:
            from conformance import described

            described.discard_early()


def _handle(args: argparse.Namespace, cassette_read: Callable[[], None] | None) -> int:
    """The run, replay or dry run, its verdict told and its reports written; the exit status."""
    from rich.markup import escape

    from conformance import cassettes
    from conformance.reports import terminal
    from conformance.runner import INTERRUPTED, unjudged

    err = terminal.console(stderr=True)
    if args.dry_run:
        return _dry_run(args, err)
    interrupts = _Interrupts()
    interrupts.install()
    _keep_hypothesis_files_in_the_user_cache()
    unwritten: list[str] = []
    try:
        result = _execute(args, err, interrupts, unwritten, cassette_read)
    except cassettes.CassetteError as error:
        raise UsageError(str(error)) from None
    except KeyboardInterrupt:
        result = unjudged(args.base_url or "", INTERRUPTED)
    except UsageError:
        raise
    except Exception as error:  # a bug in the suite: still a verdict and the reports, and what to file
        err.print(
            f"[bold red]chat-conformance failed:[/] {escape(f'{type(error).__name__}: {error}')}; please report it"
        )
        result = unjudged(args.base_url or "", f"the suite failed: {type(error).__name__}: {error}", error)
    terminal.render(result, terminal.console(highlight=False))
    failed = [*unwritten, *_write_reports(args, result)]
    for failure in failed:
        err.print(f"[bold red]could not write[/] {escape(failure)}", soft_wrap=True)
    if result.stopped == INTERRUPTED:
        err.print("[bold red]interrupted[/]: the run did not complete (billing was restored if it had been changed)")
    if failed and result.verdict != "fail":
        return EXIT_ERROR  # the verdict stands, but not every output it was asked for exists
    return EXIT_FOR_VERDICT[result.verdict]
