"""Speed of the suite and of the reference server, as ratios against baselines run in this script.

    python benchmarks/bench.py

0. What a user waits for: `chat-conformance run` and `run --replay cassettes/reference.json` as
   commands, wall clock from start to exit, against `python -c pass` started the same way; and a
   run against a URL target beside the replays of its JSON and YAML recordings (the ratio to keep
   at or below 0.25).
   A run against a URL target (`serve` in a process of its own) against its floor: a bare httpx
   loop sending the same requests over one connection, interpreter start included; and against
   stock `schemathesis run` on the same target, in requests per second counted at the server.
1. `chat-conformance run` (default settings) against the embedded server: seconds, requests/s, in two
   processes as by default and in one; and against faulty servers, as a ratio of the passing run's
   time: a failing run goes on to find each distinct failure, and shrinking them all is bounded.
2. `schemathesis run` on the same description against the same kind of loopback server, its
   requests counted at the server: the baseline for the suite's requests/s.
3. The reference server under load over loopback: GET and PUT requests/s from 4 client threads,
   and whether concurrent PUTs lost any update.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

import conformance
from conformance import spec
from conformance.context import Options
from conformance.runner import RunConfig, run
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

FIELDS = ("first_name", "last_name", "city", "company")  # one billing field per client thread
OWNER = {"Authorization": f"Bearer {DEFAULT_TOKENS['owner']}"}


class Counting:
    """ASGI wrapper counting the requests a server receives."""

    def __init__(self, app: object) -> None:
        self.app, self.count = app, 0

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            self.count += 1
        await self.app(scope, receive, send)


def suite(workers: int) -> tuple[float, float]:
    """A default run in this process; with two workers, forked as `chat-conformance run` forks them."""
    for thread in threading.enumerate():  # servers of earlier runs, winding down: a fork wants none
        if thread is not threading.current_thread():
            thread.join()
    started = time.perf_counter()
    result = run(RunConfig(options=Options(seed=1), workers=workers))
    seconds = time.perf_counter() - started
    return seconds, result.requests / seconds


def timed_run(app: object) -> tuple[float, int, int]:
    """Seconds, requests and distinct failures of a default run against `app`."""
    with BackgroundServer(app) as server:
        started = time.perf_counter()
        result = run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=Options(seed=1)))
        found = sum(entry.distinct_failures for entry in result.requirements)
        return time.perf_counter() - started, result.requests, found


# One fault each, and two that break one rule in several distinct ways (three, and nineteen): a
# failing run goes on to find every distinct failure, and must still cost at most 1.5 x a passing one.
FAULTY = (
    faults.ReplacesBilling,
    faults.IgnoresUpdates,
    faults.AdminCanUpdate,
    faults.CrashesOnWrongType,
    faults.CoercesScalars,
    faults.AcceptsWrongTypes,
)


def faulty() -> None:
    """Runs against faulty servers, each as a ratio of a passing run beside it; requests too, which load never blurs."""
    ratios = []
    timed_run(create_app())  # schemathesis loaded and warm, as it is for every run after the first
    for fault in FAULTY:
        passing, passing_requests, _ = timed_run(create_app())
        failing, requests, found = timed_run(fault())
        ratios.append(failing / passing)
        print(
            f"  {fault.__name__}: {failing:.1f} s, {ratios[-1]:.2f} x the passing run ({passing:.1f} s);"
            f" {requests} requests ({passing_requests}); {found} distinct failure{'s' if found != 1 else ''}"
        )
    print(f"  failing / passing: {min(ratios):.2f} to {max(ratios):.2f}")


def schemathesis_baseline() -> tuple[float, float]:
    command = shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis"))
    app = Counting(create_app())
    with BackgroundServer(app) as server:
        started = time.perf_counter()
        subprocess.run(
            [
                command,
                "run",
                str(spec.spec_path()),
                "--url",
                server.url,
                "-H",
                f"Authorization: {OWNER['Authorization']}",
                "--seed",
                "1",
                "--max-examples",
                "25",
            ],
            capture_output=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    return seconds, app.count / seconds


def load(method: str, threads: int = 4, per_thread: int = 500) -> float:
    with BackgroundServer(create_app()) as server:
        url = server.url + spec.ACCOUNT_PATH

        def work(n: int) -> None:
            with httpx.Client() as client:
                for i in range(per_thread):
                    if method == "GET":
                        client.get(url, headers=OWNER)
                    else:
                        client.put(url, headers=OWNER, json={"billing": {FIELDS[n]: str(i)}})

        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        rate = threads * per_thread / (time.perf_counter() - started)
        if method == "PUT":
            billing = httpx.get(url, headers=OWNER).json()["billing"]
            lost = [FIELDS[n] for n in range(threads) if billing[FIELDS[n]] != str(per_thread - 1)]
            print(f"  concurrent PUTs: {threads} threads each owning one billing field; lost last updates: {lost}")
    return rate


CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "reference.json"
REPLAY_ROUNDS = 3


def _command() -> str:
    return shutil.which("chat-conformance") or str(Path(sys.executable).with_name("chat-conformance"))


def _seconds(*arguments: str, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(arguments, capture_output=True, check=False, env=env)
    return time.perf_counter() - started


def replays() -> None:
    """A run against a URL target, recorded to JSON and YAML, and each cassette replayed, as commands.

    Side by side in each round, wall clock from start to exit, as a user waits: the live run
    (not recording), then the replay of each cassette, the YAML one also with an empty cache folder
    (its first replay on a machine that did not record it). Ratios to the live run of the same round.
    """
    compiled()
    command = _command()
    seed = ["--seed", "3"]
    tokens = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--{role}-token", token)]
    ratios: dict[str, list[float]] = {"json": [], "yaml": [], "yaml, cold cache": []}
    lives = []
    with tempfile.TemporaryDirectory() as folder, BackgroundServer(create_app()) as server:
        live = [command, "run", "--base-url", server.url, *tokens, *seed]
        for kind in ("json", "yaml"):
            subprocess.run([*live, "--record", f"{folder}/run.{kind}"], capture_output=True, check=False)
        for round_ in range(REPLAY_ROUNDS):
            seconds = _seconds(*live)
            lives.append(seconds)
            for kind in ("json", "yaml"):
                ratios[kind].append(_seconds(command, "run", "--replay", f"{folder}/run.{kind}") / seconds)
            cold = {**os.environ, "XDG_CACHE_HOME": f"{folder}/cache-{round_}"}
            cold_seconds = _seconds(command, "run", "--replay", f"{folder}/run.yaml", env=cold)
            ratios["yaml, cold cache"].append(cold_seconds / seconds)
    print(f"replay against the live run it recorded (URL target, --seed 3; live {min(lives):.2f}-{max(lives):.2f} s):")
    for kind, found in ratios.items():
        print(f"  .{kind}: {min(found):.2f}-{max(found):.2f} x the live run over {REPLAY_ROUNDS} rounds")


def wall(*arguments: str) -> float:
    """Seconds from starting a command to its exit, the best of three (the least disturbed)."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(arguments, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return min(times)


