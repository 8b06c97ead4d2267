"""Fault-finding power, measured with a real mutation tool: cosmic-ray's mutants of the reference server.

    python benchmarks/mutation.py [--jobs 2] [--out mutation/] [--every-configuration] [--schemathesis]
                                  [--max-requests N]

cosmic-ray (pinned in constraints.txt) lists every mutation of the reference server's HTTP layer
and store (`FILES`) and writes each mutant's code. Each mutant is put into a scratch copy of the
package, never into the checkout, and judged by `chat-conformance run` under the configurations a
user runs (`JUDGES`): the default run judges every mutant; the others judge what the
default run let survive (all of them with `--every-configuration`). A mutant is killed when the run
reports any rule failed or errored, exits non-zero, or does not finish within `TIMEOUT_S`.

Survivors that cannot be seen from outside (equivalent) or lie outside what the docs rule are
excused in `benchmarks/equivalent-mutants.toml`, each rule with its reason; any other survivor is a
gap, printed with its diff. With `--schemathesis`, the same mutants are judged by stock
`schemathesis run openapi/chat-accounts.yaml --checks all` with the owner's token against `serve`,
as a user would try it. With `--max-requests N`, every run of the suite is given that budget, as on
a live account that shares its rate limit. Results go to `mutation/results.json` and `mutation/session.sqlite`
(cosmic-ray's own session, readable with `cr-report`).
"""

from __future__ import annotations

import argparse
import ast
import compileall
import contextlib
import fnmatch
import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from py_compile import PycInvalidationMode

ROOT = Path(__file__).resolve().parents[1]
FILES = ("conformance/server/app.py", "conformance/server/store.py", "conformance/server/errors.py")
EQUIVALENTS = ROOT / "benchmarks" / "equivalent-mutants.toml"
SEED = "7"
TIMEOUT_S = 60
TOKENS = {"owner": "dev-owner-token", "admin": "dev-admin-token", "agent": "dev-agent-token"}
RUN_OPTIONS: list[str] = []  # given to every run of the suite (--max-requests), set once by main


@dataclass
class Mutant:
    job_id: str
    file: str  # relative to the checkout
    operator: str
    occurrence: int
    line: int
    definition: str | None
    code: str  # the whole mutated file
    diff: str = ""
    verdicts: dict[str, bool] = field(default_factory=dict)  # configuration: killed
    excuse: str | None = None
    stock: bool | None = None  # killed by stock schemathesis (None: not judged by it)

    @property
    def killed(self) -> bool:
        return any(self.verdicts.values())

    def name(self) -> str:
        return f"{self.file}:{self.line} {self.operator} #{self.occurrence} in {self.definition or 'the module'}"


# --- listing and writing mutants, with cosmic-ray ------------------------------------------------------


def mutants(files: tuple[str, ...], session: Path) -> list[Mutant]:
    """Every mutant cosmic-ray makes of `files`, with its code; the session records them for `cr-report`."""
    import difflib

    from cosmic_ray import plugins
    from cosmic_ray.commands.init import init
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.work_db import WorkDB, use_db

    session.unlink(missing_ok=True)
    found = []
    with use_db(str(session), WorkDB.Mode.create) as db:
        init([ROOT / path for path in files], db, {})
        for item in db.pending_work_items:
            (spec,) = item.mutations
            source = spec.module_path.read_text(encoding="utf-8")
            operator = plugins.get_operator(spec.operator_name)(**(spec.operator_args or {}))
            code = mutate_code(source, operator, spec.occurrence)
            if code is None:
                continue
            relative = str(spec.module_path.relative_to(ROOT))
            lines = difflib.unified_diff(source.splitlines(True), code.splitlines(True), relative, relative, n=1)
            mutant = Mutant(
                item.job_id, relative, spec.operator_name, spec.occurrence, spec.start_pos[0],
                spec.definition_name, code, "".join(lines),
            )  # fmt: skip
            found.append(mutant)
    return found


