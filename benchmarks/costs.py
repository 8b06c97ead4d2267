"""Where a run against a URL target spends its time: the suite's own work, by library, beside the HTTP.

    python benchmarks/costs.py [--seed 1] [--top 15]

`chat-conformance serve` runs in a process of its own; a default run against it is profiled here
with cProfile, from the command's entry to its report, imports included. Time is summed by where
it was spent (each function's own time, by the package its file belongs to): waiting on the socket
is the server's time and the floor's too (benchmarks/bench.py measures that floor); the rest is
the suite's own. Then the functions of the suite's own work that cost most, by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections import Counter
from pathlib import Path

from bench import _serving  # type: ignore[import-not-found]

from conformance import cli
from conformance.server.settings import DEFAULT_TOKENS

# Where a function's file lies, as the groups the summary adds up.
GROUPS = (
    ("socket waits (the server's time)", ("method 'recv_into'", "method 'sendall'", "method 'poll'", "select")),
    ("hypothesis", ("/hypothesis/",)),
    ("schemathesis", ("/schemathesis/",)),
    ("httpx, httpcore, h11", ("/httpx/", "/httpcore/", "/h11/")),
    ("jsonschema", ("/jsonschema/", "/jsonschema_rs", "/referencing/")),
    ("rich", ("/rich/",)),
    ("the suite (conformance/)", ("/conformance/",)),
    ("imports", ("<frozen importlib", "method 'read' of '_io", "built-in method marshal", "built-in method _imp")),
)


def _group(where: str) -> str:
    for name, marks in GROUPS:
        if any(mark in where for mark in marks):
            return name
    return "other (the standard library, builtins)"


def summary(stats: pstats.Stats) -> Counter[str]:
    spent: Counter[str] = Counter()
    for (path, line, name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        spent[_group(f"{path}:{line}({name})")] += own
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="1")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    tokens = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--{role}-token", token)]
    with _serving(Path(sys.argv[0]).with_name("costs-serve.log").resolve()) as (url, log):
        profile = cProfile.Profile()
        profile.enable()
        code = cli.main(["run", "--base-url", url, *tokens, "--seed", args.seed])
        profile.disable()
        log.unlink(missing_ok=True)
    stats = pstats.Stats(profile)
    total = sum(summary(stats).values())
    print(f"exit {code}; {total:.2f} s profiled (cProfile slows the suite's own work more than the waits)")
    for name, seconds in summary(stats).most_common():
        print(f"  {seconds:6.2f} s  {100 * seconds / total:5.1f} %  {name}")
    others = [
        (own, f"{path}:{line}({name})")
        for (path, line, name), (_c, _p, own, _cum, _callers) in stats.stats.items()  # type: ignore[attr-defined]
        if _group(f"{path}:{line}({name})").startswith("other")
    ]
    print(f"\nthe costliest of the rest, by own time, top {args.top}:")
    for own, where in sorted(others, reverse=True)[: args.top]:
        print(f"  {own:6.2f} s  {where}")


if __name__ == "__main__":
    main()
