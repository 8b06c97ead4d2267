"""Other people's tools agree with the reference server: schemathesis's own run, and a real client."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance import spec
from conformance.server import create_app
from conformance.server.embedded import BackgroundServer

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="the schemathesis command is not installed beside python")
def test_schemathesis_run_with_all_checks_finds_no_failure() -> None:
    with BackgroundServer(create_app()) as server:
        out = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                str(spec.spec_path()),
                "--url",
                server.url,
                "-H",
                "Authorization: Bearer dev-owner-token",
                "--checks",
                "all",
                "--max-examples",
                "30",
                "--seed",
                "1",
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert out.returncode == 0, out.stdout[-3000:]
    assert "No issues found" in out.stdout


def test_zenpy_reads_the_account_and_learns_why_its_update_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    zenpy = pytest.importorskip("zenpy")
    with BackgroundServer(create_app()) as server:
        monkeypatch.setenv("ZENPY_FORCE_NETLOC", server.url.removeprefix("http://"))
        monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
        client = zenpy.Zenpy(subdomain="example", oauth_token="dev-owner-token")
        account = client.chats.accounts()
        assert account.account_key == "zendesk-chat-account-key"
        assert account.billing.first_name == "Jonathan"
        account.billing.first_name = "Zen"
        # zenpy wraps the update as {"account": {...}}; the docs send billing at the top level.
        with pytest.raises(Exception, match="top level"):
            client.chats.accounts.update(account)
        assert client.chats.accounts().billing.first_name == "Jonathan"
