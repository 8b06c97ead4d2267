"""`report`: JSON reports of several targets side by side in one HTML page."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_PASS, UsageError, check_writable


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("report", help="put JSON reports side by side in one HTML page")
    parser.add_argument("reports", type=Path, nargs="+", metavar="RESULT.json", help="reports of run --json")
    parser.add_argument("--html", type=Path, metavar="OUT.html", required=True, help="the page to write")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from conformance.reports import html, json_report

    check_writable(args.html, "--html")
    try:
        reports = [json_report.load(path) for path in args.reports]
    except json_report.ReportError as error:
        raise UsageError(str(error)) from None
    names = [path.stem for path in args.reports]
    if len(set(names)) != len(names):
        names = [str(path) for path in args.reports]
    html.write(list(zip(names, reports, strict=True)), args.html)
    from conformance import catalog

    count = len(reports)
    print(f"wrote {args.html}: {count} target{'s' if count != 1 else ''} x {len(catalog.requirements())} requirements")
    return EXIT_PASS
