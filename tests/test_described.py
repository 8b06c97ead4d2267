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
    pool._child = (drawing.pid, os.fdopen(reading, "rb"), open(os.devnull, "wb"))  # noqa: SIM115 - close() closes it
    pool.close()
    assert pool._child is None
    with pytest.raises(ProcessLookupError):
        os.kill(drawing.pid, 0)  # stopped, and its exit collected


def test_the_rules_that_send_its_puts_run_after_the_others_those_of_valid_ones_first() -> None:
    order = [scenario.requirement_id for scenario in runner.ordered_scenarios()]
    drawing = [index for index, id_ in enumerate(order) if id_ in described.DRAWS_FROM_DESCRIPTION]
    assert drawing == list(range(len(order) - len(drawing), len(order)))
    valid_only = [order[index] for index in drawing[: len(described.DRAWS_VALID_ONLY)]]
    assert set(valid_only) == described.DRAWS_VALID_ONLY
    assert order[-1] == "ROBUST-STATE-VALID"
    invalid = [order[index] for index in drawing[len(described.DRAWS_VALID_ONLY) :]]
    assert invalid[0] == described.INVALID_FIRST  # it sends its edge values while the invalid PUTs are drawn


# The forked process says the valid PUTs as soon as they are drawn: a run reads them while the
# invalid ones are still being drawn.
STREAMED = """
import json, sys, time
from conformance import described
pool = described.Pool(7, 6)
pool.start()
pool.requests("positive")
still_drawing = pool._child is not None and "negative" not in pool._drawn
pool.requests("negative")
waiting = pool._child is not None  # to be told what the run is (conformance.ahead)
pool.close()
print(json.dumps({"still drawing": still_drawing, "waiting": waiting, "closed": pool._child is None}))
"""


def test_the_valid_puts_are_had_before_the_invalid_ones_are_drawn() -> None:
    out = subprocess.run([sys.executable, "-c", STREAMED], capture_output=True, text=True, timeout=120)
    said = json.loads(out.stdout.splitlines()[-1])
    assert said == {"still drawing": True, "waiting": True, "closed": True}, out.stderr


EARLY = """
import json, sys
from conformance import described
described.start_early(7, 6)
early = described._early
forked = early is not None and early._child is not None  # asked before anything could draw it here
with described.drawing(int(sys.argv[1]), int(sys.argv[2]), ahead=None) as pool:
    taken = pool is early
    drawn = {mode: [[r.mode, r.content.decode("latin-1") if r.content else None, r.content_type]
                    for r in pool.requests(mode)] for mode in ("positive", "negative")}
print(json.dumps({"forked": forked, "taken": taken,
                  "stopped": early._child is None, "drawn": drawn}))
"""


def _early(seed: int, size: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", EARLY, str(seed), str(size)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_a_pool_started_early_is_the_one_its_run_samples() -> None:
    early = _early(7, 6)
    assert early["forked"] and early["taken"]
    assert early["drawn"] == _here(7, 6)


def test_a_pool_started_early_for_another_seed_or_size_is_stopped_and_the_run_draws_its_own() -> None:
    for seed, size in ((8, 6), (7, 5)):
        early = _early(seed, size)
        assert early["forked"] and not early["taken"] and early["stopped"]
        assert early["drawn"] == _here(seed, size)


def test_a_pool_started_early_that_no_run_took_is_stopped() -> None:
    drawing = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    reading, writing = os.pipe()
    os.close(writing)
    described._early = described.Pool(7, 200)
    telling = open(os.devnull, "wb")  # noqa: SIM115 - discard_early() closes it
    described._early._child = (drawing.pid, os.fdopen(reading, "rb"), telling)
    described.discard_early()
    assert described._early is None
    with pytest.raises(ProcessLookupError):
        os.kill(drawing.pid, 0)


# The command starts the pool as soon as its options are read; a usage error found later stops it.
USAGE_ERROR_AFTER_START = """
import json, os, sys
from conformance import cli, described
started = []
start = described.Pool.start
def recording_start(pool, job=None):
    start(pool, job)
    started.append(pool._child[0])
described.Pool.start = recording_start
code = cli.main(["run", "--base-url", "http://127.0.0.1:9", "--workers", "2", "--seed", "1"])
try:
    os.kill(started[0], 0)
    alive = True
except ProcessLookupError:
    alive = False
print(json.dumps({"exit": code, "started": len(started), "alive": alive}))
"""


def test_a_usage_error_after_the_early_start_stops_the_drawing() -> None:
    out = subprocess.run([sys.executable, "-c", USAGE_ERROR_AFTER_START], capture_output=True, text=True, timeout=60)
    assert json.loads(out.stdout.splitlines()[-1]) == {"exit": 2, "started": 1, "alive": False}, out.stderr
    assert "--workers 2" in out.stderr


def test_a_draw_told_to_stop_ends_as_an_interrupt_would() -> None:
    """A worker ignores Ctrl-C: its parent's `stop` must end a draw of seconds that sends no request."""
    asked: list[bool] = []

    def told() -> bool:
        asked.append(True)
        return len(asked) > 3

    with described.stop_drawing_when(told), pytest.raises(KeyboardInterrupt):
        described.draw(1, 500, "negative")
    assert len(asked) == 4  # asked before each example it kept, and no further once told
    assert len(described.draw(1, 5, "negative")) == 5  # drawing again, not told: whole
