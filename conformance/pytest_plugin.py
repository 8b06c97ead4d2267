"""Run the suite from pytest: `pytest --pyargs conformance [--chat-base-url URL ...]`.

One test per requirement ID, so pytest's own reporting (`--junitxml`, `-k`, xdist) applies. The
suite runs once per session; under pytest-xdist one worker runs it (a file lock keeps a live
account from being written to by two runs at once) and the others read its JSON report.

For client authors, the `chat_server` fixture is a reference server to test a client against
(see `conformance.server.testing`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest

OPTIONS = {
    "base_url": "CHAT_CONFORMANCE_BASE_URL",
    "owner_token": "CHAT_CONFORMANCE_OWNER_TOKEN",
    "admin_token": "CHAT_CONFORMANCE_ADMIN_TOKEN",
    "agent_token": "CHAT_CONFORMANCE_AGENT_TOKEN",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("chat-conformance", "Zendesk Chat Accounts API conformance")
    for name, env in OPTIONS.items():
        flag = "--chat-" + name.replace("_", "-")
        group.addoption(flag, dest=f"chat_{name}", default=None, help=f"as run --{name.replace('_', '-')} [{env}]")
    group.addoption("--chat-support-created", action="store_true", dest="chat_support_created")
    group.addoption("--chat-no-writes", action="store_true", dest="chat_no_writes")
    group.addoption("--chat-max-examples", type=int, default=25, dest="chat_max_examples")
    group.addoption("--chat-seed", type=int, default=None, dest="chat_seed")
    group.addoption("--chat-timeout", type=float, default=10.0, dest="chat_timeout")
    group.addoption("--chat-max-requests", type=int, default=None, dest="chat_max_requests")
    group.addoption("--chat-rate-share", type=float, default=0.5, dest="chat_rate_share")
    group.addoption(
        "--chat-expect",
        default=None,
        dest="chat_expect",
        metavar="FILE",
        help="the target's expectations file: each rule it expects to fail is an xfail(strict=True)",
    )


def _expectations(config: pytest.Config) -> Any:
    """The expectations file given with --chat-expect, loaded once; a bad one stops pytest at once."""
    from conformance import expectations

    path = config.getoption("chat_expect")
    if path is None:
        return None
    if not hasattr(config, "_chat_expectations"):
        try:
            config._chat_expectations = expectations.load(Path(path))  # type: ignore[attr-defined]
        except expectations.ExpectationsError as error:
            raise pytest.UsageError(f"--chat-expect: {error}") from None
    return config._chat_expectations  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A rule the expectations file expects to fail is an xfail: strict, unless the entry says otherwise."""
    expected = _expectations(config)
    if expected is None:
        return
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or getattr(item, "module", None) is None:
            continue
        if item.module.__name__ != "conformance.test_conformance":  # type: ignore[attr-defined]
            continue
        entry = expected.expected.get(callspec.params.get("requirement_id"))
        if entry is not None:
            item.add_marker(pytest.mark.xfail(reason=str(entry), strict=entry.strict))


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"chat_{name}")
    return value if value is not None else os.environ.get(OPTIONS[name]) or None


def _run(config: pytest.Config) -> dict[str, Any]:
    from conformance import budget
    from conformance.context import Options
    from conformance.reports import json_report
    from conformance.runner import INTERRUPTED, RunConfig, run
    from conformance.seeding import new_seed

    seed = config.getoption("chat_seed")
    max_requests = config.getoption("chat_max_requests")
    options = Options(
        max_examples=budget.plan(config.getoption("chat_max_examples"), max_requests).max_examples,
        max_requests=max_requests,
        seed=seed if seed is not None else new_seed(),
        writes=not config.getoption("chat_no_writes"),
        support_created=config.getoption("chat_support_created"),
    )
    tokens = {role: _option(config, f"{role}_token") for role in ("owner", "admin", "agent")}
    expected = _expectations(config)
    run_config = RunConfig(
        base_url=_option(config, "base_url"),
        tokens=tokens,
        options=options,
        timeout=config.getoption("chat_timeout"),
        rate_share=config.getoption("chat_rate_share"),
        # Only the file's skips apply to the run: its expected failures stay failures, for xfail to see.
        expectations=dataclasses.replace(expected, expected={}) if expected is not None else None,
    )
    result = run(run_config)
    if result.stopped == INTERRUPTED:
        raise KeyboardInterrupt  # the run kept the account safe; now let pytest stop as asked
    return json_report.to_dict(result)


@pytest.fixture(scope="session")
def chat_conformance_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The JSON report of one run of the suite, shared by every test of the session."""
    from filelock import FileLock

    # A worker of this session's xdist, not merely a process started from one (which inherits its
    # environment variables, and would share a report with sessions that are not its own).
    if not hasattr(request.config, "workerinput"):
        return _run(request.config)
    shared = tmp_path_factory.getbasetemp().parent / "chat-conformance-report.json"
    with FileLock(str(shared) + ".lock"):
        if not shared.exists():
            shared.write_text(json.dumps(_run(request.config)), encoding="utf-8")
        return json.loads(Path(shared).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def _chat_server_session() -> Any:
    from conformance.server.testing import ChatServer

    with ChatServer() as server:
        yield server


@pytest.fixture
def chat_server(_chat_server_session: Any) -> Any:
    """A reference server for a client's tests: `.url`, `.tokens`, `.account`, `.fault(...)`.

    One server for the session, reset before every test: a fresh account, no fault.
    """
    _chat_server_session.reset()
    return _chat_server_session


class NotJudged(Exception):
    """The suite could not judge this rule: pytest shows the test as an error, not a pass or a failure."""


@pytest.fixture
def chat_requirement(request: pytest.FixtureRequest, chat_conformance_report: dict) -> dict:
    """The report's entry for the test's requirement; raising here makes an errored rule a pytest error."""
    requirement_id = request.node.callspec.params["requirement_id"]
    entry = next(item for item in chat_conformance_report["requirements"] if item["id"] == requirement_id)
    if entry["status"] == "errored":
        detail = entry.get("error", {}).get("traceback", "")
        text = f"{requirement_id} could not be judged: {entry['reason']}"
        raise NotJudged(text + (f"\n\n{detail}" if detail else ""))
    return entry