def record(session: Path, found: list[Mutant]) -> None:
    """Write each judged mutant's outcome into cosmic-ray's session, so that `cr-report` reads it."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    with use_db(str(session), WorkDB.Mode.open) as db:
        for mutant in found:
            if mutant.verdicts:
                outcome = TestOutcome.KILLED if mutant.killed else TestOutcome.SURVIVED
                result = WorkResult(WorkerOutcome.NORMAL, json.dumps(mutant.verdicts), outcome, mutant.diff)
                db.set_result(mutant.job_id, result)


# --- what cannot be seen from outside --------------------------------------------------------------------


def _in_annotation(mutant: Mutant) -> bool:
    """Whether the mutation changed nothing but an annotation: the mutant's module, annotations removed, is the same."""
    return _original_without_annotations(mutant.file) == _without_annotations(mutant.code)


@functools.cache
def _original_without_annotations(file: str) -> str:
    return _without_annotations((ROOT / file).read_text(encoding="utf-8"))


def _without_annotations(source: str) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
        elif isinstance(node, ast.arg):
            node.annotation = None
        elif isinstance(node, ast.AnnAssign):
            node.annotation = ast.Constant(None)
    return ast.dump(tree)


def _lines_at(mutant: Mutant) -> str:
    """The mutated line as it was and as it is."""
    original = (ROOT / mutant.file).read_text(encoding="utf-8").splitlines()
    mutated = mutant.code.splitlines()
    return "\n".join(lines[mutant.line - 1] for lines in (original, mutated) if mutant.line <= len(lines))


def excuse(mutant: Mutant, rules: list[dict]) -> str | None:
    """The reason `benchmarks/equivalent-mutants.toml` gives for this mutant's survival, if any."""
    for rule in rules:
        if rule.get("kind") == "annotation":
            if _in_annotation(mutant):
                return rule["reason"]
            continue
        if rule.get("file") and rule["file"] != mutant.file:
            continue
        if "definition" in rule and rule["definition"] != (mutant.definition or ""):  # "": at module level
            continue
        if rule.get("operators") and not any(
            fnmatch.fnmatch(mutant.operator, pattern) for pattern in rule["operators"]
        ):
            continue
        if rule.get("line_contains") and rule["line_contains"] not in _lines_at(mutant):
            continue
        return rule["reason"]
    return None


