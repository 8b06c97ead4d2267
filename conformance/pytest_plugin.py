"""Run the suite from pytest: `pytest --pyargs conformance [--chat-base-url URL ...]`.

One test per requirement ID, so pytest's own reporting (`--junitxml`, `-k`, xdist) applies. The
suite runs once per session; under pytest-xdist one worker runs it (a file lock keeps a live
account from being written to by two runs at once) and the others read its JSON report.
"""

from __future__ import annotations

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


def _option(config: pytest.Config, name: str) -> Any:
    value = config.getoption(f"chat_{name}")
    return value if value is not None else os.environ.get(OPTIONS[name]) or None


def _run(config: pytest.Config) -> dict[str, Any]:
    from conformance import budget
    from conformance.context import Options
    from conformance.reports import json_report
    from conformance.runner import INTERRUPTED, RunConfig, new_seed, run

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
    run_config = RunConfig(
        base_url=_option(config, "base_url"),
        tokens=tokens,
        options=options,
        timeout=config.getoption("chat_timeout"),
        rate_share=config.getoption("chat_rate_share"),
    )
    result = run(run_config)
    if result.stopped == INTERRUPTED:
        raise KeyboardInterrupt  # the run kept the account safe; now let pytest stop as asked
    return json_report.to_dict(result)


@pytest.fixture(scope="session")
def chat_conformance_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The JSON report of one run of the suite, shared by every test of the session."""
    from filelock import FileLock

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:
        return _run(request.config)
    shared = tmp_path_factory.getbasetemp().parent / "chat-conformance-report.json"
    with FileLock(str(shared) + ".lock"):
        if not shared.exists():
            shared.write_text(json.dumps(_run(request.config)), encoding="utf-8")
        return json.loads(Path(shared).read_text(encoding="utf-8"))


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
