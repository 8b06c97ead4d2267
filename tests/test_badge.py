"""--badge writes the shields.io endpoint JSON: MUST rules passed out of those judged, and a colour."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEED, TOKEN_ARGS

from conformance import cli
from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer

TOKENS = TOKEN_ARGS


def _badge(app: object, tmp_path: Path, *extra: str) -> dict:
    path = tmp_path / "badge.json"
    with BackgroundServer(app) as server:
        args = ["run", "--base-url", server.url, *TOKENS, "--seed", str(SEED), "--max-examples", "2"]
        cli.main([*args, "--badge", str(path), *extra])
    return json.loads(path.read_text())


def test_a_passing_run_gets_a_green_badge(tmp_path: Path) -> None:
    badge = _badge(create_app(), tmp_path)
    assert badge == {"schemaVersion": 1, "label": "Chat Accounts API", "message": "22/22 MUST", "color": "brightgreen"}


def test_a_failing_run_gets_a_red_badge_counting_what_passed(tmp_path: Path) -> None:
    badge = _badge(faults.AdminSeesBilling(), tmp_path)
    assert badge["message"] == "21/22 MUST" and badge["color"] == "red"


def test_known_deviations_are_counted_on_the_badge(tmp_path: Path) -> None:
    expect = tmp_path / "expect.toml"
    expect.write_text('[expected.BILLING-OWNER-ONLY]\nreason = "known"\n')
    badge = _badge(faults.AdminSeesBilling(), tmp_path, "--expect", str(expect))
    assert badge["message"] == "21/22 MUST, 1 known" and badge["color"] == "yellowgreen"


def test_an_unreachable_target_gets_a_grey_badge(tmp_path: Path) -> None:
    path = tmp_path / "badge.json"
    assert cli.main(["run", "--base-url", "http://127.0.0.1:9", "--timeout", "1", "--badge", str(path)]) == 3
    assert json.loads(path.read_text())["color"] == "lightgrey"
