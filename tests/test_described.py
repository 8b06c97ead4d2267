"""The PUTs schemathesis draws: the same pool whether a forked process draws it or this one does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conformance import described, runner
from conformance.generation import GeneratedRequest

# In a fresh interpreter, where no thread of pytest's keeps the pool from being drawn in a fork.
FORKED = """
import json, os, signal, sys
from conformance import described
pool = described.Pool(int(sys.argv[1]), int(sys.argv[2]))
pool.start()
forked = pool._child is not None
if sys.argv[3] == "kill":  # the forked process dies before it has said anything
    os.kill(pool._child[0], signal.SIGKILL)
drawn = {mode: [[r.mode, r.content.decode("latin-1") if r.content else None, r.content_type]
                for r in pool.requests(mode)] for mode in ("positive", "negative")}
print(json.dumps({"forked": forked, "drawn": drawn}))
"""


def _forked(seed: int, size: int, then: str = "wait") -> dict:
    out = subprocess.run(
        [sys.executable, "-c", FORKED, str(seed), str(size), then], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def _here(seed: int, size: int) -> dict:
    def shown(request: GeneratedRequest) -> list:
        return [request.mode, request.content.decode("latin-1") if request.content else None, request.content_type]

    return {mode: [shown(request) for request in described.draw(seed, size, mode)] for mode in ("positive", "negative")}


def test_a_forked_process_draws_the_pool_this_one_would() -> None:
    forked = _forked(7, 6)
    assert forked["forked"]
    assert forked["drawn"] == _here(7, 6)
    assert len(forked["drawn"]["negative"]) == 6 and len({str(r) for r in forked["drawn"]["negative"]}) > 1


def test_a_forked_process_that_dies_leaves_the_pool_to_be_drawn_here() -> None:
    assert _forked(7, 6, then="kill")["drawn"] == _here(7, 6)


def test_another_seed_draws_another_pool() -> None:
    assert _here(7, 6)["negative"] != _here(8, 6)["negative"]


def test_a_pool_no_longer_needed_stops_its_process() -> None:
    # A process that would draw for a minute stands in for one still drawing: pytest's own threads
    # keep `start` from forking here.
    drawing = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    reading, writing = os.pipe()
    os.close(writing)
    pool = described.Pool(7, 200)
    pool._child = (drawing.pid, reading)
    pool.close()
    assert pool._child is None
    with pytest.raises(ProcessLookupError):
        os.kill(drawing.pid, 0)  # stopped, and its exit collected


def test_the_rules_that_send_its_puts_run_after_the_others() -> None:
    order = [scenario.requirement_id for scenario in runner._ordered_scenarios()]
    drawing = [index for index, id_ in enumerate(order) if id_ in described.DRAWS_FROM_DESCRIPTION]
    assert drawing == list(range(len(order) - len(drawing), len(order)))
    assert order[-1] == "ROBUST-STATE-VALID"
