"""A damaged cassette never turns into a verdict on the target: its replay says where, or finds the same.

Each example takes a cassette recorded once per session (a conformant server and a faulty one, each
in JSON and in YAML), damages a copy of it as a hand edit, a bad merge or a tool might (an exchange
removed, duplicated, moved or added; a response's status or body changed; the metadata changed),
and replays the copy. The replay either ends in exit 3, its verdict `error`, naming the first
difference at or after the damage and the command that re-records the cassette, or, where the
damage changes nothing the run sees, finds what the recording found: every rule's status, the
verdict and the exit code.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import TOKEN_ARGS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from vcr.serializers import yamlserializer

from conformance import cli
from conformance.cassettes.format import METADATA_KEY, dump_json, load
from conformance.reports.json_report import SCHEMA_PATH
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer

SCHEMA = json.loads(SCHEMA_PATH.read_text())
SERVERS = {"reference": create_app, "admin-sees-billing": faults.AdminSeesBilling}
FORMATS = (".json", ".yaml")
STATUSES = ("passed", "failed", "skipped", "errored", "expected")
# The metadata that says what the recording found: damaged, the replay cannot find the same.
OUTCOME_FIELDS = ("statuses", "verdict", "requests")
FIELDS = ("account_key", "billing", "plan", "status", "x")  # of a damaged response body


@dataclass(frozen=True)
class Recorded:
    """A cassette recorded once, what its run reported, and its text as loaded."""

    path: Path
    code: int
    report: dict[str, Any]
    data: dict[str, Any]

    @property
    def statuses(self) -> dict[str, str]:
        return {entry["id"]: entry["status"] for entry in self.report["requirements"]}


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Recorded]:
    folder = tmp_path_factory.mktemp("recorded")
    recorded = {}
    for server, app in SERVERS.items():
        for suffix in FORMATS:
            cassette, report = folder / f"{server}{suffix}", folder / f"{server}{suffix}.report.json"
            with BackgroundServer(app()) as target:
                args = ["run", "--base-url", target.url, *TOKEN_ARGS, "--seed", "11", "--max-examples", "2"]
                code = cli.main([*args, "--record", str(cassette), "--json", str(report)])
            data = load(cassette.read_text(encoding="utf-8"), suffix.lstrip("."))
            recorded[server, suffix] = Recorded(cassette, code, json.loads(report.read_text()), data)
    assert {recording.code for recording in recorded.values()} == {0, 1}  # a passing run and a failing one
    return recorded


@dataclass(frozen=True)
class Damage:
    """One change to a cassette: what it is, and the first place (from 0) whose exchange it changes."""

    kind: str
    at: int | None  # None: the metadata
    detail: str
    must_differ: bool  # whether the replay cannot find the same (its traffic, or the recorded outcome, changed)

    def __str__(self) -> str:
        return f"{self.kind} at {self.at}: {self.detail}"


def _key(interaction: dict[str, Any]) -> str:
    return json.dumps(interaction["request"], sort_keys=True, default=repr)


def _exchanges(draw: st.DrawFn, data: dict[str, Any]) -> Damage:
    interactions = data["interactions"]
    count = len(interactions)
    kind = draw(st.sampled_from(["removed", "duplicated", "moved", "added", "status", "body"]))
    at = draw(st.integers(0, count - 1))
    if kind == "removed":
        del interactions[at]
        return Damage(kind, at, "", True)
    if kind == "duplicated":
        interactions.insert(at + 1, copy.deepcopy(interactions[at]))
        return Damage(kind, at + 1, "", True)
    if kind == "moved":
        to = draw(st.integers(0, count - 1).filter(lambda n: n != at))
        before = [json.dumps(interaction, sort_keys=True, default=repr) for interaction in interactions]
        interactions.insert(to, interactions.pop(at))
        # Among exchanges all alike, nothing changes places that the run could see.
        alike = before == [json.dumps(interaction, sort_keys=True, default=repr) for interaction in interactions]
        return Damage(kind, min(at, to), f"to {to}" + (" (among alike exchanges)" if alike else ""), not alike)
    if kind == "added":
        added = copy.deepcopy(interactions[at])
        how = draw(st.sampled_from(["method", "credential", "query"]))
        request = added["request"]
        if how == "method":
            request["method"] = "DELETE"
        elif how == "credential":
            request["headers"]["X-Chat-Conformance-Credential"] = ["other: Bearer forged"]
        else:
            request["uri"] += "?added=1"
        interactions.insert(at, added)
        return Damage(kind, at, how, True)
    response = interactions[at]["response"]
    if kind == "status":
        code = draw(st.sampled_from([200, 204, 400, 401, 403, 404, 422, 429, 500, 503]))
        changed = code != response["status"]["code"]
        response["status"]["code"] = code
        return Damage(kind, at, str(code), True) if changed else Damage("unchanged", at, "", False)
    body = draw(
        st.one_of(
            st.sampled_from(["", "not JSON", "{}", "[]", "null", '{"billing": {}}']),
            st.binary(max_size=20),
            st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=5)).map(json.dumps),
        )
    )
    changed = body != response["body"]["string"]
    response["body"]["string"] = body
    return Damage(kind, at, repr(body)[:40], True) if changed else Damage("unchanged", at, "", False)


def _metadata(draw: st.DrawFn, data: dict[str, Any], recorded: Recorded) -> Damage:
    kept = data["metadata"][METADATA_KEY]
    name = draw(
        st.sampled_from(
            [
                "seed",
                "max_examples",
                "statuses",
                "verdict",
                "requests",
                "roles",
                "writes",
                "support_created",
                "base_url",
                "versions",
                "rules",
                "draws",
            ]
        )
    )
    if name == "seed":
        kept["seed"] = draw(st.integers(0, 2**32 - 1))
    elif name == "max_examples":
        kept["max_examples"] = draw(st.integers(1, 30))
    elif name == "statuses":
        rule = draw(st.sampled_from(sorted(kept["statuses"])))
        kept["statuses"][rule] = draw(st.sampled_from([s for s in STATUSES if s != kept["statuses"][rule]]))
        return Damage(f"metadata {name}", None, rule, True)
    elif name == "verdict":
        kept["verdict"] = draw(st.sampled_from([v for v in ("pass", "fail", "error") if v != kept["verdict"]]))
    elif name == "requests":
        kept["requests"] += draw(st.sampled_from([-1, 1, 10]))
    elif name == "roles":
        kept["roles"].remove(draw(st.sampled_from(kept["roles"])))
        return Damage(f"metadata {name}", None, str(kept["roles"]), True)
    elif name in ("writes", "support_created"):
        kept[name] = not kept[name]
        return Damage(f"metadata {name}", None, str(kept[name]), True)
    elif name == "base_url":
        kept["base_url"] = "http://elsewhere.invalid:8000"
        return Damage(f"metadata {name}", None, "", True)
    elif name == "versions":
        kept["versions"] = {**kept["versions"], "hypothesis": "0.0.1"}
    elif name == "rules":
        kept["rules"] = draw(st.sampled_from([[], [["UPD-MERGE", 0, 3]]]))
    else:  # draws: one property's examples dropped (drawn again from the seed), or two swapped
        prop = draw(st.sampled_from(sorted(key for key, examples in kept["draws"].items() if examples)))
        examples = kept["draws"][prop]
        if len(examples) > 1 and draw(st.booleans()):
            examples[0], examples[-1] = examples[-1], examples[0]
            return Damage(f"metadata {name}", None, f"{prop} swapped", False)
        del kept["draws"][prop]
        return Damage(f"metadata {name}", None, f"{prop} dropped", False)
    return Damage(f"metadata {name}", None, "", name in OUTCOME_FIELDS)


@st.composite
def damaged(draw: st.DrawFn, recordings: dict[tuple[str, str], Recorded]) -> tuple[Recorded, str, Damage, Any]:
    server = draw(st.sampled_from(sorted(SERVERS)))
    suffix = draw(st.sampled_from(FORMATS))
    recorded = recordings[server, suffix]
    data = copy.deepcopy(recorded.data)
    damage = _metadata(draw, data, recorded) if draw(st.integers(0, 4)) == 0 else _exchanges(draw, data)
    return recorded, suffix, damage, data


def _write(data: dict[str, Any], path: Path) -> None:
    text = dump_json(data) if path.suffix == ".json" else yamlserializer.serialize(data)
    path.write_text(text, encoding="utf-8")


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    # The suite runs its own properties inside this one (nested_given), as the round-trip test does.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.nested_given,
    ],
)
@given(data=st.data())
def test_a_damaged_cassette_replays_to_exit_3_naming_the_place_or_to_what_was_recorded(
    data: st.DataObject,
    recordings: dict[tuple[str, str], Recorded],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorded, suffix, damage, cassette_data = data.draw(damaged(recordings), label="damage")
    folder = tmp_path_factory.mktemp("damaged")
    cassette, report_path = folder / f"damaged{suffix}", folder / "replayed.json"
    _write(cassette_data, cassette)
    capsys.readouterr()
    code = cli.main(["run", "--replay", str(cassette), "--json", str(report_path)])
    shown = "".join(capsys.readouterr())
    assert "Traceback" not in shown
    report = json.loads(report_path.read_text())
    jsonschema.validate(report, SCHEMA)
    replay = report["replay"]
    statuses = {entry["id"]: entry["status"] for entry in report["requirements"]}
    if replay["matches"]:
        event(f"{damage.kind} ({suffix}): found what was recorded, exit {code}")
        assert not damage.must_differ, damage
        assert code == recorded.code and report["verdict"] == recorded.report["verdict"]
        assert statuses == recorded.statuses
        return
    first = replay["differences"][0]
    event(f"{damage.kind} ({suffix}): exit 3, {first['kind']}")
    assert code == 3 and report["verdict"] == "error", damage
    # The terminal lays text out (a tab in a recorded body becomes spaces, long lines wrap): compare words.
    assert " ".join(first["message"].split()) in " ".join(shown.split()) and first["message"] in report["error"]
    assert "Re-record it: chat-conformance run" in report["error"] and "--record" in report["error"]
    if first["kind"] in ("exchange", "unplayed", "edited"):
        assert f"{first['place']} " in first["message"]
        if damage.at is not None:
            assert first["place"] >= damage.at + 1, (damage, first)  # nothing before the damage differs
        if damage.kind in ("status", "body"):  # a response edited is named at its own place
            assert first["kind"] == "edited" and first["place"] == damage.at + 1, (damage, first)
        return
    # The traffic lined up: the differences are exactly the recorded outcomes the replay did not find.
    assert damage.kind not in ("removed", "duplicated", "added"), damage
    if damage.kind.startswith("metadata"):
        expected = json.loads(json.dumps(cassette_data["metadata"][METADATA_KEY]["statuses"]))
    else:
        expected = recorded.statuses
    differing = {rule for rule in statuses.keys() | expected.keys() if statuses.get(rule) != expected.get(rule)}
    assert {d["id"] for d in replay["differences"] if d["kind"] == "outcome"} == differing, damage
    if damage.kind in ("metadata verdict", "metadata requests"):
        assert damage.kind.split()[1].rstrip("s") in {d["kind"].rstrip("s") for d in replay["differences"]}
