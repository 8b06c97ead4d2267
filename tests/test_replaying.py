"""conformance.cassettes.replaying: a request the cassette lacks is explained, with how to re-record it."""

from __future__ import annotations

import json
from pathlib import Path

from conformance import cassettes
from conformance.cassettes.comparing import Difference
from conformance.cassettes.replaying import NotRecorded

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
