"""ROBUST-HTTP judges what the transport recorded: incomplete answers, and JSON bodies that are not JSON."""

import pytest
from conftest import context, exchange

from conformance.checks.http import well_formed_http
from conformance.exchange import NO_RESPONSE, Credential, Exchange, ReceivedResponse, SentRequest
from conformance.failures import Violation


def _received(status: int, content: bytes, content_type: str | None = "application/json") -> Exchange:
    headers = {} if content_type is None else {"content-type": content_type}
    response = ReceivedResponse(status, headers, content.decode("utf-8", "replace"), content)
    return Exchange(Credential("owner", "Bearer x"), SentRequest("GET", "http://t/api/v2/chat/account", {}), response)


def test_a_complete_json_answer_passes() -> None:
    assert well_formed_http(exchange(200, {"account_key": "k"}), context()) is True


@pytest.mark.parametrize(
    "problem",
    ["the connection was dropped before a response", "no answer within the timeout (10 s)"],
)
def test_an_answer_that_never_came_fails_with_what_happened(problem: str) -> None:
    broken = Exchange(
        Credential("owner", "Bearer x"),
        SentRequest("PUT", "http://t/api/v2/chat/account", {}, "{}"),
        ReceivedResponse(NO_RESPONSE, {}, ""),
        problem,
    )
    with pytest.raises(Violation) as caught:
        well_formed_http(broken, context())
    assert caught.value.failure.actual == problem
    assert "response" not in caught.value.failure.to_dict()  # nothing came back to show
    assert caught.value.failure.to_dict()["curl"].startswith("curl -X PUT")


@pytest.mark.parametrize(
    ("content", "content_type", "why"),
    [
        (b'{"account_key": ', "application/json", "not valid JSON"),
        (b"", "application/json", "empty"),
        (b'{"a": "\xff\xfe"}', "application/json; charset=utf-8", "not valid utf-8"),
        (b'{"a": NaN}', "application/json", "not valid JSON"),
        (b"[1, -Infinity]", "application/json", "not valid JSON"),  # Python itself reads both as numbers
        (b"{}", "application/json; charset=klingon", "not a known character encoding"),
        (b"<html></html>", "application/problem+json", "not valid JSON"),
    ],
)
def test_a_body_declared_json_must_be_json_in_its_charset(content: bytes, content_type: str, why: str) -> None:
    with pytest.raises(Violation, match="not JSON in its declared charset") as caught:
        well_formed_http(_received(200, content, content_type), context())
    assert why in (caught.value.failure.actual or "")


@pytest.mark.parametrize(
    ("status", "content", "content_type"),
    [
        (200, '{"city": "Zürich"}'.encode("latin-1"), "application/json; charset=ISO-8859-1"),
        (200, b'{"a": 1}', "Application/JSON; Charset=UTF-8"),
        (500, b"<h1>Oops</h1>", "text/html"),  # not declared JSON: ROBUST-NO-5XX's business, not this rule's
        (204, b"", "application/json"),  # no body, whatever the headers say
        (200, b"[" * 100_000 + b"]" * 100_000, "application/json"),  # deeper than Python parses, still JSON
        (401, b'{"error": "x"}', None),
        (200, b'{"a": "NaN", "b": "-Infinity"}', "application/json"),
    ],
)
def test_other_answers_are_well_formed(status: int, content: bytes, content_type: str | None) -> None:
    assert well_formed_http(_received(status, content, content_type), context()) is True
