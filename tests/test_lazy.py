"""hypothesis is loaded by the first strategy built: a replay, which draws nothing, never loads it."""

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


def test_a_replay_loads_neither_hypothesis_nor_schemathesis() -> None:
    replayed = _loaded_after("run", "--replay", str(CASSETTE))
    assert replayed["exit"] == 0
    assert "hypothesis" not in replayed["loaded"] and "schemathesis" not in replayed["loaded"]


def test_a_run_that_draws_loads_hypothesis() -> None:
    drawn = _loaded_after("run", "--seed", "1", "--max-examples", "1", "--workers", "1")
    assert drawn["exit"] == 0
    assert "hypothesis" in drawn["loaded"]


def test_the_stand_in_gives_hypothesis_own_strategies() -> None:
    from hypothesis import strategies

    assert lazy.strategies.integers is strategies.integers
