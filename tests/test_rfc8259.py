"""RFC 8259's grammar, recognised: what the suite may call "not JSON" when it asks a server to refuse it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance import rfc8259

# RFC 8259's own examples (§13), its scalars, and what the grammar allows that parsers warn about.
JSON_TEXTS = [
    '{"Image": {"Width": 800, "Height": 600, "Title": "View from 15th Floor", "Thumbnail": {"Url": '
    '"http://www.example.com/image/481989943", "Height": 125, "Width": 100}, "Animated" : false, "IDs": [116, 943]}}',
    '[{"precision": "zip", "Latitude": 37.7668, "Longitude": -122.3959, "Zip": "94107"}]',
    '"Hello world!"',
    "42",
    "true",
    "false",
    "null",
    "-0",
    "0.5e-10",
    "1E+2",
    "-1.0E2",
    " \t\r\n{} \t\r\n",
    "[]",
    "{}",
    '{"":""}',
    '{"a":1,"a":2}',
    "[[[[]]]]",
    '"\\ud800"',  # a lone surrogate escape: the grammar allows it (§8.2 says what may follow)
    '"\\u00e9\\"\\\\\\/\\b\\f\\n\\r\\t"',
    '"é \U0001f600 \u2028"',
    "1" + "0" * 400,
]
NOT_JSON_TEXTS = [
    "",
    " ",
    "NaN",
    "Infinity",
    "-Infinity",
    "undefined",
    "0x10",
    "+1",
    ".5",
    "1.",
    "01",
    "-01",
    "1e",
    "1e+",
    "-",
    "tru",
    "nulls",
    "True",
    "None",
    "'a'",
    '"\\x41"',
    '"\\i"',
    '"\\\'"',
    '"\\u12"',
    '"a\tb"',
    '"a\x00b"',
    '{"a":1,}',
    "[1,]",
    "[,]",
    "{,}",
    "[1,,2]",
    "{a:1}",
    "{'a':1}",
    '{"a" 1}',
    '{"a":}',
    '{"a":1 "b":2}',
    "[1 2]",
    "{} x",
    "null null",
    "{}{}",
    "[",
    "{",
    "]",
    "}",
    "// c\n{}",
    "/* c */{}",
    "{}/**/",
    "# c\n{}",
    "\u00a0{}",
    "{}\x0b",
    "\x0c[]",
    '"unterminated',
    "\u0661",  # an Arabic-Indic digit: DIGIT is ASCII
]


@pytest.mark.parametrize("text", JSON_TEXTS)
def test_the_grammar_takes_json_text(text: str) -> None:
    assert rfc8259.is_json_text(text)


@pytest.mark.parametrize("text", NOT_JSON_TEXTS)
def test_the_grammar_refuses_what_only_lenient_parsers_take(text: str) -> None:
    assert not rfc8259.is_json_text(text)


def test_nesting_is_recognised_at_any_depth_without_recursion() -> None:
    assert rfc8259.is_json_text("[" * 100_000 + "]" * 100_000)
    assert not rfc8259.is_json_text("[" * 100_000 + "]" * 99_999)
    assert rfc8259.is_json_text('{"a":' * 50_000 + "1" + "}" * 50_000)


def test_where_the_rfc_lets_a_server_choose_the_judge_says_nothing() -> None:
    assert rfc8259.judge(b"\xef\xbb\xbf{}") is None  # a leading byte order mark: ignored or refused (§8.1)
    assert rfc8259.judge(b'{"city": "\xff"}') is None  # not UTF-8: some decoders replace, some refuse
    assert rfc8259.judge(b"{}") is True and rfc8259.judge(b"{} x") is False


def _python_strict(text: str) -> bool:
    """Python's parser with NaN and Infinity refused: the one way it goes beyond the grammar closed."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    try:
        json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        return False
    return True


JSONISH = st.text(alphabet=" \t\n\r{}[]:,\"\\/-+.0123456789eEabfnrtux'NaIiy\x00\x0b\u00e9", max_size=24)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4)
DOCUMENTS = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
).map(json.dumps)


@settings(max_examples=1000, database=None, deadline=None)
@given(st.one_of(JSONISH, DOCUMENTS))
def test_the_grammar_agrees_with_an_independent_strict_parser(text: str) -> None:
    assert rfc8259.is_json_text(text) == _python_strict(text), text
