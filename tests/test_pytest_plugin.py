"""The pytest plugin: a rule the suite could not judge is a pytest error; a rule --chat-expect lists is an xfail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conformance.server import create_app, faults
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS


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


def _pytest(base_url: str, expect: Path) -> subprocess.CompletedProcess[str]:
    tokens = [arg for role, token in DEFAULT_TOKENS.items() for arg in (f"--chat-{role}-token", token)]
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "--pyargs", "conformance", "-q", "-p", "no:cacheprovider", "-rxX",
            "--chat-base-url", base_url, *tokens, "--chat-max-examples", "2", "--chat-expect", str(expect),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip


EXPECT_BILLING = '[expected.BILLING-OWNER-ONLY]\nreason = "admins get the owner\'s view"\n'


def test_a_rule_the_expectations_file_lists_is_an_xfail(tmp_path: Path) -> None:
    expect = tmp_path / "expect.toml"
    expect.write_text(EXPECT_BILLING)
    with BackgroundServer(faults.AdminSeesBilling()) as server:
        out = _pytest(server.url, expect)
    assert out.returncode == 0, out.stdout[-2000:]
    assert "1 xfailed" in out.stdout and "admins get the owner's view" in out.stdout


def test_a_listed_rule_that_passes_is_a_strict_xpass_failure(tmp_path: Path) -> None:
    expect = tmp_path / "expect.toml"
    expect.write_text(EXPECT_BILLING)
    with BackgroundServer(create_app()) as server:
        out = _pytest(server.url, expect)
    assert out.returncode == 1, out.stdout[-2000:]
    assert "XPASS(strict)" in out.stdout and "BILLING-OWNER-ONLY" in out.stdout


def test_a_bad_expectations_file_stops_pytest_with_a_usage_error(tmp_path: Path) -> None:
    expect = tmp_path / "expect.toml"
    expect.write_text('[expected.NOT-A-RULE]\nreason = "x"\n')
    out = _pytest("http://127.0.0.1:9", expect)
    assert out.returncode == 4 and "no requirement has this ID" in out.stderr
