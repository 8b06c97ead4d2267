"""The transport paces, waits out 429s, decodes once, redacts secrets, and records answers that never came."""

from __future__ import annotations

import codecs
import email.message
import gzip
import json
import zlib
from pathlib import Path

import brotli
import http_double
import httpx
import pytest
import zstandard
from conftest import SEED, TOKEN_ARGS
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import cli, transport
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
        def __getattr__(self, name: str) -> None:
            raise AssertionError("the restore went through the interrupted connection pool")

    target = _target(lambda request: httpx.Response(200, json={}))
    target._made_client = Wedged()  # type: ignore[assignment]
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


# --- keep-alive races (RFC 9112 §9.3.1.1) ------------------------------------------------------------------


def _report(url: str, tmp_path: Path, examples: int = 2) -> dict:
    report = tmp_path / "report.json"
    cli.main(["run", "--base-url", url, *TOKEN_ARGS, "--seed", str(SEED), "--max-examples", str(examples),
              "--timeout", "5", "--json", str(report)])  # fmt: skip
    return json.loads(report.read_text())


def _status(report: dict, requirement_id: str) -> str:
    return next(entry["status"] for entry in report["requirements"] if entry["id"] == requirement_id)


def test_a_keep_alive_connection_closed_as_the_next_request_arrives_is_not_the_targets_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    idle = http_double.EveryNthIdle(5)
    with http_double.serving(http_double.Style().play, closes_idle=idle) as url:
        report = _report(url, tmp_path)
    out = capsys.readouterr().out
    closed = idle.met
    assert closed > 10, "the double closed kept-alive connections under the suite's requests"
    assert _status(report, "ROBUST-HTTP") == "passed" and report["verdict"] == "pass"
    assert report["resent"] == closed  # each sent once more, on a new connection
    assert f"({closed} sent again: a keep-alive connection closed under them)" in " ".join(out.split())


def test_a_request_dropped_again_on_a_fresh_connection_is_the_targets_fault() -> None:
    # The double drops the 3rd answer and, when the suite sends that request once more on a new
    # connection, drops it again: a connection that was never reused has no race to excuse it.
    with http_double.serving(http_double.EveryNth("dropped before a response", n=3)) as url:
        target = Target(url, {"owner": "dev-owner-token"})
        owner = target.as_role("owner")
        assert target.get(owner).status == 200 and target.get(owner).status == 200
        with pytest.raises(NoResponse) as caught:
            target.get(owner)
        target.close()
    # Two answered, the dropped one and its resending (counted too), and the probe that found the target answering.
    assert target.resent == 1 and target.requests == 5
    assert caught.value.exchange.status == 0


def test_a_fresh_connection_dropped_is_not_sent_again() -> None:
    with http_double.serving(http_double.EveryNth("dropped before a response", n=1)) as url:
        target = Target(url, {"owner": "dev-owner-token"})
        with pytest.raises(TargetGone):  # nothing is ever answered: the probes get nothing either
            target.get(target.as_role("owner"))
        target.close()
    assert target.resent == 0


def test_an_answer_cut_short_on_a_kept_alive_connection_is_not_sent_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with http_double.serving(http_double.EveryNth("body shorter than Content-Length", n=7)) as url:
        report = _report(url, tmp_path)
    capsys.readouterr()
    assert _status(report, "ROBUST-HTTP") == "failed" and report["resent"] == 0


def test_httpcore_alone_does_not_mend_the_race() -> None:
    # What the suite adds: a bare httpx client meets the same double with a dropped request.
    idle = http_double.EveryNthIdle(1)  # every further request on a connection
    with http_double.serving(http_double.Style().play, closes_idle=idle) as url, httpx.Client() as client:
        client.get(url + "/api/v2/chat/account")
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            client.get(url + "/api/v2/chat/account")
    assert idle.met == 1


def test_a_cookie_the_target_sets_is_never_sent_back() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, headers={"Set-Cookie": "session=owner-session; Path=/"}, json={})

    target = Target("http://t.example", {"owner": "tok-123"}, transport=httpx.MockTransport(handler))
    target.get(target.as_role("owner"))
    target.get(Credential("none", None))  # "without credentials" must not carry the owner's session
    assert seen == [None, None]