def commands() -> None:
    compiled()
    command = _command()
    python = wall(sys.executable, "-c", "pass")
    default = wall(command, "run", "--seed", "1")
    replayed = wall(command, "run", "--replay", str(CASSETTE))
    print(f"commands, wall clock (python -c pass: {python:.2f} s):")
    print(f"  chat-conformance run: {default:.2f} s")
    print(f"  chat-conformance run --replay cassettes/reference.json: {replayed:.2f} s")


FLOOR = """
import base64, json, sys
import httpx
tokens = json.loads(sys.argv[2])
with httpx.Client() as client:
    for exchange in json.load(open(sys.argv[1]))["interactions"]:
        request = exchange["request"]
        headers = {name: values[0] for name, values in request["headers"].items()}
        role = headers.pop("X-Chat-Conformance-Credential", "none")
        if role in tokens:
            headers["Authorization"] = "Bearer " + tokens[role]
        body = request["body"]
        body = base64.b64decode(body["base64"]) if isinstance(body, dict) else (body or "").encode()
        client.request(request["method"], request["uri"], headers=headers, content=body)
"""
URL_ROUNDS = 3


METHODS = ("GET ", "PUT ", "POST ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS ", "TRACE ")


def _served_requests(log: Path) -> int:
    """Requests `serve` has answered: it logs each as `METHOD role status rule`."""
    return sum(1 for line in log.read_text(errors="replace").splitlines() if line.startswith(METHODS))


