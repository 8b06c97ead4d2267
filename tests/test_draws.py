"""conformance.draws: examples kept by a recording come back equal, with the replaying run's tokens."""

from __future__ import annotations

import json

import pytest

from conformance.draws import Draws
from conformance.exchange import Credential
from conformance.generation import GeneratedRequest

RECORDED_TOKENS = {"owner": "live-owner-token-1234", "admin": "live-admin-token-5678"}
REPLAYED_TOKENS = {"owner": "replayed-owner-token", "admin": "replayed-admin-token"}


def _kept(*examples: object) -> Draws:
    draws = Draws(RECORDED_TOKENS)
    recorder = draws.recorder()
    for example in examples:
        recorder.saw(example)
    draws.keep("RULE/0", recorder)
    return draws


@pytest.mark.parametrize(
    "example",
    [
        None,
        {"billing": {"city": "Paris", "cycle": 12}},
        ("owner", b'{"billing": {}}', "application/json"),
        [("admin", b"\xff\xfe", "text/plain")],
        GeneratedRequest("PUT", "negative", b'{"billing": 1}', "application/json"),
        GeneratedRequest("GET", "positive", None, None),
        {"cycle": 2**70, "ratio": float("inf"), "text": "\x00\u202e\U0001f600"},
    ],
)
def test_an_example_comes_back_equal(example: object) -> None:
    kept = json.loads(json.dumps(_kept(example).kept))  # as a cassette stores it
    assert Draws(RECORDED_TOKENS, kept).given("RULE/0") == [example]


def test_a_token_is_kept_as_its_role_and_given_back_as_the_replaying_runs_token() -> None:
    example = (GeneratedRequest("GET", "positive", None, None), Credential("malformed", "Basic live-owner-token-1234"))
    stored = json.dumps(_kept(example).kept)
    assert "live-owner-token-1234" not in stored
    given = Draws(REPLAYED_TOKENS, json.loads(stored)).given("RULE/0")
    assert given == [(example[0], Credential("malformed", "Basic replayed-owner-token"))]


def test_a_generated_token_that_is_no_role_is_kept_as_it_is() -> None:
    credential = Credential("unknown", "Bearer abc-not-a-role")
    assert Draws(REPLAYED_TOKENS, _kept(credential).kept).given("RULE/0") == [credential]


def test_an_example_of_another_type_leaves_the_property_to_be_drawn_again() -> None:
    draws = _kept({"billing": {}}, object())
    assert draws.given("RULE/0") is None
    # Only that property: another, kept beside it, still comes back.
    other = draws.recorder()
    other.saw({"billing": {"city": "Paris"}})
    draws.keep("OTHER/0", other)
    kept = json.loads(json.dumps(draws.kept))  # as a cassette stores it
    assert Draws(RECORDED_TOKENS, kept).given("OTHER/0") == [{"billing": {"city": "Paris"}}]
