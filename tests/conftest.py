from __future__ import annotations

from typing import Any

import pytest

from conformance.context import Options
from conformance.results import RunResult, Status
from conformance.runner import RunConfig, run
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

SEED = 20261125


def run_suite(app: Any, **options: Any) -> RunResult:
    """The whole suite against `app`, served on a loopback port, with every role's token."""
    options = {"max_examples": 10, "seed": SEED, **options}
    with BackgroundServer(app) as server:
        return run(RunConfig(base_url=server.url, tokens=DEFAULT_TOKENS, options=Options(**options)))


def failed(result: RunResult) -> set[str]:
    return {entry.requirement.id for entry in result.requirements if entry.status is Status.FAILED}


@pytest.fixture(autouse=True)
def _in_tmp_cwd(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run that cannot restore an account writes a backup file into the working folder.
    monkeypatch.chdir(tmp_path)
