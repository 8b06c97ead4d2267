"""Bodies a lenient JSON parser takes and RFC 8259 does not: every way parsers go beyond the grammar.

A server whose parser reads JavaScript or JSON5 (NaN, Infinity, undefined, hex numbers, a leading
`+`, a decimal point with no digit on one side, leading zeros), comments, single quotes, unquoted
keys, escapes the RFC does not define, trailing commas, content after the value, or control
characters in strings takes a body as JSON that a client cannot rely on any other server to read.
ROBUST-BAD-JSON asks 400 for each of them. Each is written into a valid update, so that a server
that reads it has something to apply: a lenient parser shows as a 200 or a 422, never as a 400.

A leading byte order mark is not among them: RFC 8259 §8.1 lets a parser ignore it or refuse it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conformance import rfc8259
from conformance.lazy import strategies as st

# What JavaScript, JSON5 and Python's json take where the RFC has a number, a string or a literal.
LITERALS = (
    "NaN", "Infinity", "-Infinity", "+Infinity", "undefined", "0x0C", "+12", ".5", "12.", "012", "-012",
    "True", "None", "'Ada'",
)  # fmt: skip
# Escapes the RFC does not define (it has \" \\ \/ \b \f \n \r \t \uXXXX only), and short \u.
ESCAPES = ("\\i", "\\x41", "\\'", "\\a", "\\v", "\\0", "\\u41", "\\U0001F600")
# Control characters the RFC requires escaped inside a string.
CONTROLS = ("\t", "\n", "\r", "\x00", "\x08", "\x1f")
COMMENTS = ("// a comment\n", "/* a comment */", "# a comment\n")
# Whitespace JSON5 and JavaScript take that the RFC's ws (space, tab, LF, CR) does not.
SPACES = ("\x0b", "\x0c", "\u00a0", "\u2028", "\ufeff")
TRAILING = (" x", " null", "{}", ",", "}", " // the end", ";")

# One body of each family, sent on every run: a draw alone would reach a given one only by luck.
# One each, not every piece above (those are drawn): a run with a --max-requests budget must still
# reach the rules after ROBUST-BAD-JSON.
EVERY_KIND: tuple[str, ...] = (
    '{"billing": {"cycle": NaN}}',  # Python's json and JavaScript literals
    '{"billing": {"cycle": -Infinity}}',
    '{"billing": {"cycle": 0x0C}}',  # JSON5 numbers
    '// a comment\n{"billing": {"city": "Comment Probe"}}',
    '{"billing": {"city": "Comment Probe" /* a comment */}}',
    "{'billing': {'city': 'Quote Probe'}}",
    '{billing: {city: "Key Probe"}}',
    '{"billing": {"city": "Escape \\x41 Probe"}}',
    '{"billing": {"city": "Trailing Comma Probe",}}',
    '{"billing": {"city": "Trailing Probe"}} x',
    '{"billing": {"city": "Control\tProbe"}}',
)


def _render(billing: dict[str, Any], change: Callable[[list[str], list[str]], None]) -> str:
    """`{"billing": {...}}` written out token by token, after `change` has had its way with the tokens.

    `change` is given the members' keys and values as JSON texts, and the outer tokens
    (`prefix`, `between`, `suffix`), and may replace any of them.
    """
    keys = [json.dumps(name) for name in billing]
    values = [json.dumps(value) for value in billing.values()]
    outer = ['{"billing": {', ", ", "}}"]
    tokens = keys + values
    change(tokens, outer)
    members = [f"{key}: {value}" for key, value in zip(tokens[: len(keys)], tokens[len(keys) :], strict=True)]
    return outer[0] + outer[1].join(members) + outer[2]


def _in_a_string(value: str, piece: str, at: int) -> str:
    """A JSON string text with `piece` written raw inside its quotes, at `at` (modulo its length)."""
    inside = value[1:-1]
    at %= len(inside) + 1
    return '"' + inside[:at] + piece + inside[at:] + '"'


def lenient(billing: dict[str, Any], kind: str, piece: str, at: int) -> str:
    """A valid update of `billing` with one extension of `kind` (`piece`, placed by `at`) written in."""

    def change(tokens: list[str], outer: list[str]) -> None:
        count = len(tokens) // 2
        member = at % count
        key, value = member, count + member
        if kind == "literal":
            tokens[value] = piece
        elif kind == "unquoted key":
            tokens[key] = tokens[key][1:-1]
        elif kind == "single quotes":
            tokens[key] = "'" + tokens[key][1:-1] + "'"
        elif kind in ("escape", "control") and tokens[value].startswith('"'):
            tokens[value] = _in_a_string(tokens[value], piece, at)
        elif kind in ("escape", "control"):
            tokens[key] = _in_a_string(tokens[key], piece, at)
        elif kind == "comment":
            tokens[value] = tokens[value] + " " + piece if at % 2 else piece + tokens[value]
        elif kind == "space":
            outer[at % 3] = piece + outer[at % 3] if at % 2 else outer[at % 3] + piece
        elif kind == "trailing comma":
            outer[2] = ",}}" if at % 2 else "},}"
        elif kind == "trailing":
            outer[2] += piece

    return _render(billing, change)


_KINDS: dict[str, tuple[str, ...]] = {
    "literal": LITERALS,
    "unquoted key": ("",),
    "single quotes": ("",),
    "escape": ESCAPES,
    "control": CONTROLS,
    "comment": COMMENTS,
    "space": SPACES,
    "trailing comma": ("",),
    "trailing": TRAILING,
}


def bodies(billing_updates: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[str]:
    """Valid updates drawn from `billing_updates`, each with one extension a lenient parser takes.

    Kept only where the RFC's grammar refuses the result (a piece may land where it is harmless),
    and never where a server may choose (a byte order mark at the very start).
    """
    # A kind first, then one of its pieces: each kind is drawn as often, however many pieces it has.
    extension = st.sampled_from(list(_KINDS)).flatmap(
        lambda kind: st.tuples(st.just(kind), st.sampled_from(_KINDS[kind]))
    )
    drawn = st.builds(
        lambda billing, chosen, at: lenient(billing, chosen[0], chosen[1], at),
        billing_updates,
        extension,
        st.integers(0, 10_000),
    )
    return drawn.filter(lambda text: rfc8259.judge(text.encode("utf-8", "surrogatepass")) is False)
