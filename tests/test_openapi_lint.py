"""The description is clean under the linters API teams run: Spectral (spectral:oas) and Redocly (recommended).

Both are pinned by `openapi/lint/package-lock.json` and installed from it on first use (`npm ci`,
once, under a file lock, so that pytest-xdist workers do not install twice). Any problem, a warning
included, fails: a description that makes the team's own linter complain is one they stop reading.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from filelock import FileLock

LINT = Path(__file__).resolve().parent.parent / "openapi" / "lint"
DESCRIPTION = LINT.parent / "chat-accounts.yaml"
# Nothing leaves the machine: Redocly otherwise sends usage data and looks for a newer release.
QUIET = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}


@pytest.fixture(scope="module")
def linters() -> Path:
    """The folder whose node_modules holds both linters, installed from the lock file if they are not."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("the linters need Node.js and npm (Node 20 or newer): apt-get install nodejs npm")
    with FileLock(str(LINT / ".install.lock")):
        if not (LINT / "node_modules" / ".package-lock.json").exists():
            done = subprocess.run(
                ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=LINT,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, f"npm ci in {LINT} failed:\n{done.stderr[-2000:]}"
    return LINT / "node_modules" / ".bin"


def test_spectral_oas_finds_nothing(linters: Path, tmp_path: Path) -> None:
    report = tmp_path / "spectral.json"
    command = [str(linters / "spectral"), "lint", "--ruleset", ".spectral.yaml", "--format", "json"]
    done = subprocess.run(
        [*command, "--output", str(report), "--fail-severity", "hint", str(DESCRIPTION)],
        cwd=LINT,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    problems = json.loads(report.read_text()) if report.exists() else None
    assert problems == [], f"spectral: {problems or done.stdout + done.stderr}"
    assert done.returncode == 0, done.stdout + done.stderr


def test_redocly_recommended_finds_nothing(linters: Path) -> None:
    done = subprocess.run(
        [str(linters / "redocly"), "lint", "--config", "redocly.yaml", "--format", "json", str(DESCRIPTION)],
        cwd=LINT,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout[done.stdout.index("{") :]) if "{" in done.stdout else {}
    found = [f"{problem['ruleId']}: {problem['message']}" for problem in report.get("problems", [])]
    assert report.get("totals") == {"errors": 0, "warnings": 0, "ignored": 0}, found or done.stderr[-2000:]
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_warning_fails_the_lint(linters: Path, tmp_path: Path) -> None:
    """The test above can fail: the same linters, given the description without its license, complain."""
    broken = tmp_path / "chat-accounts.yaml"
    broken.write_text(DESCRIPTION.read_text().replace("  license:\n    name: MIT\n    identifier: MIT\n", ""))
    done = subprocess.run(
        [str(linters / "redocly"), "lint", "--config", "redocly.yaml", "--format", "json", str(broken)],
        cwd=LINT,
        env=QUIET,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout[done.stdout.index("{") :])
    assert [problem["ruleId"] for problem in report["problems"]] == ["info-license"]
