"""`chat-conformance`: run the suite, serve the reference server, print the catalog.

Exit status (the contract): 0 pass, 1 fail, 2 usage or configuration error, 3 error: the run could
not judge every rule (the target could not be reached or stopped answering) and no MUST rule failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance import __version__

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
EXIT_FOR_VERDICT = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "error": EXIT_ERROR}
DEFAULT_MAX_EXAMPLES = 25
ROLES = ("owner", "admin", "agent")
ENV = {
    "base_url": "CHAT_CONFORMANCE_BASE_URL",
    "owner": "CHAT_CONFORMANCE_OWNER_TOKEN",
    "admin": "CHAT_CONFORMANCE_ADMIN_TOKEN",
    "agent": "CHAT_CONFORMANCE_AGENT_TOKEN",
}


class UsageError(Exception):
    """A bad option or configuration: reported in one line, exit 2."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError("must be between 0 and 4294967295")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 1, e.g. 0.5")
    return value


def _rate(text: str) -> Any:
    from conformance.transport import Pacer

    try:
        return Pacer.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be between 0 and 65535")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-conformance", description="Conformance suite for the Zendesk Chat Accounts API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)  # usage lists every command

    run = commands.add_parser("run", help="test a target (no --base-url: the embedded reference server)")
    run.add_argument("--base-url", metavar="URL", help=f"the target, e.g. https://acme.zendesk.com [{ENV['base_url']}]")
    for role, who in (
        ("owner", "the account owner"),
        ("admin", "an admin who is not the owner"),
        ("agent", "an agent who is not an admin"),
    ):
        run.add_argument(f"--{role}-token", metavar="T", help=f"bearer token of {who} [{ENV[role]}]")
    run.add_argument("--support-created", action="store_true", help="the account was created in Zendesk Support")
    run.add_argument("--no-writes", action="store_true", help="send nothing that could change the account")
    run.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report")
    run.add_argument("--junit-xml", type=Path, metavar="PATH", help="write a JUnit XML report")
    run.add_argument("--html", type=Path, metavar="PATH", help="write a self-contained HTML report")
    run.add_argument(
        "--max-examples",
        type=_positive_int,
        metavar="N",
        help=f"generated cases per property (default {DEFAULT_MAX_EXAMPLES})",
    )
    run.add_argument("--seed", type=_seed, metavar="N", help="make generation reproducible")
    run.add_argument(
        "--max-requests",
        type=_positive_int,
        metavar="N",
        help="never send more than N requests; the examples are spread to fit",
    )
    run.add_argument("--rate-limit", type=_rate, metavar="N/s|N/m", help="never send faster than this")
    run.add_argument(
        "--rate-share",
        type=_share,
        default=0.5,
        metavar="F",
        help="where the target announces its quota, use at most this share of it (default 0.5)",
    )
    run.add_argument("--timeout", type=_seconds, default=10.0, metavar="SECONDS", help="per request (default 10)")
    cassette = run.add_mutually_exclusive_group()
    cassette.add_argument("--record", type=Path, metavar="PATH", help="record the run's HTTP traffic to a cassette")
    cassette.add_argument("--replay", type=Path, metavar="PATH", help="run offline from a recorded cassette")
    run.set_defaults(handler=command_run)

    serve = commands.add_parser("serve", help="run the reference server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000)
    serve.add_argument("--support-created", action="store_true", help="refuse every PUT, as for a Support account")
    serve.add_argument("--fixture", type=Path, metavar="FILE", help="tokens and starting account (JSON)")
    serve.add_argument("--state", type=Path, metavar="FILE", help="keep the account in this file across restarts")
    serve.add_argument("--rate-limit", type=_rate, metavar="N/m", help="answer 429 past this many requests")
    serve.set_defaults(handler=command_serve)

    report = commands.add_parser("report", help="put JSON reports side by side in one HTML page")
    report.add_argument("reports", type=Path, nargs="+", metavar="RESULT.json", help="reports of run --json")
    report.add_argument("--html", type=Path, metavar="OUT.html", required=True, help="the page to write")
    report.set_defaults(handler=command_report)

    lint = commands.add_parser("lint-docs", help="where the docs' examples disagree with the OpenAPI description")
    lint.add_argument(
        "docs",
        type=Path,
        nargs="?",
        metavar="DOCS.md",
        help="the captured docs page (default: ../shared/docs/chat-accounts-api.md)",
    )
    lint.add_argument("--json", action="store_true", help="as JSON")
    lint.set_defaults(handler=command_lint_docs)

    requirements = commands.add_parser("requirements", help="print the requirement catalog")
    requirements.add_argument("--json", action="store_true", help="as JSON")
    requirements.set_defaults(handler=command_requirements)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as error:
        print(f"chat-conformance {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE


# --- run -----------------------------------------------------------------------------------------------


def _check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url {url!r} must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise UsageError(f"--base-url {url!r} must not have a query or fragment")
    return url


def _check_writable(path: Path | None, option: str) -> None:
    if path is not None and not path.resolve().parent.is_dir():
        raise UsageError(f"{option} {path}: the folder {path.resolve().parent} does not exist")


def _interrupt_on_sigterm() -> None:
    """SIGTERM ends a run like Ctrl-C does, so the account is restored before exiting."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _live_config(args: argparse.Namespace, err: Any) -> Any:
    from conformance import budget
    from conformance.context import Options
    from conformance.runner import RunConfig, new_seed

    base_url = args.base_url or os.environ.get(ENV["base_url"]) or None
    if base_url:
        _check_base_url(base_url)
    tokens = {role: getattr(args, f"{role}_token") or os.environ.get(ENV[role]) or None for role in ROLES}
    if base_url and not any(tokens.values()):
        err.print("[yellow]no token given: only the unauthenticated rules can be judged[/]")
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
        *((f"--{role}-token", getattr(args, f"{role}_token")) for role in ROLES),
    ]
    given = [flag for flag, value in flags if value]
    if given:
        raise UsageError(f"{', '.join(given)} cannot be used with --replay: the cassette says how the run was made")


def _run(config: Any, err: Any) -> Any:
    from conformance.reports import terminal
    from conformance.runner import run

    with terminal.ProgressDisplay(err) as progress:
        return run(config, observer=progress)


def _compare_with_recording(result: Any, recorded: dict[str, Any], err: Any) -> None:
    statuses = {entry.requirement.id: entry.status.value for entry in result.requirements}
    differ = sorted(id_ for id_, status in recorded["statuses"].items() if statuses.get(id_) != status)
    if differ:
        err.print(f"[bold yellow]the replay differs from the recording in: {', '.join(differ)}[/]")
    else:
        err.print(f"[green]the replay found what the recording found (verdict {recorded['verdict']})[/]")


def _execute(args: argparse.Namespace, err: Any) -> Any:
    """Run, record or replay as the options say; the result of the run."""
    from conformance import cassettes

    if args.replay:
        _refuse_run_options_with_replay(args)
        with cassettes.replay(args.replay) as replay:
            for warning in replay.version_warnings():
                err.print(f"[yellow]warning: {warning}; generated requests may differ[/]")
            result = _run(replay.run_config(), err)
            _compare_with_recording(result, replay.recorded, err)
            return result
    config = _live_config(args, err)
    if not args.record:
        return _run(config, err)
    from conformance.server.settings import DEFAULT_TOKENS

    tokens = config.tokens if config.base_url else DEFAULT_TOKENS
    with cassettes.record(args.record, tokens) as recording:
        result = _run(dataclasses.replace(config, draws=recording.draws), err)
        recording.finish(cassettes.run_metadata(result))
        return result


def _write_reports(args: argparse.Namespace, result: Any) -> None:
    from conformance.reports import html, json_report, junit

    writers = ((args.json, json_report.write), (args.junit_xml, junit.write))
    for path, write in writers:
        if path:
            write(result, path)
    if args.html:
        html.write([("run", json_report.to_dict(result))], args.html)


def command_run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from conformance import cassettes
    from conformance.reports import terminal
    from conformance.runner import INTERRUPTED, unjudged

    outputs = ((args.json, "--json"), (args.junit_xml, "--junit-xml"), (args.html, "--html"), (args.record, "--record"))
    for path, option in outputs:
        _check_writable(path, option)
    err = Console(stderr=True)
    _interrupt_on_sigterm()
    try:
        result = _execute(args, err)
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
    terminal.render(result, Console(highlight=False))
    _write_reports(args, result)
    if result.stopped == INTERRUPTED:
        err.print("[bold red]interrupted[/]: the run did not complete (billing was restored if it had been changed)")
    return EXIT_FOR_VERDICT[result.verdict]


# --- serve ---------------------------------------------------------------------------------------------


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    sock.listen(2048)
    return sock


def command_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from conformance.server import ServerSettings, create_app
    from conformance.server.settings import SettingsError, apply_fixture, apply_state

    settings = ServerSettings(support_created=args.support_created)
    try:
        if args.fixture:
            apply_fixture(settings, args.fixture)
        if args.state:
            apply_state(settings, args.state)
    except SettingsError as error:
        raise UsageError(str(error)) from None
    if args.rate_limit:
        settings.rate_limit_per_minute = max(1, round(60 / args.rate_limit.interval))
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Zendesk Chat Accounts reference server on http://{shown_host}:{port}", flush=True)
    print(f"  account endpoint: http://{shown_host}:{port}/api/v2/chat/account")
    for role, token in settings.tokens.items():
        print(f"  {role:5} token: {token}")
    if settings.support_created:
        print("  created in Zendesk Support: every PUT is refused")
    if settings.state_file:
        print(f"  state kept in {settings.state_file}")
    print("Press Ctrl-C to stop.", flush=True)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
    return EXIT_PASS


# --- report --------------------------------------------------------------------------------------------


def command_report(args: argparse.Namespace) -> int:
    from conformance.reports import html

    _check_writable(args.html, "--html")
    try:
        reports = [html.load(path) for path in args.reports]
    except html.ReportError as error:
        raise UsageError(str(error)) from None
    names = [path.stem for path in args.reports]
    if len(set(names)) != len(names):
        names = [str(path) for path in args.reports]
    html.write(list(zip(names, reports, strict=True)), args.html)
    from conformance import catalog

    count = len(reports)
    print(f"wrote {args.html}: {count} target{'s' if count != 1 else ''} x {len(catalog.requirements())} requirements")
    return EXIT_PASS


# --- lint-docs -----------------------------------------------------------------------------------------


def command_lint_docs(args: argparse.Namespace) -> int:
    """Exit 1 when a docs example breaks the description (a conflict), else 0 with the notes listed."""
    from conformance import docs_drift

    path = args.docs or docs_drift.default_docs()
    if path is None:
        raise UsageError("give the docs page: chat-conformance lint-docs PATH/chat-accounts-api.md")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None
    findings = docs_drift.lint(text)
    if args.json:
        print(json.dumps([finding.to_dict() for finding in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(f"{finding.severity}: {finding.where}: {finding.path} = {finding.docs}")
            print(f"    {finding.finding}")
            print(f"    description: {finding.description}")
        conflicts = sum(finding.severity == "conflict" for finding in findings)
        print(
            f"{len(findings)} findings, {conflicts} conflicts, in {len(docs_drift.examples(text))} examples of {path}"
        )
    return EXIT_FAIL if any(finding.severity == "conflict" for finding in findings) else EXIT_PASS


# --- requirements --------------------------------------------------------------------------------------


def command_requirements(args: argparse.Namespace) -> int:
    from conformance import catalog

    rows = catalog.requirements()
    if args.json:
        print(
            json.dumps(
                [{"id": r.id, "level": r.level.value, "rule": r.rule, "section": r.section} for r in rows], indent=2
            )
        )
        return EXIT_PASS
    width = max(len(r.id) for r in rows)
    for requirement in rows:
        print(f"{requirement.id:<{width}}  {requirement.level.value:<6}  {requirement.rule}")
    return EXIT_PASS


if __name__ == "__main__":
    sys.exit(main())
