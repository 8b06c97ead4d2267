"""The tests' fault-finding power: cosmic-ray's mutants of the modules users rely on most, judged by their tests.

    python benchmarks/self_mutation.py [--jobs 2] [--sample 80] [--seed 24] [--out self-mutation/]

`benchmarks/mutation.py` measures the suite by mutating the reference server; this measures the
project's own tests the same way. cosmic-ray lists every mutation of the modules in `MODULES`; a
mutation that changes nothing but a type annotation is excused without being run (every module
starts with `from __future__ import annotations`), and a seeded sample of the rest is judged. Each
sampled mutant is planted in a scratch copy of the checkout, never in the checkout itself, and
judged by the test files that cover its module: it is killed when pytest reports a failing test
or cannot even collect them (exit 1 or 2), or runs past `timeout`. Before any mutant, the same
test files must pass on the unmutated copy, or a "killed" would prove nothing.

Survivors that no test could tell from the original are excused in
`benchmarks/equivalent-self-mutants.toml`, each rule with its reason; any other survivor is a gap,
printed with its diff. Results go to `self-mutation/results.json` and `self-mutation/session.sqlite`
(cosmic-ray's own session, readable with `cr-report`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# Run as a script, the checkout is not on the path.
from benchmarks import mutation
from benchmarks.mutation import Mutant

ROOT = mutation.ROOT
# Each module (or folder of modules) users rely on most, and the test files that cover it: the
# quickest first, since pytest stops at the first failure.
MODULES: dict[str, tuple[str, ...]] = {
    "conformance/cli/run.py": ("tests/test_dry_run.py", "tests/test_outputs.py", "tests/test_cli.py"),
    "conformance/cassettes/": (
        "tests/test_scrub.py",
        "tests/test_replaying.py",
        "tests/test_draws.py",
        "tests/test_cassettes.py",
        "tests/test_cassette_roundtrip.py",
    ),
    "conformance/safety.py": ("tests/test_safety.py",),
    "conformance/transport.py": (
        "tests/test_transport.py",
        "tests/test_safety.py",
        "tests/test_misbehaving_targets.py",
    ),
    "conformance/spec.py": ("tests/test_spec.py", "tests/test_openapi.py"),
}
EQUIVALENTS = ROOT / "benchmarks" / "equivalent-self-mutants.toml"
SEED = 24
SAMPLE = 80
# Left out of the scratch copy: what is not the project's, and what a run leaves behind.
NOT_COPIED = (".git", ".venv", "node_modules", "__pycache__", ".hypothesis", "mutation", "self-mutation", "*.egg-info")


def files() -> tuple[str, ...]:
    """The modules of `MODULES`, a folder standing for its Python files."""
    found: list[str] = []
    for name in MODULES:
        path = ROOT / name
        found += [str(p.relative_to(ROOT)) for p in sorted(path.glob("*.py"))] if path.is_dir() else [name]
    return tuple(found)


def tests_of(file: str) -> tuple[str, ...]:
    """The test files that judge a mutant of `file`."""
    for name, tests in MODULES.items():
        if file == name or (name.endswith("/") and file.startswith(name)):
            return tests
    raise KeyError(file)


def sample(found: list[Mutant], size: int, seed: int) -> list[Mutant]:
    """A seeded sample, the same for the same code whatever order cosmic-ray lists its mutants in."""
    ordered = sorted(found, key=lambda m: (m.file, m.line, m.operator, m.occurrence))
    return random.Random(seed).sample(ordered, min(size, len(ordered)))


@contextlib.contextmanager
def scratch_checkout() -> Iterator[Path]:
    """A copy of the checkout, tests included, to put mutants into: the checkout is never mutated."""
    with tempfile.TemporaryDirectory(prefix="self-mutant-") as folder:
        copy = Path(folder) / "checkout"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED))
        yield copy


class Pytest:
    """Runs a module's test files in a scratch copy; remembers, per mutant, what it saw."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.seen: dict[str, str] = {}  # job id: the first failing test, or why the mutant counts as killed

    def run(self, scratch: Path, tests: tuple[str, ...]) -> tuple[int | None, str]:
        """pytest's exit code (None: past the timeout) and the first failing test it names."""
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *tests]
        # The scratch copy first on the path, in this process and in every `python -m conformance`
        # a test starts: the package installed in this environment (perhaps the checkout, as an
        # editable install) is never what is tested.
        env = {**mutation._env(scratch), "COLUMNS": "200"}
        try:
            done = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            return None, f"past the {self.timeout:.0f} s timeout"
        lines = (done.stdout + done.stderr).splitlines()
        failing = next((line for line in lines if line.startswith(("FAILED", "ERROR", "ImportError"))), "")
        return done.returncode, failing

    def kills(self, scratch: Path, mutant: Mutant) -> bool:
        code, failing = self.run(scratch, tests_of(mutant.file))
        if code is None:
            self.seen[mutant.job_id] = failing
            return True
        # A test failed (1); the tests could not be collected (2), or their conftest not even
        # imported (4, which pytest also gives for a usage error: so only with the ImportError).
        if code in (1, 2) or (code == 4 and failing.startswith("ImportError")):
            self.seen[mutant.job_id] = failing or f"pytest exit {code}"
            return True
        if code != 0:  # neither a verdict nor a failure: shown as a survivor, to be looked at
            self.seen[mutant.job_id] = f"pytest exit {code}: {failing}"
        return False


