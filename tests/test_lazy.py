"""hypothesis and httpx are loaded when first used: a replay, which draws and sends nothing, loads neither."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance import lazy

CASSETTE = Path(__file__).resolve().parents[1] / "cassettes" / "reference.json"

# Run in a fresh interpreter: this one has hypothesis loaded already.
LOADED_AFTER = """
import json, sys
from conformance import cli
code = cli.main(sys.argv[1:])
print(json.dumps({"exit": code, "loaded": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def _loaded_after(*args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", LOADED_AFTER, *args], capture_output=True, text=True, timeout=300)
    return json.loads(out.stdout.splitlines()[-1])


def test_a_replay_loads_neither_hypothesis_nor_schemathesis_nor_an_http_client() -> None:
    replayed = _loaded_after("run", "--replay", str(CASSETTE))
    assert replayed["exit"] == 0
    assert "hypothesis" not in replayed["loaded"] and "schemathesis" not in replayed["loaded"]
    assert not {"httpx", "httpcore", "h11", "ssl"} & set(replayed["loaded"])  # the cassette answers every request


def test_a_run_that_draws_loads_hypothesis() -> None:
    drawn = _loaded_after("run", "--seed", "1", "--max-examples", "1", "--workers", "1")
    assert drawn["exit"] == 0
    assert "hypothesis" in drawn["loaded"]


def test_the_stand_in_gives_hypothesis_own_strategies() -> None:
    from hypothesis import strategies

    assert lazy.strategies.integers is strategies.integers


def test_the_stand_in_gives_httpx_own_names() -> None:
    import httpx

    assert lazy.httpx.Request is httpx.Request
