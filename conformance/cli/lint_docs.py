"""`lint-docs`: where the docs' own examples disagree with the OpenAPI description."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from conformance.cli.common import EXIT_FAIL, EXIT_PASS, UsageError, unread_output_dropped


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("lint-docs", help="where the docs' examples disagree with the OpenAPI description")
    parser.add_argument(
        "docs",
        type=Path,
        nargs="?",
        metavar="DOCS.md",
        help="the captured docs page (default: ../shared/docs/chat-accounts-api.md)",
    )
    parser.add_argument("--json", action="store_true", help="as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
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
    with unread_output_dropped():
        if args.json:
            print(json.dumps([finding.to_dict() for finding in findings], indent=2, ensure_ascii=False))
        else:
            for finding in findings:
                print(f"{finding.severity}: {finding.where}: {finding.path} = {finding.docs}")
                print(f"    {finding.finding}")
                print(f"    description: {finding.description}")
            conflicts = sum(finding.severity == "conflict" for finding in findings)
            examples = len(docs_drift.examples(text))
            print(f"{len(findings)} findings, {conflicts} conflicts, in {examples} examples of {path}")
        sys.stdout.flush()
    return EXIT_FAIL if any(finding.severity == "conflict" for finding in findings) else EXIT_PASS
