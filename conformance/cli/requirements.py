"""`requirements`: print the requirement catalog."""

from __future__ import annotations

import argparse
import json
from typing import Any

from conformance.cli.common import EXIT_PASS


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("requirements", help="print the requirement catalog")
    parser.add_argument("--json", action="store_true", help="as JSON")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
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
