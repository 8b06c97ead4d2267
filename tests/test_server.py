"""The reference server does what the docs and the catalog say, and keeps its account safe."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest
from servers import A, auth, client

from conformance.server import ServerSettings
from conformance.server.settings import SettingsError, apply_fixture, apply_state
from conformance.server.store import DEFAULT_ACCOUNT, AccountStore


def test_get_needs_a_valid_bearer_token() -> None:
    with client() as c:
        for headers in (
            {},
            {"Authorization": "Bearer nope"},
            {"Authorization": "Basic abc"},
            {"Authorization": "Bearer"},
        ):
            response = c.get(A, headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.json()["error"] == "Unauthorized"


def test_billing_is_shown_to_the_owner_only_and_agents_are_refused() -> None:
    with client() as c:
        assert c.get(A, headers=auth("owner")).json() == DEFAULT_ACCOUNT
        admin_view = c.get(A, headers=auth("admin")).json()
        assert "billing" not in admin_view and admin_view["plan"] == DEFAULT_ACCOUNT["plan"]
        assert c.get(A, headers=auth("agent")).status_code == 403


def test_an_owner_update_merges_billing_and_ignores_read_only_fields() -> None:
    with client() as c:
        body = {"billing": {"first_name": "John"}, "status": "deleted", "plan": {"max_agents": 99}}
        response = c.put(A, headers=auth("owner"), json=body)
        assert response.status_code == 200
        account = response.json()
        assert account["billing"] == {**DEFAULT_ACCOUNT["billing"], "first_name": "John"}
        assert account["status"] == "active" and account["plan"] == DEFAULT_ACCOUNT["plan"]
        assert c.get(A, headers=auth("owner")).json() == account


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_only_the_owner_may_update(role: str) -> None:
    with client() as c:
        assert c.put(A, headers=auth(role), json={"billing": {"city": "X"}}).status_code == 403
        assert c.get(A, headers=auth("owner")).json() == DEFAULT_ACCOUNT


def test_a_support_created_account_refuses_every_put() -> None:
    with client(ServerSettings(support_created=True)) as c:
        response = c.put(A, headers=auth("owner"), json={"billing": {"city": "X"}})
        assert response.status_code == 403 and "Support" in response.json()["description"]
        assert c.get(A, headers=auth("owner")).status_code == 200


def test_bad_bodies_get_415_400_or_422_naming_the_field() -> None:
    with client() as c:
        owner = auth("owner")
        assert c.put(A, headers={**owner, "Content-Type": "text/plain"}, content=b"{}").status_code == 415
        bad = c.put(A, headers={**owner, "Content-Type": "application/json"}, content=b"{billing")
        assert bad.status_code == 400 and bad.json()["error"] == "BadRequest"
        nan = c.put(A, headers={**owner, "Content-Type": "application/json"}, content=b'{"billing": {"cycle": NaN}}')
        assert nan.status_code == 400
        invalid = c.put(A, headers=owner, json={"billing": {"cycle": "monthly"}})
        assert invalid.status_code == 422 and "billing.cycle" in invalid.json()["details"]
        wrapped = c.put(A, headers=owner, json={"account": {"billing": {"first_name": "J"}}})
        assert wrapped.status_code == 422 and "top level" in wrapped.json()["description"]
        assert c.get(A, headers=owner).json() == DEFAULT_ACCOUNT


def test_other_methods_get_405_with_allow_and_other_paths_404() -> None:
    with client() as c:
        for method in ("POST", "PATCH", "DELETE"):
            response = c.request(method, A, headers=auth("owner"))
            assert response.status_code == 405 and response.headers["allow"] == "GET, PUT"
            assert response.json()["error"] == "MethodNotAllowed"
        missing = c.get("/api/v2/chat/accounts", headers=auth("owner"))
        assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/json")


def test_concurrent_updates_are_never_lost() -> None:
    store = AccountStore(json.loads(json.dumps(DEFAULT_ACCOUNT)))
    fields = [f"field_{n}" for n in range(200)]

    # Released together: started one after another, the threads would hardly overlap, and a store
    # without its lock would lose nothing.
    # And switched between often: an update takes less than the interpreter's default 5 ms slice,
    # so each would otherwise run to its end before the next thread is given a turn.
    start = threading.Barrier(len(fields))

    def update(name: str) -> None:
        start.wait(timeout=30)
        store.update_billing({name: name})

    threads = [threading.Thread(target=update, args=(name,)) for name in fields]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    billing = store.account()["billing"]
    lost = [name for name in fields if billing.get(name) != name]
    assert not lost, f"{len(lost)} of {len(fields)} updates lost"


def test_the_state_file_keeps_the_account_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    settings = ServerSettings()
    apply_state(settings, state)
    with client(settings) as c:
        c.put(A, headers=auth("owner"), json={"billing": {"city": "Kept"}})
    assert json.loads(state.read_text())["billing"]["city"] == "Kept"
    again = ServerSettings()
    apply_state(again, state)
    with client(again) as c:
        assert c.get(A, headers=auth("owner")).json()["billing"]["city"] == "Kept"
    assert list(tmp_path.iterdir()) == [state]  # no temporary file left behind


def test_a_fixture_sets_tokens_and_account(tmp_path: Path) -> None:
    fixture = tmp_path / "fixture.json"
    fixture.write_text(json.dumps({"tokens": {"owner": "o-123"}, "account": {"status": "trial"}}))
    settings = ServerSettings()
    apply_fixture(settings, fixture)
    with client(settings) as c:
        response = c.get(A, headers={"Authorization": "Bearer o-123"})
        assert response.json()["status"] == "trial"
        assert response.json()["account_key"] == DEFAULT_ACCOUNT["account_key"]
        assert c.get(A, headers=auth("admin")).status_code == 200


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"account": {"create_date": "yesterday"}}', "create_date"),
        ('{"account": {"plan": {"max_agents": -2}}}', "max_agents"),
        ('{"tokens": {"owner": "same", "admin": "same"}}', "differ"),
        ('{"colour": "blue"}', "unknown keys"),
    ],
)
def test_a_bad_fixture_is_refused_with_a_message_naming_the_problem(tmp_path: Path, content: str, message: str) -> None:
    fixture = tmp_path / "fixture.json"
    fixture.write_text(content)
    with pytest.raises(SettingsError, match=message):
        apply_fixture(ServerSettings(), fixture)


def test_the_rate_limit_answers_429_with_retry_after() -> None:
    with client(ServerSettings(rate_limit_per_minute=3)) as c:
        statuses = [c.get(A, headers=auth("owner")) for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert int(statuses[-1].headers["retry-after"]) >= 1
        assert statuses[0].headers["x-rate-limit"] == "3"
        assert statuses[-1].json()["error"] == "TooManyRequests"


def test_head_is_served_like_get() -> None:
    with client() as c:
        response = c.head(A, headers=auth("owner"))
        assert response.status_code == 200 and response.content == b""


def test_a_body_nested_100_000_deep_is_refused_with_400_and_no_ignored_exception(
    collector_everywhere: list[str],
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with client() as c:
        response = c.put(A, headers={**auth("owner"), "Content-Type": "application/json"}, content=deep)
    assert response.status_code == 400 and "nested more than" in response.json()["description"]
    assert collector_everywhere == []


def test_a_client_gone_before_its_body_arrived_is_no_server_error() -> None:
    import asyncio

    from conformance.server import create_app

    headers = [(name.lower().encode(), value.encode()) for name, value in auth("owner").items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": A,
        "raw_path": A.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    part = {"type": "http.request", "body": b'{"billing": {"ci', "more_body": True}
    arriving = iter([part, {"type": "http.disconnect"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(arriving)

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(create_app()(scope, receive, send))  # raised ClientDisconnect before
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 400
