"""Record and replay: committed cassettes replay offline to their recorded verdict, scrubbed."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import http_double
import pytest
import yaml
from conftest import TOKEN_ARGS

from conformance import cassettes, cli
from conformance.cassettes.format import COPIED_HEADER, dump_json, load
from conformance.cassettes.scrub import Scrubber
from conformance.context import Context
from conformance.runner import run
from conformance.server import ServerSettings, faults
from conformance.server.embedded import BackgroundServer
from conformance.server.store import DEFAULT_ACCOUNT

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
COMMITTED = sorted(CASSETTES.glob("*.json"))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replay opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _replayed(path: Path) -> tuple[dict, object]:
    with cassettes.replay(path) as replay:
        return replay.recorded, run(replay.run_config())


def test_there_is_a_passing_and_a_failing_cassette() -> None:
    verdicts = {path.name: _recorded(path)["verdict"] for path in COMMITTED}
    assert verdicts == {"reference.json": "pass", "admin-sees-billing.json": "fail"}


def _recorded(path: Path) -> dict:
    text = path.read_text()
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    return data["metadata"]["chat_conformance"]


@pytest.mark.parametrize("path", COMMITTED, ids=[path.name for path in COMMITTED])
def test_a_committed_cassette_replays_offline_to_its_recorded_results(path: Path, no_network: None) -> None:
    recorded, result = _replayed(path)
    assert recorded["versions"]["hypothesis"] == cassettes.library_versions()["hypothesis"], (
        "the cassettes were recorded with other library versions: run python cassettes/refresh.py"
    )
    statuses = {entry.requirement.id: entry.status.value for entry in result.requirements}
    assert statuses == recorded["statuses"]
    assert result.verdict == recorded["verdict"]
    assert result.requests == recorded["requests"]


def test_a_replay_draws_no_example(monkeypatch: pytest.MonkeyPatch, no_network: None) -> None:
    def draw(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replay drew examples instead of giving the recorded ones")

    monkeypatch.setattr(Context, "_draw", draw)
    recorded, result = _replayed(CASSETTES / "reference.json")
    assert result.verdict == recorded["verdict"] == "pass"


@pytest.mark.parametrize(("name", "code"), [("reference.json", 0), ("admin-sees-billing.json", 1)])
def test_replay_gives_the_recorded_exit_code(name: str, code: int, no_network: None) -> None:
    assert cli.main(["run", "--replay", str(CASSETTES / name)]) == code


SECRET_TOKENS = {"owner": "live-owner-7f3a9c", "admin": "live-admin-2b8d1e", "agent": "live-agent-5c4e6f"}
# The billing fields of the docs' example that describe a person, written out here rather than taken
# from the scrubber, so that a field the scrubber forgets fails this test (country_code and cycle,
# the other two, say nothing about a person).
PERSONAL_BILLING_IN_THE_DOCS = (
    "additional_info", "address1", "address2", "city", "company", "email",
    "first_name", "last_name", "phone", "postal_code", "state",
)  # fmt: skip
ORIGINAL = {
    "account_key": "acme-widget-key-0042",
    "billing": {
        **DEFAULT_ACCOUNT["billing"],
        # Every personal field holds a value of its own, long enough to be searched for as text.
        "additional_info": "VAT DK-31337000",
        "address1": "Rosenvængets Allé 9",
        "address2": "Baghuset, 3. sal",
        "city": "Østerbro",
        "company": "Acme Corp ApS",
        "email": "w.quackenbush@acme-corp.example",
        "first_name": "Wilhelmina",
        "last_name": "Quackenbush",
        "phone": "+45 3312 7788",
        "postal_code": "DK-2100",
        "state": "Region Hovedstaden",
    },
}


def test_a_recording_keeps_no_token_and_no_original_personal_value(tmp_path: Path) -> None:
    account = {**DEFAULT_ACCOUNT, **ORIGINAL}
    fault = faults.RefusalLeaksKey(ServerSettings(tokens=dict(SECRET_TOKENS), account=account))
    cassette = tmp_path / "live.yaml"
    tokens = [arg for role, token in SECRET_TOKENS.items() for arg in (f"--{role}-token", token)]
    with BackgroundServer(fault) as server:
        code = cli.main(
            ["run", "--base-url", server.url, *tokens, "--seed", "4", "--max-examples", "5", "--record", str(cassette)]
        )
    assert code == 1  # the fault puts the account key into refusals: it must be scrubbed there too
    text = cassette.read_text()
    for secret in SECRET_TOKENS.values():
        assert secret not in text
    personal = [ORIGINAL["account_key"], *(ORIGINAL["billing"][name] for name in PERSONAL_BILLING_IN_THE_DOCS)]
    for value in personal:
        assert value not in text and json.dumps(value)[1:-1] not in text, value
    assert "Bearer ***" in text
    assert cli.main(["run", "--replay", str(cassette)]) == 1


def test_a_request_missing_from_the_cassette_is_named_with_how_to_re_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_network: None
) -> None:
    data = json.loads((CASSETTES / "reference.json").read_text())
    bodies = [interaction["request"].get("body") for interaction in data["interactions"]]
    # A request no other recording could answer: a PUT whose body was sent once (every owner GET
    # looks alike, so a missing one would be answered by the next).
    once = next(i for i, body in enumerate(bodies) if i > 20 and body and bodies.count(body) == 1)
    del data["interactions"][once]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    report = tmp_path / "report.json"
    assert cli.main(["run", "--replay", str(broken), "--json", str(report)]) == 3
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert f"does not line up with exchange {once + 1} " in shown and "not in the cassette from there on" in shown
    assert "--record" in shown and "--seed 20261125" in shown
    assert "Traceback" not in shown
    assert "not in the cassette" in json.loads(report.read_text())["error"]  # the report is written all the same


@pytest.mark.parametrize(
    "extra", [["--seed", "1"], ["--owner-token", "x"], ["--base-url", "http://x"], ["--no-writes"]]
)
def test_replay_takes_its_options_from_the_cassette(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--replay", str(CASSETTES / "reference.json"), *extra]) == 2
    said = capsys.readouterr().err
    assert f"error: {extra[0]} cannot be used with --replay: the cassette says how the run was made" in said


def test_a_file_that_is_not_a_cassette_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other, bad, bad_json = tmp_path / "other.yaml", tmp_path / "bad.yaml", tmp_path / "bad.json"
    other.write_text("interactions: []\nversion: 1\n")
    bad.write_text("interactions: [\n")
    bad_json.write_text('{"interactions": [')
    cases = [
        (tmp_path / "missing.yaml", "no cassette at"),
        (other, "is not a cassette recorded by chat-conformance run --record"),
        (bad, "the cassette is not valid YAML"),
        (bad_json, "the cassette is not valid JSON"),
    ]
    for path, why in cases:
        assert cli.main(["run", "--replay", str(path)]) == 2
        said = capsys.readouterr().err
        assert why in said and "Traceback" not in said, said


def test_a_json_cassette_keeps_a_body_that_is_not_text() -> None:
    binary = b"\xff\xfe not UTF-8"
    data = {"interactions": [{"request": {"body": binary}, "response": {"body": {"string": binary}}}]}
    text = dump_json(data)
    assert "base64" in text
    again = load(text, "json")["interactions"][0]
    assert again["request"]["body"] == again["response"]["body"]["string"] == binary


def _exchange(method: str, body: object, answer: object, status: int = 200, copied: bool = False) -> dict:
    headers = {COPIED_HEADER: ["from the target"]} if copied else {}
    sent = None if body is None else json.dumps(body)
    return {
        "request": {"method": method, "headers": headers, "body": sent},
        "response": {"status": {"code": status}, "headers": {}, "body": {"string": json.dumps(answer)}},
    }


def _billing(interaction: dict, side: str = "response") -> dict:
    body = interaction["response"]["body"]["string"] if side == "response" else interaction["request"]["body"]
    return json.loads(body)["billing"]


def test_the_scrubber_replaces_what_came_from_the_target_and_never_what_the_suite_sent() -> None:
    original = {"first_name": "Ann", "last_name": "Ann", "city": "Springfield"}
    interactions = [
        _exchange("GET", None, {"account_key": "key-1", "billing": original}),
        # A generated update that happens to send the owner's own first name, accepted and echoed.
        _exchange("PUT", {"billing": {"first_name": "Ann"}}, {"billing": original}),
        _exchange("PUT", {"billing": {"city": "Gotham"}}, {"error": "no"}, status=403),  # refused: changes nothing
        _exchange("GET", None, {"billing": original}),
        _exchange("PUT", {"billing": original}, {"billing": original}, copied=True),  # billing put back
        _exchange("GET", None, {"billing": original}),
    ]
    scrubber = Scrubber.for_interactions(interactions)
    fake = scrubber.fakes
    scrubber.interactions(interactions)
    first, update, refused, later, restore, last = interactions
    assert _billing(first) == {"first_name": fake["Ann"], "last_name": fake["Ann"], "city": fake["Springfield"]}
    assert json.loads(first["response"]["body"]["string"])["account_key"] == "scrubbed-account-key"
    assert _billing(update, "request") == {"first_name": "Ann"}  # the suite's request, byte for byte
    assert json.loads(refused["request"]["body"]) == {"billing": {"city": "Gotham"}}
    # After the accepted update, first_name holds the suite's "Ann"; the rest is still the target's.
    assert (
        _billing(update)
        == _billing(later)
        == {"first_name": "Ann", "last_name": fake["Ann"], "city": fake["Springfield"]}
    )
    assert _billing(restore, "request") == _billing(first)  # copied from the first read, scrubbed as it was
    assert _billing(last) == _billing(first)  # the target's values again


def test_the_scrubber_replaces_long_originals_inside_texts_only() -> None:
    interactions = [_exchange("GET", None, {"billing": {"first_name": "Ann", "city": "Springfield"}})]
    scrubber = Scrubber.for_interactions(interactions)
    assert scrubber.text("lives in Springfield") == f"lives in {scrubber.fakes['Springfield']}"
    assert scrubber.text("Annabel") == "Annabel"  # a short original is only replaced as a whole value


def test_a_cassette_serves_as_a_mock_for_a_real_client(monkeypatch: pytest.MonkeyPatch) -> None:
    zenpy = pytest.importorskip("zenpy")
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", "recorded.invalid")
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    with cassettes.mock(CASSETTES / "reference.json", tokens={"owner": "my-sdk-test-token"}):
        client = zenpy.Zenpy(subdomain="example", oauth_token="my-sdk-test-token")
        account = client.chats.accounts()
    assert account.account_key == "scrubbed-account-key"
    assert account.plan.name == "team"
    assert account.billing.email == "person4@example.com"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_record_then_replay_in_one_process(tmp_path: Path, suffix: str) -> None:
    cassette = tmp_path / f"embedded{suffix}"
    assert cli.main(["run", "--seed", "9", "--max-examples", "4", "--record", str(cassette)]) == 0
    recorded = _recorded(cassette)
    assert recorded["embedded"] is True and recorded["seed"] == 9
    result = _replayed(cassette)[1]
    assert result.verdict == "pass" and result.requests == recorded["requests"]


# What a target may send that no text format holds as it is: each is recorded and replayed exactly.
ODD_BODIES = [
    "body declared UTF-8 that is not",
    "huge body",
    "deeply nested body",
    "body declared JSON that is not JSON",
]
# Every how many answers each is sent: a few 5 MB bodies prove what a hundred would, in a tenth of the time.
EVERY = {"huge body": 97}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
@pytest.mark.parametrize("misbehaviour", ODD_BODIES)
def test_a_cassette_holds_any_body_a_target_sends(misbehaviour: str, suffix: str, tmp_path: Path) -> None:
    cassette, recorded, replayed = tmp_path / f"odd{suffix}", tmp_path / "recorded.json", tmp_path / "replayed.json"
    with http_double.serving(http_double.EveryNth(misbehaviour, n=EVERY.get(misbehaviour, 7))) as url:
        args = ["run", "--base-url", url, *TOKEN_ARGS, "--seed", "5", "--max-examples", "2", "--json", str(recorded)]
        recording_code = cli.main([*args, "--record", str(cassette)])
    assert cli.main(["run", "--replay", str(cassette), "--json", str(replayed)]) == recording_code != 3
    statuses = [
        {entry["id"]: entry["status"] for entry in json.loads(path.read_text())["requirements"]}
        for path in (recorded, replayed)
    ]
    assert statuses[0] == statuses[1] and "failed" in statuses[0].values()  # the odd body was met, and judged
