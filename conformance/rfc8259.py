"""What is JSON: RFC 8259's grammar, recognised as its ABNF (§2 to §7) writes it, and nothing more.

The suite sends bodies that are not JSON and asks a server to refuse them, so what counts as "not
JSON" must be the RFC's, not one parser's: Python's `json` takes NaN and Infinity, JSON5 parsers
take comments and trailing commas. Parsers that call themselves strict are stricter than the
grammar where the RFC leaves a choice (orjson refuses `"\\ud800"` and nesting past 1,024 levels,
which the grammar allows), and a body judged "not JSON" that is JSON would fail a conformant
server. So this module recognises the grammar itself, iteratively (bodies nest 100,000 deep).

`judge` reads bytes as a server does and says None where the RFC lets a server choose: a leading
byte order mark (§8.1: it may be ignored or refused) and bytes that are not UTF-8 (which decoders
such as Go's replace rather than refuse).
"""

from __future__ import annotations

import re

# ws = *( %x20 / %x09 / %x0A / %x0D )
_WS = re.compile(r"[ \t\n\r]*")
# number = [ minus ] int [ frac ] [ exp ]; ASCII digits only, as DIGIT is.
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
# string = quotation-mark *char quotation-mark; unescaped = %x20-21 / %x23-5B / %x5D-10FFFF, and the
# escapes \" \\ \/ \b \f \n \r \t \uXXXX only.
# Runs of plain characters at a time, never given back (possessive): linear however long the string.
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]++|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*+"')
_LITERAL = re.compile(r"true|false|null")
_SCALAR = re.compile(f"{_STRING.pattern}|{_NUMBER.pattern}|{_LITERAL.pattern}")
_CLOSING = {"{": "}", "[": "]"}
BOM = "\ufeff"


def is_json_text(text: str) -> bool:
    """Whether `text` is a JSON-text: ws value ws, as RFC 8259 §2 defines it."""
    open_containers: list[str] = []  # "{" or "[", innermost last
    position = _skip_ws(text, 0)
    want_value = True
    while True:
        if want_value:
            if text.startswith(("{", "["), position):
                open_containers.append(text[position])
                position = _skip_ws(text, position + 1)
                if text.startswith(_CLOSING[open_containers[-1]], position):  # empty: [] or {}
                    open_containers.pop()
                    position += 1
                    want_value = False
                elif open_containers[-1] == "{":
                    position = _member_name(text, position)
                    if position < 0:
                        return False
                continue
            scalar = _SCALAR.match(text, position)
            if scalar is None:
                return False
            position, want_value = scalar.end(), False
            continue
        # After a value: a separator, the end of its container, or the end of the text.
        position = _skip_ws(text, position)
        if not open_containers:
            return position == len(text)
        if text.startswith(",", position):
            position = _skip_ws(text, position + 1)
            if open_containers[-1] == "{":
                position = _member_name(text, position)
                if position < 0:
                    return False
            want_value = True
        elif text.startswith(_CLOSING[open_containers[-1]], position):
            open_containers.pop()
            position += 1
        else:
            return False


def _skip_ws(text: str, position: int) -> int:
    return _WS.match(text, position).end()  # type: ignore[union-attr]


def _member_name(text: str, position: int) -> int:
    """Past `string name-separator` and the whitespace after it; -1 when they are not there."""
    name = _STRING.match(text, position)
    if name is None:
        return -1
    position = _skip_ws(text, name.end())
    if not text.startswith(":", position):
        return -1
    return _skip_ws(text, position + 1)


def judge(body: bytes) -> bool | None:
    """Whether a body, as sent on the wire, is JSON text; None where the RFC lets a server choose.

    RFC 8259 §8.1: JSON exchanged between systems is UTF-8, and a parser may ignore a leading byte
    order mark or refuse it.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith(BOM):
        return None
    return is_json_text(text)