def url_run() -> None:
    """The suite against `serve` in its own process, beside its floor and stock schemathesis, in each round.

    The floor sends the requests the run sent (recorded once; malformed credentials and bodies
    as the run sent them) with httpx over one connection, from a fresh interpreter, as the suite
    starts one: what any client in Python pays for these requests. Requests per second are
    counted at the server, from its log of every request.
    """
    compiled()
    command = _command()
    tokens = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--{role}-token", token)]
    with tempfile.TemporaryDirectory() as folder, _serving(Path(folder) / "serve.log") as (url, log):
        live = [command, "run", "--base-url", url, *tokens, "--seed", "1"]
        subprocess.run([*live, "--record", f"{folder}/run.json"], capture_output=True, check=False)
        floor = [sys.executable, "-c", FLOOR, f"{folder}/run.json", json.dumps(DEFAULT_TOKENS)]
        stock = [
            shutil.which("schemathesis") or str(Path(sys.executable).with_name("schemathesis")),
            "run", str(spec.spec_path()), "--url", url, "-H", f"Authorization: {OWNER['Authorization']}",
            "--seed", "1", "--max-examples", "25",
        ]  # fmt: skip
        ratios, rates = [], []
        for _ in range(URL_ROUNDS):
            counted = _served_requests(log)
            suite_seconds = _seconds(*live)
            suite_requests = _served_requests(log) - counted
            floor_seconds = _seconds(*floor)
            counted = _served_requests(log)
            stock_seconds = _seconds(*stock)
            stock_requests = _served_requests(log) - counted
            ratios.append(suite_seconds / floor_seconds)
            rates.append((suite_requests / suite_seconds) / (stock_requests / stock_seconds))
            print(
                f"  suite {suite_seconds:.2f} s ({suite_requests} requests), floor {floor_seconds:.2f} s,"
                f" schemathesis {stock_seconds:.2f} s ({stock_requests} requests)"
            )
    print(f"URL target (serve in its own process), over {URL_ROUNDS} rounds:")
    print(f"  suite / floor: {min(ratios):.2f}-{max(ratios):.2f} x (goal: at most 1.5)")
    print(f"  requests/s, suite / schemathesis: {min(rates):.2f}-{max(rates):.2f} (goal: at least 5)")


@contextlib.contextmanager
def _serving(log: Path) -> Iterator[tuple[str, Path]]:
    """`chat-conformance serve` on a free port, logging every request to `log`."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with log.open("w") as out:
        server = subprocess.Popen([_command(), "serve", "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url + spec.ACCOUNT_PATH, timeout=1)
                break
            time.sleep(0.1)
        yield url, log
    finally:
        server.terminate()
        server.wait()


def compiled() -> None:
    """The suite's bytecode compiled, as installing it compiles it.

    Where PYTHONDONTWRITEBYTECODE is set (some CI images and sandboxes set it), an editable install
    never keeps its bytecode, and every command started here would compile the suite's modules
    again, 0.05 to 0.1 s that no installed copy pays. Bytecode already there is read whatever the
    variable says.
    """
    import compileall

    compileall.compile_dir(Path(conformance.__file__).parent, quiet=1)


def main() -> None:
    commands()
    url_run()
    replays()
    one_seconds, one_rate = suite(workers=1)
    seconds, rate = suite(workers=2)
    print(f"chat-conformance run (embedded server, default: two processes): {seconds:.1f} s, {rate:.0f} requests/s")
    print(f"  in one process (--workers 1): {one_seconds:.1f} s, {one_rate:.0f} requests/s")
    print("against a server with one fault:")
    faulty()
    base_seconds, base_rate = schemathesis_baseline()
    print(f"schemathesis run (same description, loopback server): {base_seconds:.1f} s, {base_rate:.0f} requests/s")
    ratio, one_ratio = rate / base_rate, one_rate / base_rate
    print(f"  ratio of requests/s, suite / schemathesis: {ratio:.2f} (in one process: {one_ratio:.2f})")
    get_rate = load("GET")
    put_rate = load("PUT")
    print(
        f"reference server, 4 client threads: GET {get_rate:.0f}/s, PUT {put_rate:.0f}/s",
        f"(PUT/GET {put_rate / get_rate:.2f})",
    )


if __name__ == "__main__":
    main()
