"""What every command shares: the exit statuses, the usage error, and option types.

Exit status (the contract): 0 pass, 1 fail, 2 usage or configuration error, 3 error: the run could
not judge every rule (the target could not be reached or stopped answering) and no MUST rule failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

N = TypeVar("N", int, float)

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_ERROR = 0, 1, 2, 3
EXIT_FOR_VERDICT = {"pass": EXIT_PASS, "fail": EXIT_FAIL, "error": EXIT_ERROR}


class UsageError(Exception):
    """A bad option or configuration: reported in one line, exit 2."""


@contextlib.contextmanager
def unread_output_dropped() -> Iterator[None]:
    """Around a command's printing: a reader that goes away (`| head`) loses the rest of the output.

    Not the command's exit code, which says something (a regression, a conflict) whether or not
    anybody read the lines.
    """
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def check_writable(path: Path | None, option: str) -> None:
    """Refuse, before anything is sent, an output path that could not be written at the end of a run.

    Written to, not judged by its permission bits: root passes every permission check, and a
    read-only file system or a full quota says no only when one tries.
    """
    if path is None:
        return
    if path.is_dir():
        raise UsageError(f"{option} {path}: is a folder; give a file name in it")
    if not path.resolve().parent.is_dir():
        raise UsageError(f"{option} {path}: the folder {path.resolve().parent} does not exist")
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as error:
        raise UsageError(f"{option} {path}: cannot be written ({error.strerror or error})") from None
    if not existed:
        path.unlink(missing_ok=True)


def _number(convert: Callable[[str], N], what: str, allowed: Callable[[N], bool], rule: str) -> Callable[[str], N]:
    """An argparse type: `convert` the text, refusing what is not `what` or not `allowed` by `rule`."""

    def parse(text: str) -> N:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not allowed(value):
            raise argparse.ArgumentTypeError(rule)
        return value

    return parse


positive_int = _number(int, "a whole number", lambda value: value >= 1, "must be at least 1")
seed = _number(int, "a whole number", lambda value: 0 <= value < 2**32, "must be between 0 and 4294967295")
seconds = _number(float, "a number of seconds", lambda value: value > 0, "must be more than 0")
share = _number(float, "a number", lambda value: 0 < value <= 1, "must be more than 0 and at most 1, e.g. 0.5")
port = _number(int, "a port number", lambda value: 0 <= value <= 65535, "must be between 0 and 65535")
milliseconds = _number(float, "a number of milliseconds", lambda value: value >= 0, "must be 0 or more")
fraction = _number(float, "a number", lambda value: 0 <= value <= 1, "must be between 0 and 1, e.g. 0.1")


def rate(text: str) -> Any:
    from conformance.transport import Pacer

    try:
        return Pacer.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
