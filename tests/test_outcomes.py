"""Four outcomes and always a report: a check that breaks, a target that goes away, a run cut short."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import http_double
import jsonschema
import pytest
from conftest import SEED, TOKEN_ARGS

from conformance import checks, cli
from conformance.context import Context, Options
from conformance.exchange import Exchange
from conformance.reports.json_report import SCHEMA_PATH
from conformance.results import Status
from conformance.runner import INTERRUPTED, RunConfig, run
from conformance.server import faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS
from conformance.server.store import DEFAULT_ACCOUNT

TOKENS = TOKEN_ARGS


def _broken_check(exchange: Exchange, ctx: object) -> bool:
    raise ZeroDivisionError("a bug in a check")


def _replace_check(monkeypatch: pytest.MonkeyPatch, requirement_id: str) -> None:
    patched = [
        replace(c, judge=_broken_check) if c.requirement_id == requirement_id else c for c in checks.RESPONSE_CHECKS
    ]
    monkeypatch.setattr(checks, "RESPONSE_CHECKS", patched)


def _run_cli(url: str, tmp_path: Path, *extra: str) -> tuple[int, dict]:
    paths = {"--json": tmp_path / "r.json", "--junit-xml": tmp_path / "r.xml", "--html": tmp_path / "r.html"}
    args = [item for option, path in paths.items() for item in (option, str(path))]
    code = cli.main(["run", "--base-url", url, *TOKENS, "--seed", str(SEED), "--max-examples", "5", *args, *extra])
    report = json.loads(paths["--json"].read_text())
    jsonschema.validate(report, json.loads(SCHEMA_PATH.read_text()))
    return code, report


def test_a_check_that_raises_errors_its_own_rule_and_the_others_are_judged(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _replace_check(monkeypatch, "AUTH-ERROR-BODY")
    with BackgroundServer(faults.Fault()) as server:
        code, report = _run_cli(server.url, tmp_path)
    assert code == 3 and report["verdict"] == "error" and "AUTH-ERROR-BODY" in report["error"]
    statuses = {entry["id"]: entry for entry in report["requirements"]}
    errored = statuses["AUTH-ERROR-BODY"]
    assert errored["status"] == "errored" and "ZeroDivisionError: a bug in a check" in errored["error"]["traceback"]
    assert {entry["status"] for id_, entry in statuses.items() if id_ != "AUTH-ERROR-BODY"} == {"passed", "skipped"}
    assert '<error message="AUTH-ERROR-BODY could not be judged' in (tmp_path / "r.xml").read_text()
    assert 'class="errored"' in (tmp_path / "r.html").read_text()
    assert "errored  SHOULD AUTH-ERROR-BODY" in capsys.readouterr().out


def test_a_must_failure_outranks_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _replace_check(monkeypatch, "AUTH-ERROR-BODY")
    with BackgroundServer(faults.AdminSeesBilling()) as server:
        code, report = _run_cli(server.url, tmp_path)
    assert code == 1 and report["verdict"] == "fail" and "error" not in report


def test_a_scenario_that_raises_is_errored_with_its_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(ctx: object) -> None:
        raise KeyError("missing")

    patched = [replace(s, run=broken) if s.requirement_id == "ROLE-GET-AGENT" else s for s in checks.SCENARIOS]
    monkeypatch.setattr(checks, "SCENARIOS", patched)
    with BackgroundServer(faults.Fault()) as server:
        result = run(RunConfig(server.url, DEFAULT_TOKENS, Options(max_examples=3, seed=SEED)))
    entry = result.by_id()["ROLE-GET-AGENT"]
    assert entry.status is Status.ERRORED and entry.error is not None and "KeyError" in (entry.error.exception or "")
    assert result.by_id()["ROLE-GET-ADMIN"].status is Status.PASSED and result.verdict == "error"


def test_a_target_that_stops_answering_ends_the_run_with_a_report_and_a_backup(tmp_path: Path) -> None:
    fault = faults.Fault()
    with http_double.serving(http_double.StopsAnsweringAfter(120), fault) as url:
        code, report = _run_cli(url, tmp_path)
    assert code == 3 and "stopped answering" in report["error"]
    statuses = {entry["id"]: entry["status"] for entry in report["requirements"]}
    assert statuses["ROBUST-HTTP"] == "passed"  # judged on every answer before the target went away
    assert "passed" in statuses.values() and "errored" in statuses.values() and "failed" not in statuses.values()
    assert report["restore"]["restored"] is False and "could not be restored" in report["restore"]["message"]
    original = DEFAULT_ACCOUNT["billing"]
    assert fault.store.account()["billing"] != original  # the run did leave it changed...
    assert json.loads(Path("chat-conformance-billing-backup.json").read_text()) == original  # ...and kept the original


def test_a_rule_interrupted_half_way_is_errored_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    def half_way(ctx: Context) -> None:
        ctx.target.get(ctx.role("owner"))  # one request judged, then Ctrl-C
        raise KeyboardInterrupt

    patched = [replace(s, run=half_way) if s.requirement_id == "UPD-MERGE" else s for s in checks.SCENARIOS]
    monkeypatch.setattr(checks, "SCENARIOS", patched)
    with BackgroundServer(faults.Fault()) as server:
        result = run(RunConfig(server.url, DEFAULT_TOKENS, Options(max_examples=3, seed=SEED)))
    assert result.stopped == INTERRUPTED and result.verdict == "error"
    assert result.by_id()["UPD-MERGE"].status is Status.ERRORED
    assert result.by_id()["UPD-APPLIES"].status is Status.PASSED
