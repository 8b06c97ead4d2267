"""conformance.cassettes.replaying: a request the cassette lacks is explained, with how to re-record it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance import cassettes, cli
from conformance.cassettes.comparing import Difference
from conformance.cassettes.replaying import NotRecorded
from conformance.runner import run

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"


def test_a_missing_request_recorded_with_other_library_versions_says_so(tmp_path: Path) -> None:
    data = json.loads((CASSETTES / "reference.json").read_text())
    data["metadata"]["chat_conformance"]["versions"]["hypothesis"] = "0.0.1"
    other = tmp_path / "other-versions.json"
    other.write_text(json.dumps(data))
    with cassettes.replay(other) as replay:
        hint = replay.explain(NotRecorded(Difference("exchange", "past the end"), "GET past the end of the cassette"))
        assert replay.explain(ValueError("not a replay's")) is None
    assert hint is not None and f"GET past the end of the cassette (cassette {other}). Re-record it:" in hint
    assert hint.endswith(
        "; generation differs between library versions: recorded with hypothesis 0.0.1, replayed "
        f"with {cassettes.library_versions()['hypothesis']}"
    )


def _other_versions(tmp_path: Path, *, keep_draws: bool) -> Path:
    data = json.loads((CASSETTES / "reference.json").read_text())
    metadata = data["metadata"]["chat_conformance"]
    metadata["versions"]["hypothesis"] = "0.0.1"
    if not keep_draws:
        metadata.pop("draws")  # as a cassette recorded before examples were kept: the replay draws again
    path = tmp_path / f"{'kept' if keep_draws else 'drawn'}.json"
    path.write_text(json.dumps(data))
    return path


def test_other_library_versions_are_no_warning_when_every_example_was_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["run", "--replay", str(_other_versions(tmp_path, keep_draws=True))]) == 0
    err = capsys.readouterr().err
    assert "recorded with hypothesis 0.0.1" not in err and "found what the recording found" in err


def test_other_library_versions_are_a_warning_when_the_replay_draws(tmp_path: Path) -> None:
    path = _other_versions(tmp_path, keep_draws=False)
    with cassettes.replay(path) as replay:
        run(replay.run_config())
        assert replay.drew()
        (warning,) = replay.version_warnings()
    assert warning.startswith("recorded with hypothesis 0.0.1, replayed with ")
