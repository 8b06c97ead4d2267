"""The bodies sent as "not JSON" go every way a lenient parser goes beyond RFC 8259, and none of them is JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings

from conformance import generation, lenient_json, rfc8259


def test_every_kind_sent_on_every_run_is_not_json_and_python_reads_some_of_them() -> None:
    assert all(rfc8259.judge(body.encode()) is False for body in lenient_json.EVERY_KIND)
    read_by_python = []
    for body in lenient_json.EVERY_KIND:
        try:
            json.loads(body)
            read_by_python.append(body)
        except ValueError:
            pass
    # Python's own parser takes NaN, Infinity and -Infinity: it could not have judged these.
    assert read_by_python == [body for body in lenient_json.EVERY_KIND if "Infinity" in body or "NaN" in body]


def test_each_extension_is_written_into_a_valid_update() -> None:
    billing = {"city": "Aarhus", "cycle": 12}
    assert lenient_json.lenient(billing, "literal", "NaN", 1) == '{"billing": {"city": "Aarhus", "cycle": NaN}}'
    assert lenient_json.lenient(billing, "unquoted key", "", 0) == '{"billing": {city: "Aarhus", "cycle": 12}}'
    assert lenient_json.lenient(billing, "single quotes", "", 1) == '{"billing": {"city": "Aarhus", \'cycle\': 12}}'
    assert lenient_json.lenient(billing, "escape", "\\x41", 0) == '{"billing": {"city": "\\x41Aarhus", "cycle": 12}}'
    assert lenient_json.lenient(billing, "trailing comma", "", 1) == '{"billing": {"city": "Aarhus", "cycle": 12,}}'
    assert lenient_json.lenient(billing, "trailing", " x", 0) == '{"billing": {"city": "Aarhus", "cycle": 12}} x'
    assert "/* a comment */" in lenient_json.lenient(billing, "comment", "/* a comment */", 0)


def test_drawn_bodies_are_never_json_and_reach_every_family_of_extension() -> None:
    seen: set[str] = set()

    @settings(max_examples=500, database=None, deadline=None, derandomize=True)
    @given(generation.broken_json())
    def draw(body: bytes) -> None:
        assert rfc8259.judge(body) is False  # never JSON, never a choice the RFC leaves (a leading BOM)
        seen.update(mark for mark in ("NaN", "Infinity", "//", "/*", "'", ",}", "\\x41", "\t") if mark in body.decode())

    draw()
    assert {"NaN", "Infinity", "//", "/*", "'", ",}"} <= seen, seen
