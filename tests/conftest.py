from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.context import Options
from conformance.results import RunResult, Status
from conformance.runner import RunConfig, run
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

SEED = 20261125
# `run`'s options giving the reference server's three role tokens.
TOKEN_ARGS = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--{role}-token", token)]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--every-seed",
        action="store_true",
        help="run each fault planted in the zoo on all five seeds, not on one (tests/test_zoo.py)",
    )


def run_suite(app: Any, **options: Any) -> RunResult:
    """The whole suite against `app`, served on a loopback port, with every role's token."""
    options = {"max_examples": 10, "seed": SEED, **options}
    with BackgroundServer(app) as server:
        return run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=Options(**options)))


def failed(result: RunResult) -> set[str]:
    return {entry.requirement.id for entry in result.requirements if entry.status is Status.FAILED}


@pytest.fixture
def gc_passes() -> Iterator[list[str]]:
    """Each pass the cyclic collector starts while the test runs; the collector as it was after it."""
    started: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(phase)

    was = gc.isenabled()
    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)
        (gc.enable if was else gc.disable)()


@pytest.fixture(autouse=True)
def _in_tmp_cwd(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run that cannot restore an account writes a backup file into the working folder.
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _no_cassette_left_open() -> Iterator[None]:
    """vcrpy patches httpx while a cassette is open; one left open would slow every later test and record it."""
    import httpx

    sending = httpx.HTTPTransport.handle_request
    yield
    left = httpx.HTTPTransport.handle_request is not sending
    httpx.HTTPTransport.handle_request = sending  # type: ignore[method-assign]
    assert not left, "a vcrpy cassette was left open: httpx is still patched after the test"


@pytest.fixture
def collector_everywhere(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A garbage collection at every allocation, each running code that needs some stack, as finalizers do.

    Yields what Python reported as ignored exceptions meanwhile: a collection that starts where the
    stack is nearly used up fails there, the way a finalizer fails in a real run.
    """
    ignored: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda unraisable: ignored.append(type(unraisable.exc_value).__name__))

    def needs_stack(depth: int = 30) -> int:
        return 0 if depth == 0 else needs_stack(depth - 1)

    def callback(phase: str, info: dict[str, int]) -> None:
        needs_stack()

    thresholds = gc.get_threshold()
    gc.callbacks.append(callback)
    gc.set_threshold(1)
    try:
        yield ignored
    finally:
        gc.set_threshold(*thresholds)
        gc.callbacks.remove(callback)


@contextlib.contextmanager
def zoo_member(member: Any, fault: str | None = None, **options: Any) -> Iterator[str]:
    """A member of interop/ serving on loopback: skipped where its runtime is missing, except in CI."""
    from interop import zoo

    try:
        with zoo.serving(member, fault, **options) as url:
            yield url
    except zoo.Unavailable as why:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI must install it: .ci/run)")
        pytest.skip(str(why))


def exchange(
    status: int = 200,
    body: object = None,
    *,
    method: str = "GET",
    label: str = "owner",
    headers: dict[str, str] | None = None,
    url: str = "http://127.0.0.1:8811/api/v2/chat/account",
) -> Any:
    """A recorded exchange for unit tests of response checks."""
    import json

    from conformance.exchange import Credential, Exchange, ReceivedResponse, SentRequest

    text = body if isinstance(body, str) else ("" if body is None else json.dumps(body))
    response_headers = {"content-type": "application/json"} if headers is None else headers
    credential = Credential(label, None if label == "none" else "Bearer x")
    return Exchange(credential, SentRequest(method, url, {}), ReceivedResponse(status, response_headers, text))


def context(base_url: str = "http://127.0.0.1:8811") -> Any:
    from conformance.context import Context, Options
    from conformance.transport import Target

    return Context(Target(base_url, DEFAULT_TOKENS), Options(max_examples=8, seed=SEED))


def assert_catches(requirement_id: str, fault: Any, **options: Any) -> None:
    """The scenario judging `requirement_id` fails against `fault` and passes the reference server."""
    from conformance.server import create_app

    broken = judge_scenario(requirement_id, fault, **options)
    assert broken.status is Status.FAILED
    assert broken.failures[0].message and broken.failures[0].exchange is not None  # a reproduction
    assert judge_scenario(requirement_id, create_app()).status is Status.PASSED


def judge_scenario(requirement_id: str, app: Any, **options: Any) -> Any:
    """Run one scenario alone against `app`; its RequirementResult."""
    from conformance import checks, described
    from conformance.runner import Run
    from conformance.transport import Target

    scenario = next(s for s in checks.SCENARIOS if s.requirement_id == requirement_id)
    run_options = Options(**{"max_examples": 8, "seed": SEED, **options})
    # The pool of schemathesis's PUTs a run of these options samples, drawn here.
    with BackgroundServer(app) as server, described.drawing(run_options.seed, run_options.max_examples, ahead=None):
        target = Target(server.url, DEFAULT_TOKENS)
        state = Run(target, run_options)
        state.ctx.snapshot = target.get(target.as_role("owner")).response.json
        return state.scenario(scenario)
