"""The `chat_server` fixture: a reference server for a client's tests, fresh for every test."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from conformance.server.store import DEFAULT_ACCOUNT


def _get(server: Any, role: str) -> httpx.Response:
    return httpx.get(server.account_url, headers={"Authorization": f"Bearer {server.tokens[role]}"})


def _put(server: Any, role: str, body: object) -> httpx.Response:
    return httpx.put(server.account_url, headers={"Authorization": f"Bearer {server.tokens[role]}"}, json=body)


# Each of these two changes the account; each starts from the default, whatever ran before it.
@pytest.mark.parametrize("city", ["Aarhus", "Odense"])
def test_every_test_starts_from_the_default_account(chat_server: Any, city: str) -> None:
    assert chat_server.account == DEFAULT_ACCOUNT
    assert _put(chat_server, "owner", {"billing": {"city": city}}).status_code == 200
    assert chat_server.account["billing"]["city"] == city


def test_the_account_can_be_set_and_is_checked(chat_server: Any) -> None:
    chat_server.account = {**DEFAULT_ACCOUNT, "status": "trial"}
    assert _get(chat_server, "admin").json()["status"] == "trial"
    with pytest.raises(ValueError, match="not a valid Account"):
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


def test_after_a_fault_the_next_test_gets_the_faithful_server(chat_server: Any) -> None:
    chat_server.fault("admin-sees-billing")
    chat_server.reset()  # what the fixture does before every test
    assert "billing" not in _get(chat_server, "admin").json()


def test_latency_and_failures_on_purpose(chat_server: Any) -> None:
    chat_server.slow(latency_ms=100, error_rate=1.0)
    started = time.perf_counter()
    assert _get(chat_server, "owner").status_code == 503
    assert time.perf_counter() - started >= 0.1


def test_zenpy_reads_and_updates_the_account(chat_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    zenpy = pytest.importorskip("zenpy")
    monkeypatch.setenv("ZENPY_FORCE_NETLOC", chat_server.url.removeprefix("http://"))
    monkeypatch.setenv("ZENPY_FORCE_SCHEME", "http")
    client = zenpy.Zenpy(subdomain="example", oauth_token=chat_server.tokens["owner"])
    account = client.chats.accounts()
    assert account.plan.name == DEFAULT_ACCOUNT["plan"]["name"]
    assert account.billing.email == DEFAULT_ACCOUNT["billing"]["email"]
    chat_server.fault("owner-cannot-update")  # what does the client do with a 403?
    with pytest.raises(Exception, match="Only the account owner may update the account"):
        client.chats.accounts.update(account)
