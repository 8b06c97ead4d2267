"""JSON from the wire is measured before it is parsed, so a deep body never takes the stack to its limit."""

from __future__ import annotations

import json

import pytest

from conformance import jsontext
from conformance.jsontext import MAX_DEPTH, NestedTooDeeply


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_document_at_the_limit_is_parsed_and_one_past_it_is_not() -> None:
    assert jsontext.loads(_nested(MAX_DEPTH)) == json.loads(_nested(MAX_DEPTH))
    with pytest.raises(NestedTooDeeply, match=f"more than {MAX_DEPTH} levels"):
        jsontext.loads(_nested(MAX_DEPTH + 1))
    objects = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    with pytest.raises(NestedTooDeeply):
        jsontext.loads(objects)


def test_a_deep_body_leaves_the_collector_stack_to_run_on(collector_everywhere: list[str]) -> None:
    with pytest.raises(NestedTooDeeply):
        jsontext.loads(_nested(100_000))
    assert collector_everywhere == []


def test_brackets_inside_strings_do_not_nest() -> None:
    brackets = "[{" * 1_000
    assert jsontext.loads(json.dumps({"city": brackets, "quote": '"[[' * 500})) == {
        "city": brackets,
        "quote": '"[[' * 500,
    }
    assert not jsontext.nested_deeper_than('["\\"' + "[" * 500 + '"]', 1)


def test_many_shallow_arrays_are_not_deep() -> None:
    wide = "[" + ",".join(["[[]]"] * 1_000) + "]"
    assert len(jsontext.loads(wide)) == 1_000


def test_an_unterminated_string_is_still_a_parse_error() -> None:
    with pytest.raises(ValueError) as refused:
        jsontext.loads('{"city": "' + "[" * 1_000)
    assert not isinstance(refused.value, NestedTooDeeply)


def test_bytes_are_read_as_json_reads_them() -> None:
    document = {"city": "Zürich"}
    for encoding in ("utf-8", "utf-16", "utf-32-le"):
        assert jsontext.loads(json.dumps(document, ensure_ascii=False).encode(encoding)) == document
    with pytest.raises(ValueError):
        jsontext.loads(b'{"city": "\xff"}')
