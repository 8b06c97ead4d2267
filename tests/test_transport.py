"""The transport paces, waits out 429s, redacts secrets and turns network trouble into Unreachable."""

from __future__ import annotations

import httpx
import pytest

from conformance.exchange import Credential
from conformance.transport import Pacer, Target, Unreachable, retry_after_seconds


def _target(handler, sleeps: list[float] | None = None, **kwargs) -> Target:  # type: ignore[no-untyped-def]
    record = sleeps if sleeps is not None else []
    return Target(
        "http://t.example", {"owner": "tok-123"}, transport=httpx.MockTransport(handler), sleep=record.append, **kwargs
    )


def test_429s_are_waited_out_as_retry_after_says() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={})])
    sleeps: list[float] = []
    target = _target(lambda request: next(answers), sleeps)
    seen = []
    target.listeners.append(seen.append)
    assert target.get(target.as_role("owner")).status == 200
    assert sleeps == [2.0] and [e.status for e in seen] == [429, 200] and target.requests == 2


def test_a_429_without_retry_after_backs_off_and_a_long_wait_gives_up() -> None:
    sleeps: list[float] = []
    answers = iter([httpx.Response(429), httpx.Response(429), httpx.Response(200)])
    assert _target(lambda request: next(answers), sleeps).get(Credential("none")).status == 200
    assert sleeps == [0.5, 1.0]
    with pytest.raises(Unreachable, match="rate limiting"):
        _target(lambda request: httpx.Response(429, headers={"Retry-After": "3600"})).get(Credential("none"))


def test_network_errors_become_unreachable_and_stay_so() -> None:
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ConnectError("connection refused")

    target = _target(refuse)
    for _ in range(2):
        with pytest.raises(Unreachable, match="connection refused"):
            target.get(Credential("none"))
    assert len(calls) == 1


def test_tokens_are_redacted_everywhere_in_the_record() -> None:
    echo = lambda request: httpx.Response(401, text=f"bad token {request.headers['authorization']}")  # noqa: E731
    exchange = _target(echo).get(Credential("owner", "Bearer tok-123"))
    assert exchange.request.headers["Authorization"] == "Bearer ***"
    assert "tok-123" not in exchange.response.body and "tok-123" not in exchange.request.curl()


def test_the_pacer_spaces_requests() -> None:
    now = [0.0]
    pacer = Pacer.parse("2/s")
    pacer._clock = lambda: now[0]
    assert [pacer.delay(), pacer.delay(), pacer.delay()] == [0.0, 0.5, 1.0]
    assert Pacer.parse("120/m").interval == 0.5
    with pytest.raises(ValueError):
        Pacer.parse("fast")


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:10 GMT", now=0) == 10.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
