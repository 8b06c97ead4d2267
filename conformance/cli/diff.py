"""`diff OLD.json NEW.json`: what changed between two runs of one target; exit 1 on a regression."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_FAIL, EXIT_PASS, UsageError, unread_output_dropped


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("diff", help="what changed between two runs of one target (exit 1 on a regression)")
    parser.add_argument("old", type=Path, metavar="OLD.json", help="the earlier report of run --json")
    parser.add_argument("new", type=Path, metavar="NEW.json", help="the later report")
    parser.add_argument("--json", action="store_true", help="as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from conformance import changes
    from conformance.reports import json_report

    try:
        old, new = json_report.load(args.old), json_report.load(args.new)
    except json_report.ReportError as error:
        raise UsageError(str(error)) from None
    found = changes.compare(old, new)
    with unread_output_dropped():
        if args.json:
            print(json.dumps(found.to_dict(), indent=2), flush=True)
        else:
            _print(found, args)
            sys.stdout.flush()
    return EXIT_FAIL if found.regressed else EXIT_PASS


def _print(found: Any, args: argparse.Namespace) -> None:
    for warning in found.warnings:
        print(f"warning: {warning}")
    before, after = found.verdicts
    print(f"verdict: {before} -> {after}" if before != after else f"verdict: {after} (as before)")
    for title, entries in (("regressed", found.regressed), ("fixed", found.fixed), ("changed", found.changed)):
        if not entries:
            continue
        print(f"\n{title} ({len(entries)}):")
        for change in entries:
            print(f"  {change.id:<26} {change.level:<6} {change.before or 'absent'} -> {change.after or 'absent'}")
            if change.detail:
                print(f"  {'':26} {change.detail[:200]}")
    total = len(found.regressed) + len(found.fixed) + len(found.changed)
    print(f"\n{total} changed, {found.unchanged} unchanged, between {args.old} and {args.new}")
