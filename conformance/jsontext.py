"""JSON text read without taking the interpreter's stack near its limit.

Python's parser recurses once per level of nesting and gives up with RecursionError at about a
thousand levels. Getting that far is not harmless: a garbage collection that starts there runs
finalizers and callbacks with no stack left, they fail, and Python reports "Exception ignored"
(pytest, a failed test). The suite sends bodies nested 100,000 deep on purpose and a server may
answer with one, so JSON from the wire is measured first and refused past `MAX_DEPTH`.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Far beyond any body of this API (three levels), far below the recursion limit.
MAX_DEPTH = 128

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)  # to its closing quote, or to the end of the text
_BRACKET = re.compile(r"[\[\]{}]")


class NestedTooDeeply(ValueError):
    """JSON nested past `MAX_DEPTH`: not parsed, which is not to say it is not JSON."""

    def __init__(self) -> None:
        super().__init__(f"it is nested more than {MAX_DEPTH} levels deep")


def loads(text: str | bytes, **options: Any) -> Any:
    """`json.loads`, raising NestedTooDeeply rather than parsing a document nested past `MAX_DEPTH`."""
    if isinstance(text, (bytes, bytearray)):
        # As json.loads reads bytes: UTF-8, -16 or -32 by the first bytes; a bad byte is a ValueError.
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    if nested_deeper_than(text, MAX_DEPTH):
        raise NestedTooDeeply
    return json.loads(text, **options)


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether an array or object in `text` sits more than `limit` levels deep, brackets in strings aside."""
    if text.count("[") + text.count("{") <= limit:  # every body of this API stops here
        return False
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if bracket[0] in "[{" else -1
        if depth > limit:
            return True
    return False


def has_unpaired_surrogate(document: Any) -> bool:
    """Whether a string in `document` holds an unpaired UTF-16 surrogate: valid JSON text, not Unicode text."""
    pending = [document]
    while pending:  # iterative: a document may be nested nearly as deep as `loads` goes
        value = pending.pop()
        if isinstance(value, str):
            if any("\ud800" <= char <= "\udfff" for char in value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
