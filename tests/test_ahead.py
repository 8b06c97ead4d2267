"""Properties drawn ahead: the run sends what it sends when it draws every property itself, passing or failing."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conformance import ahead, described
from conformance.checks import SCENARIOS
from conformance.checks.roles import OWNER_UPDATES
from conformance.context import Drawn, Options
from conformance.server.settings import DEFAULT_TOKENS

TOKENS = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--{role}-token", token)]

# In a fresh interpreter, where the pool can be drawn in a forked process. With "here" the run is
# not given what that process draws for the properties, and draws them itself, as before.
RUN = """
import json, sys
from conformance import cli, context, described
drawn_here = []
draw = context.Context._draw
def counted(ctx, *args, **kwargs):
    drawn_here.append(ctx.requirement_id)
    return draw(ctx, *args, **kwargs)
context.Context._draw = counted
if sys.argv[1] == "here":
    described.Pool.forked = property(lambda pool: False)
code = cli.main(["run", *sys.argv[2:]])
print(json.dumps({"exit": code, "drawn here": drawn_here}))
"""


@contextlib.contextmanager
def _serving(*arguments: str) -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve", "--port", str(port), "--quiet", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(url + "/api/v2/chat/account", timeout=1)
                break
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait()


def _run(where: str, url: str, seed: int, folder: Path, *flags: str) -> tuple[dict, list, dict]:
    """The run's exit and where it drew, what it sent and kept (as recorded: requests, examples) and its verdicts."""
    cassette, report = folder / f"{where}.json", folder / f"{where}-report.json"
    arguments = ["--base-url", url, *TOKENS, "--seed", str(seed), *flags, "--record", str(cassette)]
    arguments += ["--json", str(report)]
    out = subprocess.run(
        [sys.executable, "-c", RUN, where, *arguments], capture_output=True, text=True, timeout=300, cwd=folder
    )
    said = json.loads(out.stdout.splitlines()[-1])
    recorded = json.loads(cassette.read_text())
    requests = [
        (each["request"]["method"], each["request"]["body"], each["request"]["headers"].get("Authorization"))
        for each in recorded["interactions"]
    ]
    sent = [requests, recorded["metadata"]["chat_conformance"]["draws"]]
    verdicts = {entry["id"]: entry["status"] for entry in json.loads(report.read_text())["requirements"]}
    return said, sent, verdicts


DRAWN_AHEAD = {s.requirement_id for s in SCENARIOS if s.properties}


def test_every_property_that_samples_the_pool_is_declared_to_be_drawn_ahead() -> None:
    assert DRAWN_AHEAD == described.DRAWS_FROM_DESCRIPTION


@pytest.mark.parametrize(
    ("faults", "seed", "support"),
    [
        ((), 1, False),
        ((), 5, False),
        ((), 3, True),  # SUPPORT-GET-ONLY's property, the pool's valid PUTs as every role
        # Failing properties: from the first example that fails, hypothesis draws in the run again.
        (("admin-can-update", "accepts-wrong-types"), 1, False),
        (("unknown-tokens-as-admin", "crashes-on-wrong-type"), 2, False),
    ],
)
def test_drawn_ahead_or_here_the_run_sends_the_same(
    faults: tuple[str, ...], seed: int, support: bool, tmp_path: Path
) -> None:
    served = [*(arg for fault in faults for arg in ("--fault", fault)), *(["--support-created"] if support else [])]
    flags = ["--support-created"] if support else []
    with _serving(*served) as url:
        ahead, sent_ahead, verdicts_ahead = _run("ahead", url, seed, tmp_path, *flags)
    with _serving(*served) as url:
        here, sent_here, verdicts_here = _run("here", url, seed, tmp_path, *flags)
    assert sent_ahead == sent_here
    assert verdicts_ahead == verdicts_here
    assert ahead["exit"] == here["exit"] == (1 if faults else 0)
    judged = {id_ for id_, status in verdicts_here.items() if status != "skipped"} & DRAWN_AHEAD
    assert judged and judged <= set(here["drawn here"])
    assert ("SUPPORT-GET-ONLY" in judged) is support
    failing = {id_ for id_, status in verdicts_ahead.items() if status == "failed"}
    # Those that send valid PUTs only are drawn here, while the other process draws the invalid PUTs.
    assert judged & described.DRAWS_VALID_ONLY <= set(ahead["drawn here"])
    # The others are drawn here only where an example failed: the rest was given as drawn ahead.
    drawn_here = set(ahead["drawn here"]) & (DRAWN_AHEAD - described.DRAWS_VALID_ONLY)
    assert drawn_here <= failing
    if faults:
        assert drawn_here  # and what was tried ahead was told to hypothesis
    else:
        assert not drawn_here


def test_a_process_that_cannot_be_told_what_the_run_is_draws_nothing_for_it() -> None:
    pool = described.Pool(7, 6)  # not started: no process to tell
    drawn_ahead = ahead.Ahead(pool)
    drawn_ahead.tell(Options(seed=7), DEFAULT_TOKENS, {}, ["ROLE-PUT-ADMIN"])
    assert drawn_ahead.examples("ROLE-PUT-ADMIN/0", OWNER_UPDATES) is None


def test_a_line_larger_than_a_pipe_holds_at_the_least_is_not_told() -> None:
    # A process that reads nothing stands in for the drawing one: a line told whole never waits on it.
    reader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    pool = described.Pool(7, 6)
    reading, telling = os.pipe()
    pool._child = (reader.pid, open(os.devnull, "rb"), os.fdopen(telling, "wb"))  # noqa: SIM115 - close() closes them
    try:
        assert pool.tell({"snapshot": "x" * 100})
        assert not pool.tell({"snapshot": "x" * described.MOST_TOLD})
        drawn_ahead = ahead.Ahead(pool)
        drawn_ahead.tell(Options(seed=7), DEFAULT_TOKENS, {"plan": {"name": "x" * 100_000}}, ["ROLE-PUT-ADMIN"])
        assert not drawn_ahead._told
    finally:
        pool.close()
        os.close(reading)


def test_examples_are_given_only_for_the_property_declared_at_that_place() -> None:
    drawn_ahead = ahead.Ahead(described.Pool(7, 6))
    drawn_ahead._told, drawn_ahead._plan = True, ["ROLE-PUT-ADMIN/0"]
    drawn_ahead._examples["ROLE-PUT-ADMIN/0"] = [{"request": ["PUT", "plausible", {"utf-8": "{}"}, "application/json"]}]
    assert drawn_ahead.examples("ROLE-PUT-ADMIN/0", OWNER_UPDATES) is not None
    assert drawn_ahead.examples("ROLE-PUT-ADMIN/0", Drawn(OWNER_UPDATES.make, OWNER_UPDATES.share)) is None
    assert drawn_ahead.examples("ROLE-PUT-ADMIN/1", OWNER_UPDATES) is None
    assert drawn_ahead.examples("AUTH-MISSING/0", OWNER_UPDATES) is None
