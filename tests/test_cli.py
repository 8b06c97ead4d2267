"""`chat-conformance` as a user types it: exit codes, reports, and no secret anywhere."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conformance import cli
from conformance.reports.json_report import SCHEMA_PATH
from conformance.server import ServerSettings
from conformance.server.embedded import BackgroundServer

SECRETS = {"owner": "s3cret-owner-TOKEN-1", "admin": "s3cret-admin-TOKEN-2", "agent": "s3cret-agent-TOKEN-3"}


def chat(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args], capture_output=True, text=True, timeout=300, env=env
    )


def test_a_run_leaves_no_hypothesis_folder_where_it_is_started(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {name: value for name, value in os.environ.items() if name != "HYPOTHESIS_STORAGE_DIRECTORY"}
    out = chat("run", "--seed", "1", "--max-examples", "3", env={**env, "XDG_CACHE_HOME": str(cache)})
    assert out.returncode == 0, out.stdout + out.stderr
    assert not (tmp_path / ".hypothesis").exists()  # the working folder, see conftest
    assert list((cache / "chat-conformance" / "hypothesis" / "unicode_data").glob("*/charmap.json.gz"))


def test_requirements_prints_the_catalog() -> None:
    out = chat("requirements")
    assert out.returncode == 0
    assert len(out.stdout.splitlines()) == 29 and "RO-IGNORED" in out.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--max-examples", "0"], "--max-examples: must be at least 1"),
        (["run", "--rate-limit", "fast"], "rate limit 'fast' is not of the form N/s or N/m"),
        (["run", "--base-url", "ftp://x"], "--base-url 'ftp://x' must be an http:// or https:// URL"),
        (["run", "--base-url", "http://[::1"], "--base-url 'http://[::1' is not a URL: Invalid IPv6 URL"),
        (["run", "--base-url", "http://h:99999"], "--base-url 'http://h:99999' is not a URL: Port out of range"),
        (["run", "--bogus"], "unrecognized arguments: --bogus"),
        (["run", "--workers", "3"], "--workers: invalid choice: 3"),
        (["run", "--workers", "2", "--base-url", "http://127.0.0.1:9"], "--workers 2 splits the run"),
        (["run", "--json", "/no/such/folder/r.json"], "the folder /no/such/folder does not exist"),
        (["serve", "--port", "70000"], "--port: must be between 0 and 65535"),
    ],
)
def test_bad_options_exit_2_with_a_message_and_no_traceback(args: list[str], said: str) -> None:
    # The message each option earns: exit 2 alone is any usage error, this one or another.
    out = chat(*args)
    assert out.returncode == 2
    assert "error: " in out.stderr and said in out.stderr and "Traceback" not in out.stderr


def test_an_unreachable_target_exits_3_with_every_report_written(tmp_path: Path) -> None:
    reports = {"--json": tmp_path / "r.json", "--junit-xml": tmp_path / "r.xml", "--html": tmp_path / "r.html"}
    args = [item for option, path in reports.items() for item in (option, str(path))]
    out = chat("run", "--base-url", "http://127.0.0.1:9", "--owner-token", SECRETS["owner"], "--timeout", "2", *args)
    assert out.returncode == 3
    assert "could not be reached" in out.stdout and "Traceback" not in out.stdout + out.stderr
    assert SECRETS["owner"] not in out.stdout + out.stderr
    report = json.loads(reports["--json"].read_text())
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    assert report["verdict"] == "error" and "could not be reached" in report["error"]
    assert {entry["status"] for entry in report["requirements"]} == {"errored", "skipped"}
    assert '<error message="' in reports["--junit-xml"].read_text()
    assert "errored" in reports["--html"].read_text()


def test_a_run_against_the_embedded_server_passes_and_writes_valid_reports(tmp_path: Path) -> None:
    out = chat(
        "run",
        "--seed",
        "7",
        "--max-examples",
        "8",
        "--json",
        str(tmp_path / "r.json"),
        "--junit-xml",
        str(tmp_path / "r.xml"),
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "verdict: pass" in out.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    assert [entry["id"] for entry in report["requirements"]] == [
        line.split()[0] for line in chat("requirements").stdout.splitlines()
    ]
    assert report["verdict"] == "pass" and report["seed"] == 7 and report["requests"] > 100
    xml = (tmp_path / "r.xml").read_text()
    assert xml.count("<testcase") == 29


def _settings_with_secret_tokens(**kwargs: object) -> ServerSettings:
    return ServerSettings(tokens=dict(SECRETS), **kwargs)  # type: ignore[arg-type]


def test_a_failing_run_exits_1_and_no_token_appears_anywhere(tmp_path: Path) -> None:
    from conformance.server import faults

    fault = faults.RefusalLeaksKey(_settings_with_secret_tokens())
    with BackgroundServer(fault) as server:
        env = {
            "PATH": "",
            "CHAT_CONFORMANCE_BASE_URL": server.url,
            **{f"CHAT_CONFORMANCE_{role.upper()}_TOKEN": token for role, token in SECRETS.items()},
        }
        out = chat(
            "run",
            "--seed",
            "3",
            "--max-examples",
            "5",
            "--json",
            str(tmp_path / "r.json"),
            "--junit-xml",
            str(tmp_path / "r.xml"),
            env=env,
        )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "AUTH-NO-LEAK" in out.stdout and "curl -X" in out.stdout
    written = out.stdout + out.stderr + (tmp_path / "r.json").read_text() + (tmp_path / "r.xml").read_text()
    for token in SECRETS.values():
        assert token not in written
    report = json.loads((tmp_path / "r.json").read_text())
    sent = [f["request"]["headers"] for e in report["requirements"] for f in e.get("failures", [])]
    authorizations = [headers["Authorization"] for headers in sent if "Authorization" in headers]
    assert authorizations and set(authorizations) == {"Bearer ***"}


def test_no_writes_sends_nothing_that_could_change_the_account() -> None:
    from conformance.server import faults

    class Recorder(faults.Fault):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[str, str | None, bytes]] = []

        def request(self, req: faults.Req) -> faults.Req:
            self.seen.append((req.method, req.auth, req.body))
            return req

    recorder = Recorder()
    with BackgroundServer(recorder) as server:
        code = cli.main(
            [
                "run",
                "--base-url",
                server.url,
                "--owner-token",
                "dev-owner-token",
                "--admin-token",
                "dev-admin-token",
                "--no-writes",
                "--max-examples",
                "5",
            ]
        )
    assert code == 0
    writes = [(method, auth, body) for method, auth, body in recorder.seen if method != "GET"]
    assert writes, "unauthenticated PUT probes are expected"
    assert all(method == "PUT" and body == b"{}" for method, _, body in writes)
    assert all(auth not in ("Bearer dev-owner-token", "Bearer dev-admin-token") for _, auth, _ in writes)


def test_the_embedded_server_can_be_support_created(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    assert cli.main(["run", "--support-created", "--max-examples", "5", "--json", str(report)]) == 0
    document = json.loads(report.read_text())
    statuses = {entry["id"]: entry["status"] for entry in document["requirements"]}
    # Judged, not skipped as it is for a target not declared so; and the owner's PUT rules wait for it.
    assert document["target"]["support_created"] is True
    assert statuses["SUPPORT-GET-ONLY"] == "passed"
    assert statuses["UPD-APPLIES"] == statuses["ROLE-PUT-OWNER"] == "skipped"


def test_a_fixture_that_breaks_the_schema_makes_serve_exit_2(tmp_path: Path) -> None:
    fixture = tmp_path / "f.json"
    fixture.write_text('{"account": {"plan": {"max_agents": "lots"}}}')
    out = chat("serve", "--fixture", str(fixture), "--port", "0")
    assert out.returncode == 2 and "max_agents" in out.stderr


@pytest.mark.parametrize(
    ("cassette", "code", "verdict"), [("reference.json", 0, "pass"), ("admin-sees-billing.json", 1, "fail")]
)
def test_output_nobody_reads_still_ends_in_the_reports_and_the_verdicts_code(
    tmp_path: Path, cassette: str, code: int, verdict: str
) -> None:
    report = tmp_path / "r.json"
    replay = str(Path(__file__).resolve().parents[1] / "cassettes" / cassette)
    command = [sys.executable, "-m", "conformance", "run", "--replay", replay, "--json", str(report)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.close()  # the reader went away before a line was written, as `| head -0` does
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr
    assert json.loads(report.read_text())["verdict"] == verdict and "Traceback" not in stderr


def test_a_listing_nobody_reads_ends_quietly_with_0() -> None:
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "conformance", "requirements"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()  # -u: the first line already meets the closed pipe
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0 and stderr == ""


class _RaisesInFinalizer:
    def __del__(self) -> None:
        raise KeyboardInterrupt  # as a Ctrl-C that lands in a garbage-collector callback


def test_an_interrupt_python_reports_as_lost_is_heard_and_not_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from conformance.cli.run import _Interrupts

    monkeypatch.setattr(signal, "signal", lambda *args: None)  # the test process keeps its own handlers
    monkeypatch.setattr(sys, "unraisablehook", sys.__unraisablehook__)
    interrupts = _Interrupts()
    interrupts.install()
    with pytest.raises(KeyboardInterrupt):
        interrupts._raise(signal.SIGINT, None)
    _RaisesInFinalizer()  # collected at once: Python reports what its __del__ raised as ignored
    assert interrupts.heard() and "Traceback" not in capsys.readouterr().err
    interrupts.pressed = False
    _RaisesInFinalizer()  # an interrupt nobody pressed is no interrupt of ours: reported as Python does
    assert "KeyboardInterrupt" in capsys.readouterr().err
