"""Outputs never cost the verdict: checked before the first request, and one failing at the end costs only itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import TOKEN_ARGS
from servers import Counting

from conformance import cli
from conformance.cassettes import scrub
from conformance.server import faults
from conformance.server.embedded import BackgroundServer

TOKENS = TOKEN_ARGS
CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
OUTPUTS = ["--json", "--junit-xml", "--html", "--badge", "--record"]


def _run(url: str, *args: str) -> int:
    return cli.main(["run", "--base-url", url, *TOKENS, "--seed", "3", "--max-examples", "3", *args])


@pytest.mark.parametrize("option", OUTPUTS)
def test_an_output_that_is_a_folder_is_refused_before_anything_is_sent(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = Counting()
    with BackgroundServer(server) as served:
        assert _run(served.url, option, str(tmp_path)) == 2
    assert server.count == 0
    assert f"{option} {tmp_path}: is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("option", OUTPUTS)
def test_an_output_that_cannot_be_created_is_refused_before_anything_is_sent(option: str) -> None:
    unwritable = Path("/sys/chat-conformance-output.json")  # refused even to root
    if not Path("/sys").is_dir():
        pytest.skip("needs Linux's /sys")
    server = Counting()
    with BackgroundServer(server) as served:
        assert _run(served.url, option, str(unwritable)) == 2
    assert server.count == 0 and not unwritable.exists()


@pytest.mark.parametrize("option", ["--record", "--replay"])
@pytest.mark.parametrize("name", ["run.txt", "run", "run.yaml.bak"])
def test_a_cassette_named_neither_json_nor_yaml_is_a_usage_error(
    option: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / name
    if option == "--record":
        server = Counting()
        with BackgroundServer(server) as served:
            assert _run(served.url, "--record", str(cassette)) == 2
        assert server.count == 0 and not cassette.exists()  # refused before the first request
    else:  # a real cassette under that name: refused for its name, not for want of anything to read
        shutil.copyfile(CASSETTES / "reference.json", cassette)
        assert cli.main(["run", "--replay", str(cassette)]) == 2
    assert f"{option} {cassette}: a cassette is named .json, .yaml or .yml" in capsys.readouterr().err


def test_a_probed_output_leaves_no_file_behind_when_the_run_is_refused(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    assert _run("http://127.0.0.1:9", "--json", str(report), "--badge", str(tmp_path)) == 2
    assert not report.exists()


@pytest.mark.parametrize(("app", "verdict", "code"), [(faults.Fault, "pass", 3), (faults.AdminSeesBilling, "fail", 1)])
def test_an_output_failing_at_the_end_costs_only_itself(
    app: type, verdict: str, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full, which takes a file open and refuses every write")
    report, page = tmp_path / "r.json", tmp_path / "r.html"
    with BackgroundServer(app()) as served:
        exit_code = _run(served.url, "--json", str(report), "--badge", "/dev/full", "--html", str(page))
    shown = capsys.readouterr()
    assert exit_code == code  # 3: the verdict stands, an output it was asked for does not; 1 whatever else
    assert json.loads(report.read_text())["verdict"] == verdict and page.read_text().startswith("<!")
    assert "could not write --badge /dev/full: No space left on device" in shown.err
    assert f"verdict: {verdict}" in shown.out and "billing was restored" in shown.out
    assert "Traceback" not in shown.out + shown.err


def test_a_cassette_that_cannot_be_saved_keeps_the_verdict_and_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object, data: object) -> str:
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(scrub.ScrubbingSerializer, "serialize", refuse)
    report = tmp_path / "r.json"
    with BackgroundServer(faults.Fault()) as served:
        exit_code = _run(served.url, "--record", str(tmp_path / "run.yaml"), "--json", str(report))
    shown = capsys.readouterr()
    written = json.loads(report.read_text())
    assert exit_code == 3 and written["verdict"] == "pass"
    assert {entry["status"] for entry in written["requirements"]} <= {"passed", "skipped"}  # nothing lost
    assert f"could not write --record {tmp_path / 'run.yaml'}: UnicodeEncodeError" in shown.err
    assert "billing was restored" in shown.out and "Traceback" not in shown.out + shown.err
