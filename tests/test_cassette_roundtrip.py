"""A recording replays to what it recorded, whatever the account holds and whatever the target sends.

Each example serves a drawn account as `serve --fixture` serves it (billing values from the
generator's own vocabulary, from the edge strings, from real names), records a seeded run to a JSON
or YAML cassette, replays it offline, and holds the replay to the recording: the same status for
every rule, the same verdict, the same exit code. The servers are conformant (the reference, and
one that stores and echoes lone surrogates) and faulty (admin-sees-billing, accepts-wrong-types).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import TOKEN_ARGS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conformance import cli, edges, generation, jsontext
from conformance.cassettes.format import COPIED_HEADER, load, serializer_for
from conformance.server import ServerSettings
from conformance.server.embedded import BackgroundServer
from conformance.server.serving import Behaviour, build
from conformance.server.settings import apply_fixture
from conformance.server.store import AccountStore

TOKENS = TOKEN_ARGS
NAMES = (
    "Ada", "Maria José", "Zoë", "Nguyễn Văn An", "O'Brien", "Anne-Marie", "Søren", "Łukasz", "Мария",
    "李雷", "محمد", "São Paulo", "München", "Reykjavík", "Ōsaka", "Smith & Sons Ltd.",
)  # fmt: skip
# A fixture holds Unicode text: serve refuses an unpaired surrogate in it (it refuses one in a PUT too).
EDGE_TEXTS = tuple(text for text in edges.STRINGS if not jsontext.has_unpaired_surrogate(text))
SERVERS = {
    "reference": [],
    "echoes-lone-surrogates": ["echoes-lone-surrogates"],
    "admin-sees-billing": ["admin-sees-billing"],
    "accepts-wrong-types": ["accepts-wrong-types"],
}
TEXTS = st.sampled_from((*generation.VOCABULARY, *EDGE_TEXTS, *NAMES))
PERSONAL = ("first_name", "last_name", "company", "city", "state", "address1", "additional_info", "phone")


@st.composite
def accounts(draw: st.DrawFn) -> dict[str, Any]:
    billing = {name: draw(TEXTS) for name in PERSONAL if draw(st.booleans())}
    billing["email"] = f"{draw(st.sampled_from(generation.VOCABULARY)).lower()}@example.org"
    key = draw(st.sampled_from(["acme-widget-key-123", "zendesk-chat-account-key", "k"]))
    return {"account_key": key, "billing": billing, "create_date": "2014-08-06T11:02:09Z", "status": "active"}


def _served(account: dict[str, Any], behaviours: list[str], folder: Path) -> Any:
    fixture = folder / "fixture.json"
    fixture.write_text(json.dumps({"account": account}))
    server_settings = ServerSettings()
    apply_fixture(server_settings, fixture)
    return build(server_settings, AccountStore(server_settings.account), Behaviour(behaviours))


def _statuses(report: Path) -> tuple[str, dict[str, str]]:
    document = json.loads(report.read_text())
    return document["verdict"], {entry["id"]: entry["status"] for entry in document["requirements"]}


ADA = {
    "account_key": "acme-widget-key-123",
    "billing": {"first_name": "Ada", "city": "Hazel", "email": "ada@example.org"},
}
# Every personal field filled, so that a field the scrubber forgets is seen on every run.
EVERY_FIELD = {
    "account_key": "acme-widget-key-123",
    "billing": {
        **{name: f"{NAMES[n]} {n}" for n, name in enumerate(PERSONAL)},
        "email": "ada@example.org",
        "address2": "Suite 9",
        "postal_code": "DK-2100",
    },
    "create_date": "2014-08-06T11:02:09Z",
}


def _originals_kept(cassette: Path, account: dict[str, Any]) -> list[str]:
    """Where the cassette still holds one of the account's own values: in the answers before the first
    PUT (every value in them is the target's), and in the PUT that copies billing back at the end."""
    data = load(cassette.read_text(encoding="utf-8"), serializer_for(cassette))
    originals = {name: value for name, value in account["billing"].items() if isinstance(value, str) and value}
    kept = []
    written = False
    for n, interaction in enumerate(data["interactions"]):
        request, response = interaction["request"], interaction["response"]
        written = written or request["method"] == "PUT"
        held = [] if written else [("response", _json(response["body"].get("string")))]
        if COPIED_HEADER in request.get("headers", {}):
            held.append(("copied request", _json(request.get("body"))))
        for where, document in held:
            if not isinstance(document, dict):
                continue
            if document.get("account_key") == account["account_key"]:
                kept.append(f"{where} {n}: account_key")
            billing = document.get("billing")
            if isinstance(billing, dict):
                kept += [f"{where} {n}: {name}" for name, value in originals.items() if billing.get(name) == value]
    return kept


def _json(body: Any) -> Any:
    try:
        return json.loads(body.decode() if isinstance(body, bytes) else body or "")
    except ValueError:
        return None


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.nested_given],
)
@given(
    account=accounts(),
    server=st.sampled_from(sorted(SERVERS)),
    suffix=st.sampled_from([".json", ".yaml", ".yml"]),
    seed=st.integers(0, 2**32 - 1),
)
@example(account=EVERY_FIELD, server="reference", suffix=".yaml", seed=7)
@example(
    account={**ADA, "create_date": "2014-08-06T11:02:09Z"}, server="echoes-lone-surrogates", suffix=".yaml", seed=7
)
@example(
    account={**ADA, "create_date": "2014-08-06T11:02:09Z"}, server="echoes-lone-surrogates", suffix=".json", seed=7
)
def test_a_recording_replays_to_the_same_statuses_verdict_and_exit_code(
    account: dict[str, Any], server: str, suffix: str, seed: int, tmp_path_factory: Any
) -> None:
    folder = tmp_path_factory.mktemp("roundtrip")
    cassette, recorded, replayed = folder / f"run{suffix}", folder / "recorded.json", folder / "replayed.json"
    with BackgroundServer(_served(account, SERVERS[server], folder)) as target:
        args = ["run", "--base-url", target.url, *TOKENS, "--seed", str(seed), "--max-examples", "2"]
        recording_code = cli.main([*args, "--record", str(cassette), "--json", str(recorded)])
    replay_code = cli.main(["run", "--replay", str(cassette), "--json", str(replayed)])
    assert replay_code == recording_code != 3
    assert _statuses(replayed) == _statuses(recorded)
    text = cassette.read_text(encoding="utf-8")
    for value in (account["account_key"], account["billing"]["email"]):
        assert len(value) < 5 or value not in text  # never sent by the suite: nowhere in the cassette
    assert _originals_kept(cassette, account) == []  # every personal field, where it is the target's
