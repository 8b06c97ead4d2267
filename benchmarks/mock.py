"""`chat-conformance serve` beside Prism as a mock, under the same wrk load.

    python benchmarks/mock.py

Needs wrk (`apt-get install wrk`) and Prism (`cd interop/prism && npm ci`). Each server in turn,
on loopback: GET and PUT as the owner, with 1 and with 10 keep-alive connections, one wrk thread,
5 seconds each. Prints requests/s, mean and 99th-percentile latency, and serve's requests/s as a
ratio of Prism's; then checks that concurrent PUTs to serve lost no update.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PRISM = ROOT / "interop" / "prism" / "node_modules" / ".bin" / "prism"
SPEC = ROOT / "openapi" / "chat-accounts.yaml"
PATH = "/api/v2/chat/account"
TOKEN = "dev-owner-token"  # serve's default owner token; Prism takes any bearer token
SECONDS = 5
SCRIPTS = {
    "GET": f'wrk.headers["Authorization"] = "Bearer {TOKEN}"\n',
    "PUT": (
        'wrk.method = "PUT"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {TOKEN}"\n'
        'wrk.body = \'{"billing": {"city": "Aarhus"}}\'\n'
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _running(command: list[str], url: str) -> Iterator[str]:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(url + PATH, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def serve() -> Iterator[str]:
    port = _free_port()
    command = [sys.executable, "-m", "conformance", "serve", "--quiet", "--port", str(port)]
    return _running(command, f"http://127.0.0.1:{port}")


def prism() -> Iterator[str]:
    port = _free_port()
    return _running([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)], f"http://127.0.0.1:{port}")


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, method: str, connections: int, scripts: Path) -> tuple[float, float, float, int]:
    """Requests/s, mean and p99 latency in ms, and the count of answers that were not 2xx."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{SECONDS}s",
            "--latency",
            "-s",
            str(scripts / f"{method}.lua"),
            url + PATH,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    mean = _milliseconds(re.search(r"Latency\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _milliseconds(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, mean, p99, int(errors.group(1)) if errors else 0


def no_update_lost() -> bool:
    """Ten clients PUT, each its own billing field, 200 times: every field holds its last value."""
    fields = ["first_name", "last_name", "city", "company", "state", "address1", "address2", "email", "phone"]
    with serve() as url:
        headers = {"Authorization": f"Bearer {TOKEN}"}

        def work(name: str) -> None:
            with httpx.Client() as client:
                for i in range(200):
                    client.put(url + PATH, headers=headers, json={"billing": {name: f"{name}-{i}"}})

        import threading

        threads = [threading.Thread(target=work, args=(name,)) for name in fields]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        billing = httpx.get(url + PATH, headers=headers).json()["billing"]
    return all(billing[name] == f"{name}-199" for name in fields)


def main() -> None:
    if not shutil.which("wrk") or not PRISM.exists():
        sys.exit("needs wrk (apt-get install wrk) and Prism (cd interop/prism && npm ci)")
    with tempfile.TemporaryDirectory() as folder:
        scripts = Path(folder)
        for method, script in SCRIPTS.items():
            (scripts / f"{method}.lua").write_text(script)
        results: dict[tuple[str, str, int], tuple[float, float, float, int]] = {}
        for name, start in (("serve", serve), ("prism", prism)):
            with start() as url:
                for method in SCRIPTS:
                    for connections in (1, 10):
                        results[name, method, connections] = wrk(url, method, connections, scripts)
    print(f"wrk, 1 thread, {SECONDS} s each, loopback; requests/s, mean and p99 latency")
    print("| load | serve | Prism | serve / Prism |")
    print("|---|---|---|---|")
    for method in SCRIPTS:
        for connections in (1, 10):
            ours, theirs = results["serve", method, connections], results["prism", method, connections]
            cells = [f"{rate:,.0f} req/s, {mean:.2f} / {p99:.2f} ms" for rate, mean, p99, _ in (ours, theirs)]
            load = f"{method}, {connections} connection{'s' if connections > 1 else ''}"
            print(f"| {load} | {cells[0]} | {cells[1]} | {ours[0] / theirs[0]:.1f} |")
            for name, (_, _, _, errors) in (("serve", ours), ("Prism", theirs)):
                if errors:
                    print(f"  ({name} answered {errors} requests with a status that is not 2xx)")
    print(f"serve, concurrent PUTs from 10 clients: no update lost: {no_update_lost()}")


if __name__ == "__main__":
    main()