# --- judging a mutant ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def scratch_package() -> Iterator[Path]:
    """A copy of the package and the description it loads, to put mutants into: the checkout is never mutated."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as folder:
        shutil.copytree(
            ROOT / "conformance", Path(folder) / "conformance", ignore=shutil.ignore_patterns("__pycache__")
        )
        shutil.copytree(ROOT / "openapi", Path(folder) / "openapi")
        # Bytecode checked by the source's hash, not its time and size: a mutant the same size as
        # the original, written within the same second, is still compiled afresh.
        compileall.compile_dir(
            Path(folder) / "conformance", quiet=1, invalidation_mode=PycInvalidationMode.CHECKED_HASH
        )
        yield Path(folder)


@contextlib.contextmanager
def planted(scratch: Path, mutant: Mutant) -> Iterator[None]:
    target = scratch / mutant.file
    original = target.read_text(encoding="utf-8")
    target.write_text(mutant.code, encoding="utf-8")
    try:
        yield
    finally:
        target.write_text(original, encoding="utf-8")


def _env(scratch: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(scratch: Path, *options: str) -> Iterator[str | None]:
    """`chat-conformance serve` from the scratch copy; None when the mutant cannot even start it."""
    port = _free_port()
    command = [sys.executable, "-m", "conformance", "serve", "--port", str(port), "--quiet", *options]
    process = subprocess.Popen(
        command, env=_env(scratch), cwd=scratch, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield url if _answers(url, process) else None
    finally:
        process.kill()
        process.wait()


def _answers(url: str, process: subprocess.Popen[bytes]) -> bool:
    import httpx

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(url + "/api/v2/chat/account", timeout=1)
            return True
        except httpx.HTTPError:
            time.sleep(0.1)
    return False


@dataclass(frozen=True)
class Judgement:
    """What a run of the suite made of a mutant: the rules it failed, those it could not judge, or why no report."""

    failed: frozenset[str] = frozenset()
    errored: frozenset[str] = frozenset()  # a check that broke, or a run cut short: no rule's verdict
    broken: str | None = None  # the run exited non-zero without a report, or hung

    @property
    def killed(self) -> bool:
        return bool(self.failed or self.errored) or self.broken is not None


def _suite_judges(scratch: Path, *options: str) -> Judgement:
    """`chat-conformance run`'s report: the rules failed or errored; or a non-zero exit, a hang."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "conformance", "run", "--seed", SEED, "--json", str(report), *options]
        command += RUN_OPTIONS
        try:
            done = subprocess.run(command, env=_env(scratch), cwd=folder, capture_output=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return Judgement(broken=f"no end within {TIMEOUT_S} s")
        if not report.exists():
            return Judgement(broken=f"exit {done.returncode} and no report")
        entries = json.loads(report.read_text())["requirements"]
        failed = frozenset(entry["id"] for entry in entries if entry["status"] == "failed")
        errored = frozenset(entry["id"] for entry in entries if entry["status"] == "errored")
        if done.returncode != 0 and not failed | errored:
            return Judgement(broken=f"exit {done.returncode} with nothing failed")
        return Judgement(failed, errored)


def _tokens() -> list[str]:
    return [arg for role, token in TOKENS.items() for arg in (f"--{role}-token", token)]


def _rate_limited(scratch: Path) -> Judgement:
    # A quota the run never spends (it uses half of what is announced), so the run is not slowed:
    # what is judged is a served server announcing its budget on every answer.
    with serving(scratch, "--rate-limit", "100000/m") as url:
        if url is None:
            return Judgement(broken="serve did not start")
        return _suite_judges(scratch, "--base-url", url, *_tokens())


# Each configuration a user runs, and what the suite makes of a mutant under it.
JUDGES: dict[str, Callable[[Path], Judgement]] = {
    "default": lambda scratch: _suite_judges(scratch),
    "support-created": lambda scratch: _suite_judges(scratch, "--support-created"),
    "no-writes": lambda scratch: _suite_judges(scratch, "--no-writes"),
    "rate-limit": _rate_limited,
}


def _kills(judge: Callable[[Path], Judgement]) -> Callable[[Path], bool]:
    return lambda scratch: judge(scratch).killed


CONFIGURATIONS: dict[str, Callable[[Path], bool]] = {name: _kills(judge) for name, judge in JUDGES.items()}


def schemathesis_kills(scratch: Path) -> bool:
    """Stock schemathesis, as a user would first try it: every check, the owner's token."""
    binary = Path(sys.executable).with_name("schemathesis")
    with serving(scratch) as url:
        if url is None:
            return True
        command = [
            str(binary), "run", str(ROOT / "openapi" / "chat-accounts.yaml"), "--url", url,
            "-H", f"Authorization: Bearer {TOKENS['owner']}", "--checks", "all", "--seed", "1",
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT_S * 2, cwd=scratch)
        except subprocess.TimeoutExpired:
            return True
        return done.returncode != 0


# --- the benchmark ---------------------------------------------------------------------------------------------


def judge_all(found: list[Mutant], configuration: str, jobs: int, judge: Callable[[Path], bool] | None = None) -> None:
    """Judge `found` under one configuration, `jobs` at a time, each job with a scratch copy of its own."""
    kills = judge or CONFIGURATIONS[configuration]
    judge_each(found, configuration, jobs, lambda scratch, _mutant: kills(scratch))


def judge_each(
    found: list[Mutant],
    label: str,
    jobs: int,
    judge: Callable[[Path, Mutant], bool],
    scratch: Callable[[], contextlib.AbstractContextManager[Path]] = scratch_package,
) -> None:
    """Plant each mutant of `found` in a scratch copy and record `judge`'s verdict as `label`, `jobs` at a time."""
    queue = list(found)
    started = time.monotonic()

    def work() -> None:
        with scratch() as folder:
            while True:
                try:
                    mutant = queue.pop()  # atomic: the other jobs take from the same list
                except IndexError:
                    return
                with planted(folder, mutant):
                    mutant.verdicts[label] = judge(folder, mutant)
                done = len(found) - len(queue)
                if done % 25 == 0:
                    print(f"  {label}: {done}/{len(found)} in {time.monotonic() - started:.0f} s", file=sys.stderr)

    with ThreadPoolExecutor(jobs) as pool:
        for future in [pool.submit(work) for _ in range(jobs)]:
            future.result()


def summary(found: list[Mutant], configurations: list[str]) -> dict:
    survivors = [m for m in found if not m.killed]
    excused = [m for m in survivors if m.excuse]
    gaps = [m for m in survivors if not m.excuse]
    counted = [m for m in found if not (m.excuse and not m.killed)]  # equivalents that were killed still count
    by_file: dict[str, Counter[str]] = {}
    for mutant in found:
        kind = "killed" if mutant.killed else ("equivalent" if mutant.excuse else "survived")
        by_file.setdefault(mutant.file, Counter())[kind] += 1
    default_killed = sum(1 for m in counted if m.verdicts.get("default"))
    return {
        "mutants": len(found),
        "killed": len(found) - len(survivors),
        "equivalent or outside the docs": len(excused),
        "survived": len(gaps),
        "default run kills, of the non-equivalent": f"{default_killed}/{len(counted)}"
        + (f" ({100 * default_killed / len(counted):.1f} %)" if counted else ""),
        "by configuration (kills among those it judged)": {
            name: f"{sum(m.verdicts[name] for m in found if name in m.verdicts)}/"
            f"{sum(1 for m in found if name in m.verdicts)}"
            for name in configurations
        },
        "by file": {name: dict(counts) for name, counts in by_file.items()},
        "excused, by reason": dict(Counter(m.excuse for m in excused).most_common()),
        "gaps": [{"mutant": m.name(), "diff": m.diff} for m in gaps],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--out", type=Path, default=Path("mutation"))
    parser.add_argument(
        "--every-configuration", action="store_true", help="judge every mutant under every configuration"
    )
    parser.add_argument(
        "--schemathesis", action="store_true", help="judge the same mutants with stock schemathesis too"
    )
    parser.add_argument("--limit", type=int, help="judge only the first N mutants (a quick look)")
    parser.add_argument("--max-requests", type=int, help="the budget of every run of the suite")
    args = parser.parse_args()
    if args.max_requests is not None:
        RUN_OPTIONS.extend(["--max-requests", str(args.max_requests)])
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    found = mutants(FILES, args.out / "session.sqlite")[: args.limit]
    rules = tomllib.loads(EQUIVALENTS.read_text())["equivalent"]
    print(f"{len(found)} mutants of {', '.join(FILES)}", file=sys.stderr)
    judge_all(found, "default", args.jobs)
    for configuration in list(CONFIGURATIONS)[1:]:
        judge_all([m for m in found if args.every_configuration or not m.killed], configuration, args.jobs)
    for mutant in found:
        mutant.excuse = excuse(mutant, rules)
    if args.schemathesis:
        stock = [Mutant(**{**m.__dict__, "verdicts": {}}) for m in found]
        judge_all(stock, "schemathesis", args.jobs, schemathesis_kills)
        for ours, theirs in zip(found, stock, strict=True):
            ours.stock = theirs.verdicts["schemathesis"]
    record(args.out / "session.sqlite", found)

    configurations = list(CONFIGURATIONS)
    figures = summary(found, configurations)
    if args.schemathesis:
        figures["stock schemathesis kills"] = _versus(found)
    figures["max_requests"] = args.max_requests
    figures["seconds"] = round(time.monotonic() - started)
    (args.out / "results.json").write_text(json.dumps(figures, indent=2))
    for gap in figures.pop("gaps"):
        print(f"\nSURVIVED {gap['mutant']}\n{gap['diff']}")
    print(json.dumps(figures, indent=2))


def _versus(found: list[Mutant]) -> dict[str, object]:
    """Stock schemathesis beside the suite, over the mutants that are not excused as equivalent."""
    counted = [m for m in found if not (m.excuse and not m.killed)]
    theirs = sum(bool(m.stock) for m in counted)
    ours = sum(m.verdicts["default"] for m in counted)
    return {
        "of the non-equivalent mutants": f"schemathesis {theirs}/{len(counted)}, "
        f"the suite's default run {ours}/{len(counted)}",
        "killed by schemathesis alone": [m.name() for m in counted if m.stock and not m.killed],
        # Looked at by hand: the description (which schemathesis checks) may rule what the docs do not.
        "excused, yet killed by schemathesis": [m.name() for m in found if m.excuse and not m.killed and m.stock],
    }


if __name__ == "__main__":
    main()
