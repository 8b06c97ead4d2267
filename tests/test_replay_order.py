"""A replay plays each exchange at its place, holds its outcomes to the recording's, or says why not.

Each test edits a copy of the committed conformant cassette, in JSON and in YAML, as a person or a
tool might, and replays it: what the run sees changed is exit 3 naming the first difference, what
it does not see changed is the recorded verdict, and metadata no recording writes is refused.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from vcr.serializers import yamlserializer

from conformance import cli, described, runner
from conformance.cassettes.format import METADATA_KEY, dump_json, load

CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "reference.json"
RECORDED = load(CASSETTE.read_text(), "json")
FORMATS = [".json", ".yaml"]


def _cassette(folder: Path, suffix: str, edit: Any = None) -> Path:
    data = copy.deepcopy(RECORDED)
    if edit is not None:
        edit(data)
    path = folder / f"edited{suffix}"
    path.write_text(dump_json(data) if suffix == ".json" else yamlserializer.serialize(data), encoding="utf-8")
    return path


def _replayed(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any], str]:
    report = path.with_name("report.json")
    capsys.readouterr()
    code = cli.main(["run", "--replay", str(path), "--json", str(report), *extra])
    shown = "".join(capsys.readouterr())
    assert "Traceback" not in shown
    return code, json.loads(report.read_text()) if report.exists() else {}, shown


def _owner_get(data: dict[str, Any], after: int) -> int:
    """The place of the first owner GET after `after`: every owner GET looks alike to a replay by request alone."""
    for place, interaction in enumerate(data["interactions"]):
        request = interaction["request"]
        if (
            place > after
            and request["method"] == "GET"
            and request["headers"]["X-Chat-Conformance-Credential"] == ["owner"]
        ):
            return place
    raise AssertionError("no owner GET")


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_cassette_as_recorded_replays_to_its_verdict_with_nothing_different(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, shown = _replayed(_cassette(tmp_path, suffix), capsys)
    assert code == 0 and report["verdict"] == "pass"
    assert report["replay"] == {"matches": True, "rejudge": False, "differences": []}
    assert "the replay found what the recording found" in shown


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_get_removed_from_the_middle_is_exit_3_naming_its_place(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    place = _owner_get(RECORDED, len(RECORDED["interactions"]) // 3)
    code, report, shown = _replayed(_cassette(tmp_path, suffix, lambda data: data["interactions"].pop(place)), capsys)
    assert code == 3 and report["verdict"] == "error"
    first = report["replay"]["differences"][0]
    assert first["kind"] == "exchange" and first["place"] >= place + 1
    assert f"exchange {first['place']} of {len(RECORDED['interactions']) - 1}" in first["message"]
    assert first["sent"] in first["message"] and first["recorded"] in first["message"]
    assert first["message"] in shown and "Re-record it: chat-conformance run --base-url" in shown
    assert not list(tmp_path.glob("chat-conformance-billing-backup.json"))  # a replay changes no account


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_exchange_the_run_never_sends_is_exit_3_as_never_played(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def add(data: dict[str, Any]) -> None:
        extra = copy.deepcopy(data["interactions"][-1])
        extra["request"]["method"] = "DELETE"
        data["interactions"].append(extra)

    code, report, _ = _replayed(_cassette(tmp_path, suffix, add), capsys)
    total = len(RECORDED["interactions"]) + 1
    first = report["replay"]["differences"][0]
    assert code == 3 and first["kind"] == "unplayed" and first["place"] == total
    assert f"exchange {total} of {total}" in first["message"] and "never played" in first["message"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_recorded_outcome_the_replay_does_not_find_is_exit_3_unless_rejudged(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def judged_otherwise(data: dict[str, Any]) -> None:  # as a suite that judged UPD-MERGE differently would have
        data["metadata"][METADATA_KEY]["statuses"]["UPD-MERGE"] = "failed"

    path = _cassette(tmp_path, suffix, judged_otherwise)
    code, report, shown = _replayed(path, capsys)
    assert code == 3 and report["verdict"] == "error"
    (difference,) = report["replay"]["differences"]
    assert difference == {
        "kind": "outcome",
        "message": "UPD-MERGE was failed when recorded, passed in the replay",
        "id": "UPD-MERGE",
        "level": "SHOULD",
        "recorded": "failed",
        "replayed": "passed",
    }
    assert "UPD-MERGE was failed when recorded, passed in the replay" in shown
    code, report, shown = _replayed(path, capsys, "--rejudge")
    assert code == 0 and report["verdict"] == "pass"  # the new verdict decides
    assert report["replay"]["matches"] is False and report["replay"]["rejudge"] is True
    assert "judged afresh (--rejudge)" in shown


def test_rejudging_still_needs_the_traffic_to_line_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    place = _owner_get(RECORDED, 10)
    path = _cassette(tmp_path, ".json", lambda data: data["interactions"].pop(place))
    code, report, _ = _replayed(path, capsys, "--rejudge")
    assert code == 3 and report["replay"]["differences"][0]["kind"] == "exchange"


def _merge_get(data: dict[str, Any]) -> int:
    """The place of UPD-MERGE's first GET: the read its check compares the kept fields with."""
    _, first, count = next(span for span in data["metadata"][METADATA_KEY]["rules"] if span[0] == "UPD-MERGE")
    return next(n for n in range(first, first + count) if data["interactions"][n]["request"]["method"] == "GET")


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_response_edited_so_that_no_rule_notices_is_still_exit_3_naming_it(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Billing emptied in the read UPD-MERGE compares with: nothing left to keep, so the rule would still pass."""
    place = _merge_get(RECORDED)

    def emptied(data: dict[str, Any]) -> None:
        data["interactions"][place]["response"]["body"]["string"] = '{"billing": {}}'

    for extra in ((), ("--rejudge",)):  # an edited response is not the recorded traffic, rejudged or not
        code, report, shown = _replayed(_cassette(tmp_path, suffix, emptied), capsys, *extra)
        assert code == 3 and report["verdict"] == "error"
        first = report["replay"]["differences"][0]
        assert first["kind"] == "edited" and first["place"] == place + 1
        assert "of UPD-MERGE" in first["where"] and "was changed after it was recorded" in " ".join(shown.split())


def test_rejudge_goes_with_replay_only() -> None:
    assert cli.main(["run", "--rejudge"]) == 2


def test_a_cassette_that_does_not_name_the_rules_of_its_exchanges_still_replays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def older(data: dict[str, Any]) -> None:
        del data["metadata"][METADATA_KEY]["rules"]

    code, report, _ = _replayed(_cassette(tmp_path, ".yaml", older), capsys)
    assert code == 0 and report["replay"]["matches"] is True


def test_a_cassette_recorded_with_the_rules_in_another_order_replays_in_that_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a suite that ordered its rules otherwise recorded it.
    monkeypatch.setattr(described, "INVALID_FIRST", "AUTH-INVALID")
    path = tmp_path / "other-order.json"
    assert cli.main(["run", "--record", str(path), "--seed", "3", "--max-examples", "5"]) == 0
    monkeypatch.undo()
    recorded = [rule for rule, _, _ in json.loads(path.read_text())["metadata"][METADATA_KEY]["rules"]]
    today = [scenario.requirement_id for scenario in runner.ordered_scenarios()]
    assert recorded.index("AUTH-INVALID") < recorded.index("ROBUST-INVALID-REJECTED")
    assert today.index("AUTH-INVALID") > today.index("ROBUST-INVALID-REJECTED")
    code, report, _ = _replayed(path, capsys)
    assert code == 0 and report["replay"]["matches"] is True


def _set(name: str, value: Any) -> Any:
    def edit(data: dict[str, Any]) -> None:
        data["metadata"][METADATA_KEY][name] = value

    return edit


def _unshaped(data: dict[str, Any]) -> None:
    del data["interactions"][5]["request"]["method"]


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (_set("seed", "three"), "its seed is 'three'"),
        (_set("roles", ["owner", "root"]), "its roles name 'root'"),
        (_set("base_url", "ftp://example.org"), "is not an http(s) URL"),
        (_set("writes", "yes"), "its writes is 'yes'"),
        (_set("draws", {"UPD-MERGE/0": [{"no such kind": 1}]}), "its draws cannot be read"),
        (_set("statuses", None), "its statuses is None"),
        (_unshaped, f"exchange 6 of {len(RECORDED['interactions'])} is not a vcrpy interaction"),
        (lambda data: data.update(metadata=["not", "a", "mapping"]), "not a cassette recorded by chat-conformance"),
    ],
)
@pytest.mark.parametrize("suffix", FORMATS)
def test_metadata_no_recording_writes_is_refused_saying_what_is_wrong(
    edit: Any, said: str, suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, shown = _replayed(_cassette(tmp_path, suffix, edit), capsys)
    assert code == 2 and not report
    assert said in shown
