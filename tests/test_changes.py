"""`diff OLD NEW`: regressions exit 1, fixes and other changes are listed, bad reports exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SEED, TOKEN_ARGS

from conformance import changes, cli
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer

TOKENS = TOKEN_ARGS


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two real runs: the reference server, and one that shows billing to admins."""
    folder = tmp_path_factory.mktemp("reports")
    paths = {}
    for name, app in (("good", create_app()), ("admin-sees-billing", faults.AdminSeesBilling())):
        paths[name] = folder / f"{name}.json"
        with BackgroundServer(app) as server:
            args = ["run", "--base-url", server.url, *TOKENS, "--seed", str(SEED), "--max-examples", "3"]
            cli.main([*args, "--json", str(paths[name])])
    return paths


def test_a_regression_is_named_and_exits_1(reports: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", str(reports["good"]), str(reports["admin-sees-billing"])]) == 1
    out = capsys.readouterr().out
    assert "regressed (1):" in out and "BILLING-OWNER-ONLY" in out and "passed -> failed" in out
    assert "verdict: pass -> fail" in out


def test_a_fix_is_named_and_exits_0(reports: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", str(reports["admin-sees-billing"]), str(reports["good"]), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [change["id"] for change in found["fixed"]] == ["BILLING-OWNER-ONLY"]
    assert found["regressed"] == [] and found["verdict"] == {"before": "fail", "after": "pass"}


def test_the_same_run_twice_changes_nothing(reports: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", str(reports["good"]), str(reports["good"])]) == 0
    assert "0 changed, 29 unchanged" in capsys.readouterr().out


def _report(statuses: dict[str, str]) -> dict:
    entries = [
        {
            "id": id_,
            "level": "MUST",
            "status": status,
            **({"failures": [{"message": status}]} if status in ("failed", "expected") else {}),
        }
        for id_, status in statuses.items()
    ]
    return {"verdict": "pass", "target": {"base_url": "u", "roles": []}, "requirements": entries}


def test_other_changes_are_listed_apart() -> None:
    old = _report({"A-1": "passed", "B-1": "failed", "C-1": "skipped", "D-1": "failed"})
    new = _report({"A-1": "expected", "B-1": "expected", "C-1": "passed", "D-1": "failed"})
    new["requirements"][3]["failures"] = [{"message": "fails otherwise"}]
    found = changes.compare(old, new)
    assert [change.id for change in found.regressed] == ["A-1"]  # an expected failure is a failure all the same
    assert [change.id for change in found.changed] == ["B-1", "C-1", "D-1"]
    assert found.fixed == [] and found.unchanged == 0


def test_a_file_that_is_not_a_report_is_a_usage_error(
    tmp_path: Path, reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"verdict": "pass"}')
    assert cli.main(["diff", str(bad), str(reports["good"])]) == 2
    assert f"{bad} is not a chat-conformance report" in capsys.readouterr().err
    assert cli.main(["diff", str(tmp_path / "missing.json"), str(reports["good"])]) == 2
    assert f"cannot read {tmp_path / 'missing.json'}" in capsys.readouterr().err


def test_a_regression_exits_1_even_when_nobody_reads_the_output(reports: dict[str, Path]) -> None:
    old, new = str(reports["good"]), str(reports["admin-sees-billing"])
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "conformance", "diff", old, new],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.close()  # the reader went away (`| head -0`); -u: each line meets the closed pipe at once
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and "Traceback" not in stderr
