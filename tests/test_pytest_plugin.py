"""The pytest plugin shows a rule the suite could not judge as a pytest error, never as a pass or failure."""

from __future__ import annotations

import subprocess
import sys


def test_an_unreachable_target_makes_its_rules_pytest_errors() -> None:
    out = subprocess.run(
        [
            sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", "-p", "no:cacheprovider",
            "--chat-base-url", "http://127.0.0.1:9", "--chat-owner-token", "plugin-owner-token", "--chat-timeout", "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert out.returncode == 1, out.stdout[-2000:]
    summary = out.stdout.strip().splitlines()[-1]
    assert " errors" in summary and "passed" not in summary and "failed" not in summary, summary
    assert "could not be judged: the target could not be reached" in out.stdout
    assert "plugin-owner-token" not in out.stdout