@pytest.mark.parametrize("content", [None, b'{"billing": {}}'])
def test_a_transport_is_given_the_request_the_client_would_build(content: bytes | None) -> None:
    """Requests are built for the transport directly; headers, their order, URL, body and timeout stay httpx's."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    target = Target("http://t.example", {"owner": "tok-123"}, transport=httpx.MockTransport(handler), timeout=3.0)
    kind = None if content is None else "application/json"
    target.send("PUT", target.as_role("owner"), content=content, content_type=kind)
    headers = {"Authorization": "Bearer tok-123", **({"Content-Type": kind} if kind else {})}
    built = target._client.build_request("PUT", target.url, headers=headers, content=content)
    (sent,) = seen
    assert sent.headers.raw == built.headers.raw and sent.url == built.url and sent.content == built.content
    assert sent.extensions["timeout"] == built.extensions["timeout"] == httpx.Timeout(3.0).as_dict()


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        ("application/json; charset=latin-1", "é"),
        ('application/json; charset="ISO-8859-1"', "é"),
        ("application/json; charset=no-such-codec", "\ufffd"),
        ("application/json", "\ufffd"),
        (None, "\ufffd"),
    ],
)
def test_a_body_is_shown_in_its_declared_charset_as_httpx_reads_it(content_type: str | None, shown: str) -> None:
    body = b'{"city": "\xe9"}'
    answer = httpx.Response(200, headers={"Content-Type": content_type} if content_type else {}, content=body)
    exchange = _target(lambda request: answer).get(Credential("none", None))
    try:  # httpx's own reading of the charset, with the transport's fallback for one Python lacks
        codec = codecs.lookup(answer.charset_encoding or "utf-8").name
    except LookupError:
        codec = "utf-8"
    assert exchange.response.body == body.decode(codec, "replace") == '{"city": "' + shown + '"}'


# Charsets Python knows, in any letter case: drawn from the pattern alone, a charset is nearly
# always one Python does not know, which both readings take as UTF-8.
_KNOWN_CHARSETS = st.sampled_from(["utf-8", "latin-1", "ISO-8859-1", "utf-16", "cp1252", "ascii"]).flatmap(
    lambda name: st.sampled_from([name, name.upper(), name.title()])
)
_PLAIN_TYPES = st.from_regex(transport._PLAIN_CONTENT_TYPE, fullmatch=True) | st.builds(
    "{}/{}{};{}charset={}{}".format,
    *(st.from_regex(r"[\w.+-]+", fullmatch=True).filter(str.isascii) for _ in range(2)),
    st.sampled_from(["", " ", "\t"]),
    st.sampled_from(["", " "]),
    _KNOWN_CHARSETS,
    st.sampled_from(["", " "]),
)


@settings(max_examples=300, deadline=None)
@given(_PLAIN_TYPES)
def test_a_plain_content_type_is_read_as_the_email_package_reads_it(content_type: str) -> None:
    """The charset of the usual Content-Types is read without the email package, to the same value httpx reads."""
    message = email.message.Message()
    message["content-type"] = content_type
    charset = message.get_content_charset(failobj=None)
    try:
        by_email = codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        by_email = "utf-8"
    assert transport._codec(content_type) == by_email


@settings(max_examples=300, deadline=None)
@given(st.from_regex(transport._AS_HTTPX_WRITES, fullmatch=True))
def test_a_url_taken_as_written_is_one_httpx_writes_back_unchanged(url: str) -> None:
    """A replay compares the URL as written with the recorded one, which httpx wrote: they must agree."""
    try:
        written = str(httpx.URL(url))
    except httpx.InvalidURL:
        return  # refused before any run (`run --base-url` asks httpx first)
    assert written == url


@pytest.mark.parametrize(
    "base_url", ["http://A.example", "http://a:80", "https://a:443", "http://a:08", "http://a/.", "HTTP://a"]
)
def test_a_url_httpx_would_rewrite_is_given_to_httpx(base_url: str) -> None:
    target = Target(base_url, {}, wire=False)
    assert not transport._written_as_httpx_writes(target.url)
    assert target._url_text == str(httpx.URL(target.url)) != target.url
