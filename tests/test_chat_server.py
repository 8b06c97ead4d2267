"""The `chat_server` fixture: a reference server for a client's tests, fresh for every test."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from conformance.server.store import DEFAULT_ACCOUNT


def _get(server: Any, role: str) -> httpx.Response:
    return httpx.get(server.account_url, headers={"Authorization": f"Bearer {server.tokens[role]}"})


def _put(server: Any, role: str, body: object) -> httpx.Response:
    return httpx.put(server.account_url, headers={"Authorization": f"Bearer {server.tokens[role]}"}, json=body)


# Two tests run in this order in one session: the first changes everything it can, the second
# asserts that it starts from nothing of it. Run in a pytest of their own, so that no other test
# and no xdist worker stands between them.
IN_ORDER = """
import httpx
from conformance.server.store import DEFAULT_ACCOUNT


def test_first_changes_everything(chat_server):
    chat_server.fault("admin-sees-billing")
    chat_server.support_created = True
    chat_server.account = {**DEFAULT_ACCOUNT, "status": "trial"}
    pytest_url.append(chat_server.url)


def test_second_starts_afresh(chat_server):
    assert chat_server.url == pytest_url[0]  # the same server: one per session
    assert chat_server.account == DEFAULT_ACCOUNT and not chat_server.support_created
    admin = {"Authorization": "Bearer " + chat_server.tokens["admin"]}
    assert "billing" not in httpx.get(chat_server.account_url, headers=admin).json()


pytest_url = []
"""


def test_every_test_gets_a_fresh_account_and_no_fault_from_one_server(tmp_path: Path) -> None:
    (tmp_path / "test_in_order.py").write_text(IN_ORDER)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", str(tmp_path)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert out.returncode == 0 and "2 passed" in out.stdout, out.stdout[-2000:]


def test_the_account_can_be_set_and_is_checked(chat_server: Any) -> None:
    chat_server.account = {**DEFAULT_ACCOUNT, "status": "trial"}
    assert _get(chat_server, "admin").json()["status"] == "trial"
    with pytest.raises(ValueError, match="breaks the Account schema"):
        chat_server.account = {"create_date": "yesterday"}


def test_a_support_created_account_refuses_puts(chat_server: Any) -> None:
    chat_server.support_created = True
    assert _put(chat_server, "owner", {"billing": {}}).status_code == 403


def test_a_fault_is_played_until_the_next_test(chat_server: Any) -> None:
    chat_server.fault("admin-sees-billing")
    assert "billing" in _get(chat_server, "admin").json()
    with pytest.raises(ValueError, match="no fault is called"):
        chat_server.fault("no-such-fault")
    assert "billing" in _get(chat_server, "admin").json()  # an unknown name changes nothing


def test_latency_and_failures_on_purpose(chat_server: Any) -> None:
    chat_server.slow(latency_ms=100, error_rate=1.0)
    started = time.perf_counter()
    assert _get(chat_server, "owner").status_code == 503
    assert time.perf_counter() - started >= 0.1


def test_zenpy_reads_the_account_and_is_told_why_its_updates_are_refused(
    chat_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    zenpy = pytest.importorskip("zenpy")
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", chat_server.url.removeprefix("http://"))
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    client = zenpy.Zenpy(subdomain="example", oauth_token=chat_server.tokens["owner"])
    account = client.chats.accounts()
    assert account.plan.name == DEFAULT_ACCOUNT["plan"]["name"]
    assert account.billing.email == DEFAULT_ACCOUNT["billing"]["email"]
    # zenpy sends {"account": {...}}; the docs put billing at the top level, and the answer says so.
    with pytest.raises(Exception, match="not inside"):
        client.chats.accounts.update(account)
    assert chat_server.account == DEFAULT_ACCOUNT
    chat_server.fault("owner-cannot-update")  # what does the client do with a 403?
    with pytest.raises(Exception, match="Only the account owner may update the account"):
        client.chats.accounts.update(account)
