"""conformance.cassettes.replaying: a request the cassette lacks is explained, with how to re-record it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from conformance import cassettes, cli
from conformance.cassettes.comparing import Difference
from conformance.cassettes.format import CREDENTIAL_HEADER, load
from conformance.cassettes.replaying import REPLAY_TOKENS, CassetteTransport, NotRecorded, _as_bytes, _header, _plain
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


def _sent(interaction: dict) -> tuple[str, str, str | None, str | None, bytes]:
    """The request of a recorded exchange as the run sent it: method, URL, Authorization, Content-Type, body."""
    request = interaction["request"]
    headers = request.get("headers") or {}
    who = _header(headers, CREDENTIAL_HEADER) or "none"
    if who == "none":
        authorization = None
    elif who in REPLAY_TOKENS:
        authorization = f"Bearer {REPLAY_TOKENS[who]}"
    else:
        authorization = who.removeprefix("other: ")  # what `sender` names a header of no role by
    return (
        request["method"],
        request["uri"],
        authorization,
        _header(headers, "content-type"),
        _as_bytes(request.get("body")),
    )


@pytest.mark.parametrize("name", ["reference.json", "admin-sees-billing.json"])
def test_an_answer_without_http_objects_is_what_httpx_reads_from_the_same_exchange(name: str) -> None:
    """`answer` is the replay's quick path: every committed exchange must read as httpx reads it."""
    interactions = load((CASSETTES / name).read_text(), "json")["interactions"]
    quick, through_httpx = (CassetteTransport(interactions, REPLAY_TOKENS, []) for _ in range(2))
    for interaction in interactions:
        method, url, authorization, content_type, body = _sent(interaction)
        headers = {"Authorization": authorization} if authorization is not None else {}
        headers |= {"Content-Type": content_type} if content_type else {}
        answer = quick.answer(method, url, headers, body)
        response = through_httpx.handle_request(httpx.Request(method, url, headers=headers, content=body))
        response.read()
        assert answer == (response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)
    assert quick.played == through_httpx.played == len(interactions)


def test_a_response_only_httpx_reads_alike_is_left_to_it() -> None:
    def recorded(headers: dict[str, list[str]]) -> dict:
        return {"status": {"code": 200, "message": "OK"}, "headers": headers, "body": {"string": "{}"}}

    assert _plain(recorded({"Content-Encoding": ["gzip"]})) is None  # a coding to undo
    assert _plain(recorded({"X-City": ["Zürich"]})) is None  # a header httpx would have to encode
    assert _plain({"status": {"code": "200"}, "headers": {}, "body": {"string": "{}"}}) is None  # edited out of shape
    joined = _plain(recorded({"Vary": ["Accept"], "vary": ["Origin"], "Content-Type": ["application/json"]}))
    assert joined == (200, {"vary": "Accept, Origin", "content-type": "application/json"}, b"{}")