def control(jobs: int) -> dict[str, float]:
    """Every module's tests, on the unmutated copy: each must pass. The seconds each took."""
    timings: dict[str, float] = {}
    runner = Pytest(timeout=1800)

    def one(name: str) -> None:
        with scratch_checkout() as scratch:
            started = time.monotonic()
            code, failing = runner.run(scratch, MODULES[name])
            timings[name] = time.monotonic() - started
        if code != 0:
            raise SystemExit(f"the tests of {name} fail without any mutant (exit {code}): {failing}")

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, MODULES))
    return timings


def summary(everything: list[Mutant], annotations: list[Mutant], judged: list[Mutant], seen: dict[str, str]) -> dict:
    survivors = [m for m in judged if not m.killed]
    excused = [m for m in survivors if m.excuse]
    gaps = [m for m in survivors if not m.excuse]
    by_module: dict[str, Counter[str]] = {}
    for mutant in judged:
        kind = "killed" if mutant.killed else ("equivalent" if mutant.excuse else "survived")
        module = next(name for name in MODULES if mutant.file == name or mutant.file.startswith(name))
        by_module.setdefault(module, Counter())[kind] += 1
    counted = len(judged) - len(excused)
    return {
        "mutants": len(everything),
        "annotation only (excused, not run)": len(annotations),
        "sampled": len(judged),
        "killed": len(judged) - len(survivors),
        "equivalent": len(excused),
        "survived": len(gaps),
        "killed, of the non-equivalent": f"{len(judged) - len(survivors)}/{counted}",
        "by module": {name: dict(counts) for name, counts in by_module.items()},
        "excused, by reason": dict(Counter(m.excuse for m in excused).most_common()),
        "killed by": {m.name(): seen.get(m.job_id, "") for m in judged if m.killed},
        "gaps": [{"mutant": m.name(), "diff": m.diff, "seen": seen.get(m.job_id, "")} for m in gaps],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--sample", type=int, default=SAMPLE, help="how many mutants to judge")
    parser.add_argument("--seed", type=int, default=SEED, help="which sample")
    parser.add_argument("--out", type=Path, default=Path("self-mutation"))
    parser.add_argument(
        "--rejudge", type=Path, metavar="RESULTS", help="judge again only the survivors a results.json names"
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    everything = mutation.mutants(files(), args.out / "session.sqlite")
    annotations = [m for m in everything if mutation._in_annotation(m)]
    judged = sample([m for m in everything if m not in annotations], args.sample, args.seed)
    if args.rejudge:  # after tests were added: the same sample's survivors, judged by the tests as they are now
        survivors = {gap["mutant"] for gap in json.loads(args.rejudge.read_text())["gaps"]}
        judged = [m for m in judged if m.name() in survivors]
    print(
        f"{len(everything)} mutants of {', '.join(MODULES)}; {len(annotations)} only in annotations; "
        f"judging {len(judged)} (seed {args.seed})",
        file=sys.stderr,
    )
    timings = control(args.jobs)
    print("unmutated: " + ", ".join(f"{name} {s:.0f} s" for name, s in timings.items()), file=sys.stderr)
    # A mutant that makes a test hang is killed; a loaded machine must not pass for one.
    runner = Pytest(timeout=3 * max(timings.values()) + 60)
    mutation.judge_each(judged, "tests", args.jobs, runner.kills, scratch_checkout)
    rules = tomllib.loads(EQUIVALENTS.read_text())["equivalent"]
    for mutant in judged:
        mutant.excuse = None if mutant.killed else mutation.excuse(mutant, rules)
    mutation.record(args.out / "session.sqlite", judged)

    figures = summary(everything, annotations, judged, runner.seen)
    figures["seed"] = args.seed
    figures["seconds"] = round(time.monotonic() - started)
    (args.out / "results.json").write_text(json.dumps(figures, indent=2))
    for gap in figures.pop("gaps"):
        print(f"\nSURVIVED {gap['mutant']} {gap['seen']}\n{gap['diff']}")
    figures.pop("killed by")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
