"""`chat-conformance serve` as a mock: a log line per request, faults on purpose, a clean SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance import cli, spec
from conformance.server import faults

OWNER, ADMIN = "Bearer dev-owner-token", "Bearer dev-admin-token"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process, self.url = process, url

    def request(self, method: str, auth: str | None = None, body: object = None) -> httpx.Response:
        headers = {"Authorization": auth} if auth else {}
        return httpx.request(method, self.url + spec.ACCOUNT_PATH, headers=headers, json=body, timeout=10)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=20)
        return out


def _serve(*args: str) -> Served:
    port = _free_port()
    command = [sys.executable, "-m", "conformance", "serve", "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url + spec.ACCOUNT_PATH, timeout=1)
            return Served(process, url)
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError("serve did not start: " + (process.communicate()[0] or ""))


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    server = _serve(*getattr(request, "param", ()))
    yield server
    if server.process.poll() is None:
        server.process.kill()


def test_each_request_is_logged_with_the_rule_that_decided_it(served: Served) -> None:
    served.request("PUT", ADMIN, {"billing": {}})
    served.request("GET")
    served.request("PUT", OWNER, {"billing": {"cycle": "monthly"}})
    served.request("PUT", OWNER, {"billing": {"city": "Aarhus"}, "status": "closed"})
    out = served.stop()
    assert "PUT admin 403 ROLE-PUT-ADMIN: only the owner may update the account" in out
    assert "GET none 401 AUTH-MISSING:" in out
    assert "PUT owner 422 ROBUST-INVALID-REJECTED: the body breaks the Account schema at billing.cycle" in out
    assert "PUT owner 200 UPD-APPLIES: billing updated; read-only status ignored (RO-IGNORED)" in out
    assert served.process.returncode == 0 and "Traceback" not in out


@pytest.mark.parametrize("served", [("--quiet",)], indirect=True)
def test_quiet_logs_nothing(served: Served) -> None:
    # The requests of test_each_request_is_logged_with_the_rule_that_decided_it, each of which
    # logs a line without --quiet: answered, refused, and invalid.
    served.request("GET", OWNER)
    served.request("PUT", ADMIN, {"billing": {}})
    served.request("GET")
    served.request("PUT", OWNER, {"billing": {"cycle": "monthly"}})
    served.request("PUT", OWNER, {"billing": {"city": "Aarhus"}})
    out = served.stop()
    banner, _, after = out.partition("Press Ctrl-C to stop.")
    assert "reference server on http://" in banner and served.process.returncode == 0
    assert after.strip() == "", f"logged under --quiet: {after!r}"


@pytest.mark.parametrize("served", [("--fault", "admin-sees-billing", "--fault", "silent-refusals")], indirect=True)
def test_faults_are_played_and_named_in_the_log(served: Served) -> None:
    assert "billing" in served.request("GET", ADMIN).json()
    refused = served.request("PUT", ADMIN, {"billing": {}})
    assert refused.status_code == 403 and refused.content == b""
    out = served.stop()
    assert "GET admin 200 BILLING-OWNER-ONLY: fault admin-sees-billing played" in out
    assert "PUT admin 403 AUTH-ERROR-BODY: fault silent-refusals played" in out


@pytest.mark.parametrize("served", [("--latency", "150", "--error-rate", "1")], indirect=True)
def test_latency_and_errors_on_purpose(served: Served) -> None:
    started = time.perf_counter()
    answer = served.request("GET", OWNER)
    assert time.perf_counter() - started >= 0.15
    assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
    served.stop()


def test_sigterm_exits_cleanly_with_the_state_saved(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    server = _serve("--state", str(state))
    assert server.request("PUT", OWNER, {"billing": {"city": "Odense"}}).status_code == 200
    server.stop()
    assert server.process.returncode == 0
    assert json.loads(state.read_text())["billing"]["city"] == "Odense"


def test_an_unknown_fault_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--fault", "no-such-fault", "--port", "0"]) == 2
    assert "no fault is called 'no-such-fault'" in capsys.readouterr().err


def test_the_faults_are_listed_with_the_rules_they_break(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["serve", "--list-faults"]) == 0
    out = capsys.readouterr().out
    for name, fault in faults.CATALOG.items():
        assert name in out and fault.description() in out
    assert "admin-sees-billing" in out and "breaks BILLING-OWNER-ONLY" in out


@pytest.mark.parametrize("served", [("--fault", "admin-sees-billing", "--quiet")], indirect=True)
def test_a_run_against_serve_with_a_fault_fails_that_rule(served: Served, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    tokens = [
        "--owner-token",
        "dev-owner-token",
        "--admin-token",
        "dev-admin-token",
        "--agent-token",
        "dev-agent-token",
    ]
    args = ["run", "--base-url", served.url, *tokens, "--max-examples", "3", "--seed", "1", "--json", str(report)]
    assert cli.main(args) == 1
    statuses = {entry["id"]: entry["status"] for entry in json.loads(report.read_text())["requirements"]}
    assert {id_ for id_, status in statuses.items() if status == "failed"} == {"BILLING-OWNER-ONLY"}
    served.stop()
