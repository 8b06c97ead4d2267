"""`chat-conformance`: one module per command, each adding its own parser and handling its own args.

Exit status (the contract): 0 pass, 1 fail, 2 usage or configuration error, 3 error: the run could
not judge every rule (the target could not be reached or stopped answering) and no MUST rule failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys

from conformance import __version__
from conformance.cli import diff, lean, lint_docs, report, requirements, run, serve
from conformance.cli.common import EXIT_PASS, EXIT_USAGE, UsageError, unread_output_dropped

COMMANDS = (run, serve, requirements, report, diff, lint_docs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chat-conformance", description="Conformance suite for the Zendesk Chat Accounts API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)  # usage lists every command
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    with unread_output_dropped():
        try:
            return int(args.handler(args))
        except UsageError as error:
            print(f"chat-conformance {args.command}: error: {error}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_PASS  # the reader went away (`| head`) before the command had a code of its own: stop quietly


def entry() -> None:
    """`chat-conformance` and `python -m conformance`: `main`, then out without the interpreter's teardown.

    Tearing down what a run loaded (hypothesis, schemathesis, httpx, rich) takes 0.15 s or more, a
    fifth of a replay, and none of it matters once the command is done: its reports are written and
    closed, its cassette saved, its worker joined, and `serve` saves the account on every change.
    """
    lean.skip_httpx_command_line()
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # the reader went away
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
