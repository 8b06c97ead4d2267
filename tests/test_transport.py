"""The transport paces, waits out 429s, decodes once, redacts secrets, and records answers that never came."""

from __future__ import annotations

import gzip
import zlib

import brotli
import httpx
import pytest
import zstandard

from conformance.exchange import REDACTED, Credential
from conformance.failures import Failure
from conformance.transport import NoResponse, Pacer, Redactor, Target, TargetGone, retry_after_seconds


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


def test_a_429_without_retry_after_backs_off_and_a_long_wait_ends_the_run() -> None:
    sleeps: list[float] = []
    answers = iter([httpx.Response(429), httpx.Response(429), httpx.Response(200)])
    assert _target(lambda request: next(answers), sleeps).get(Credential("none")).status == 200
    assert sleeps == [0.5, 1.0]
    with pytest.raises(TargetGone, match="rate limiting"):
        _target(lambda request: httpx.Response(429, headers={"Retry-After": "3600"})).get(Credential("none"))


def test_a_target_that_answers_nothing_is_gone_after_two_probes_and_stays_so() -> None:
    calls = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append((request.method, request.headers.get("authorization")))
        raise httpx.ConnectError("connection refused")

    target = _target(refuse)
    seen = []
    target.listeners.append(seen.append)
    for _ in range(2):
        with pytest.raises(TargetGone, match="connection refused"):
            target.put({}, target.as_role("owner"))
    # The request, then two probes that change nothing and carry no token; then nothing more.
    assert calls == [("PUT", "Bearer tok-123"), ("GET", None), ("GET", None)]
    assert seen == []  # nothing to judge: the run ends with its rules errored, not failed


def test_one_dropped_answer_is_recorded_and_the_run_goes_on() -> None:
    answers = iter([httpx.RemoteProtocolError("Server disconnected"), httpx.Response(401), httpx.Response(200)])

    def handler(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    target = _target(handler)
    seen = []
    target.listeners.append(seen.append)
    with pytest.raises(NoResponse) as caught:
        target.get(target.as_role("owner"))
    assert caught.value.exchange.status == 0 and "Server disconnected" in (caught.value.exchange.problem or "")
    assert target.get(target.as_role("owner")).status == 200  # the probe got 401: the target still answers
    assert [exchange.status for exchange in seen] == [401, 0, 200]  # the probe, the dropped answer, the next


def test_a_body_that_does_not_decode_as_its_content_encoding_is_a_broken_answer() -> None:
    # A stream, as a real transport gives: httpx would decode `content=` while building the response.
    plain = lambda request: httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=httpx.ByteStream(b"{}"))  # noqa: E731
    with pytest.raises(NoResponse) as caught:
        _target(plain).get(Credential("none"))
    exchange = caught.value.exchange
    assert exchange.status == 200 and "Content-Encoding gzip" in (exchange.problem or "")


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("br", brotli.compress),
        ("zstd", lambda data: zstandard.ZstdCompressor().compress(data)),
    ],
)
def test_every_content_coding_a_client_asks_for_is_decoded_once(coding: str, encode) -> None:  # type: ignore[no-untyped-def]
    body = b'{"account_key": "k", "note": "gzip inside"}'
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers["accept-encoding"])
        headers = {"Content-Encoding": coding, "Content-Type": "application/json"}
        return httpx.Response(200, headers=headers, content=encode(body))

    exchange = _target(handler).get(Credential("none"))
    assert exchange.response.content == body and exchange.response.json == {"account_key": "k", "note": "gzip inside"}
    assert set(asked[0].replace(" ", "").split(",")) >= {"gzip", "deflate", "br", "zstd"}


def test_tokens_never_reach_a_report_but_checks_see_what_came_back() -> None:
    echo = lambda request: httpx.Response(401, text=f"bad token {request.headers['authorization']}")  # noqa: E731
    exchange = _target(echo).get(Credential("owner", "Bearer tok-123"))
    assert exchange.request.headers["Authorization"] == "Bearer ***"
    assert "tok-123" in exchange.response.body  # AUTH-NO-LEAK and the others judge the real answer
    shown = str(Failure("echoed tok-123", actual=exchange.response.body, exchange=exchange).to_dict())
    assert "tok-123" not in shown and "tok-123" not in exchange.request.curl()


def test_a_short_placeholder_token_is_masked_where_it_stands_alone_not_inside_words() -> None:
    target = Target("http://t.example", {"owner": "a"}, transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert target.redact("Bearer a sent a value") == "Bearer *** sent *** value"
    assert target.redact("account_key") == "account_key"


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


def test_an_interrupt_heard_is_raised_at_the_next_request_once() -> None:
    # Python loses a KeyboardInterrupt raised inside a garbage-collector callback; the run asks again.
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.method)
        return httpx.Response(200, json={})

    target = _target(answer, interrupted=lambda: True)
    with pytest.raises(KeyboardInterrupt):
        target.get(Credential("none"))
    assert sent == []  # raised before sending
    assert target.get(Credential("none")).status == 200  # once: what puts the account back goes through
    asked: list[bool] = []
    target = _target(lambda request: httpx.Response(200, json={}), interrupted=lambda: asked.append(True) or False)
    target.try_again(None)  # restoring: an interrupt has been heard already
    target.get(Credential("none"))
    assert asked == []


def test_putting_the_account_back_goes_through_a_new_connection_pool() -> None:
    # An interrupt raised inside httpcore may leave its pool's lock held: the restore must not wait on it.
    class Wedged:
        def build_request(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("the restore went through the interrupted connection pool")

    target = _target(lambda request: httpx.Response(200, json={}))
    target._client = Wedged()  # type: ignore[assignment]
    target.try_again(None)
    assert target.get(Credential("none")).status == 200


def test_a_rate_per_minute_is_spread_over_the_minute() -> None:
    assert Pacer.parse("30/m").interval == pytest.approx(2.0)  # one request every 2 s, not none at all
    assert Pacer.parse("90/m").interval == pytest.approx(60 / 90)
    assert Pacer.parse("4/s").interval == pytest.approx(0.25)


def test_a_secret_of_eight_characters_is_redacted_even_inside_other_text() -> None:
    assert Redactor(["abcd1234"])("key=xabcd1234y") == f"key=x{REDACTED}y"
    assert Redactor(["abc1234"])("key=xabc1234y") == "key=xabc1234y"  # shorter: only where it stands alone
    assert Redactor(["abc1234"])("Bearer abc1234") == f"Bearer {REDACTED}"


def test_an_error_the_target_explains_ends_the_run_naming_the_request_and_its_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise LookupError("no recorded answer")

    def explain(error: Exception) -> str | None:
        return "not in cassette" if isinstance(error, LookupError) else None

    with pytest.raises(TargetGone) as put:
        _target(handler, explain=explain).put({"billing": {"city": "Aarhus"}}, Credential("owner", "Bearer tok-123"))
    assert str(put.value) == (
        'PUT http://t.example/api/v2/chat/account as owner with body {"billing": {"city": "Aarhus"}}: not in cassette'
    )
    with pytest.raises(TargetGone) as get:
        _target(handler, explain=explain).get(Credential("owner", "Bearer tok-123"))
    assert str(get.value) == "GET http://t.example/api/v2/chat/account as owner: not in cassette"
