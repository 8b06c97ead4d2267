"""The matrix: the suite against every implementation in interop/, over several seeds, for people to read.

    python benchmarks/zoo.py [--seeds 1,2,3,7,20261125] [--out zoo/]

Starts each member (the reference server, the four independent implementations, Prism and Mockoon)
on loopback afresh for each seed, runs `chat-conformance run --seed S --json ...` against it, writes the
comparison page with `chat-conformance report` (`zoo/zoo.html`, one column per member) and prints
the README's table: stack, verdict on every seed, the rules it deviates from and why, time per run.
The mocks are run with their expectations files, so their verdict says whether they still deviate
exactly as listed. Needs Node.js for the Node members (each is installed from its lock file).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from conformance.server import create_app
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # interop/ sits beside benchmarks/
from interop import zoo

SEEDS = (1, 2, 3, 7, 20261125)


@dataclass
class Row:
    name: str
    stack: str
    verdicts: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    deviations: dict[str, str] = field(default_factory=dict)  # rule: why
    expectations: str | None = None  # the file its runs were judged with


def _reasons(member: zoo.Member | None) -> dict[str, str]:
    if member is None:
        return {}
    if member.expectations is None:
        return dict(member.warns)
    listed = tomllib.loads((zoo.EXPECTATIONS / member.expectations).read_text())
    return {rule: entry["reason"] for rule, entry in listed.get("expected", {}).items()}


def _run(url: str, tokens: dict[str, str], seed: int, report: Path, expect: Path | None) -> float:
    command = [sys.executable, "-m", "conformance", "run", "--base-url", url, "--seed", str(seed)]
    command += [arg for role, token in tokens.items() for arg in (f"--{role}-token", token)]
    command += ["--json", str(report), "--timeout", "2"]
    if expect is not None:
        command += ["--expect", str(expect)]
    started = time.monotonic()
    subprocess.run(command, capture_output=True, check=False)
    return time.monotonic() - started


def measure(
    name: str, stack: str, start: Callable[[], AbstractContextManager[str]], tokens: dict[str, str], args: Options
) -> Row:
    """Each seed's run against a member started afresh: a seed that crashes it must not decide the next one's."""
    member = zoo.BY_NAME.get(name)
    row = Row(name, stack, expectations=member.expectations if member else None)
    expect = zoo.EXPECTATIONS / member.expectations if member and member.expectations else None
    reasons = _reasons(member)
    for seed in args.seeds:
        with start() as url:
            report_path = args.out / f"{name}-{seed}.json"
            row.seconds.append(_run(url, tokens, seed, report_path, expect))
            report = json.loads(report_path.read_text())
            row.verdicts.append(report["verdict"])
            for entry in report["requirements"]:
                if entry["status"] in ("failed", "expected", "errored"):
                    why = reasons.get(entry["id"]) or (entry.get("failures") or [{}])[0].get("message", entry["status"])
                    row.deviations.setdefault(entry["id"], why)
    (args.out / f"{name}.json").write_bytes((args.out / f"{name}-{args.seeds[0]}.json").read_bytes())
    return row


@dataclass
class Options:
    seeds: tuple[int, ...]
    out: Path


@contextlib.contextmanager
def _embedded() -> Iterator[str]:
    with BackgroundServer(create_app()) as server:
        yield server.url


def _table(rows: list[Row]) -> str:
    lines = ["| member | stack | verdict | deviates from (why) | s per run (median) |", "|---|---|---|---|---|"]
    for row in rows:
        passes = row.verdicts.count("pass")
        verdict = f"pass on {passes} of {len(row.verdicts)} seeds" if passes else f"{row.verdicts[0]} on every seed"
        if passes not in (0, len(row.verdicts)):
            verdict = f"**depends on the seed**: {', '.join(row.verdicts)}"
        if row.expectations:
            verdict += f", with expectations/{row.expectations}"
        deviations = "; ".join(f"{rule} ({why})" for rule, why in row.deviations.items()) or "none"
        seconds = sorted(row.seconds)[len(row.seconds) // 2]
        lines.append(f"| {row.name} | {row.stack} | {verdict} | {deviations} | {seconds:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)), help="comma-separated seeds")
    parser.add_argument("--out", type=Path, default=Path("zoo"), help="folder for the reports and the page")
    parsed = parser.parse_args()
    args = Options(tuple(int(seed) for seed in parsed.seeds.split(",")), parsed.out)
    args.out.mkdir(parents=True, exist_ok=True)

    rows = [measure("reference", "the embedded reference server (Starlette)", _embedded, dict(DEFAULT_TOKENS), args)]
    for member in (*zoo.MEMBERS, *zoo.MOCKS):
        try:
            zoo.install(member)
        except (zoo.Unavailable, zoo.Broken) as why:
            print(f"{member.name}: skipped: {why}", file=sys.stderr)
            continue
        rows.append(measure(member.name, member.stack, functools.partial(zoo.serving, member), member.tokens, args))
        print(f"{member.name}: {', '.join(rows[-1].verdicts)}", file=sys.stderr)

    page = args.out / "zoo.html"
    reports = [str(args.out / f"{row.name}.json") for row in rows]
    subprocess.run([sys.executable, "-m", "conformance", "report", *reports, "--html", str(page)], check=True)
    print(_table(rows))


if __name__ == "__main__":
    main()
