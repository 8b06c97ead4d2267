"""--dry-run sends nothing to the target and says, rule by rule, what a run would do."""

from __future__ import annotations

from pathlib import Path

import pytest
from servers import Counting

from conformance import catalog, cli
from conformance.server.embedded import BackgroundServer

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


def test_a_dry_run_sends_no_request_and_prints_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    target = Counting()
    with BackgroundServer(target) as server:
        args = ["run", "--dry-run", "--base-url", server.url, "--owner-token", "owner-token-123456"]
        code = cli.main([*args, "--max-examples", "2", "--seed", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert target.count == 0
    for requirement in catalog.requirements():
        assert requirement.id in out
    assert "nothing was sent to" in out
    assert "skipped: no --admin-token given" in out  # the plan knows which roles it has
    assert "writes" in out and "as owner" in out and "at most" in out
    assert "owner-token-123456" not in out


def test_a_dry_run_without_writes_plans_no_write(capsys: pytest.CaptureFixture[str]) -> None:
    target = Counting()
    with BackgroundServer(target) as server:
        args = ["run", "--dry-run", "--no-writes", "--base-url", server.url, "--owner-token", "owner-token-123456"]
        assert cli.main([*args, "--max-examples", "2", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert target.count == 0 and "no rule writes to the account" in out


def test_a_dry_run_cannot_record_or_replay(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = "--dry-run sends nothing, so there is nothing to record or replay"
    assert cli.main(["run", "--dry-run", "--record", str(tmp_path / "x.json")]) == 2
    assert refused in capsys.readouterr().err and not (tmp_path / "x.json").exists()
    # A cassette that exists, so that nothing but the refusal could end the run with 2.
    assert cli.main(["run", "--dry-run", "--replay", str(CASSETTES / "reference.json")]) == 2
    shown = capsys.readouterr()
    assert refused in shown.err and "nothing was sent to" not in shown.out
