"""What a conformant server may choose where the docs are silent.

The catalog's section "The suite judges what the docs say" lists the choices real frameworks make
by default that the docs leave open. Each is written here once, and every check that meets one
asks this module instead of deciding for itself, so that no check learns one server's choice.
"""

from __future__ import annotations

from typing import Any

from conformance import spec

CLIENT_ERROR = range(400, 500)
TOO_LARGE = 413  # a body past the server's own size limit, whatever else the rule asks
# JSON parsers built on IEEE 754 doubles (JavaScript's) hold integers exactly up to here only.
EXACT_INTEGERS = 2**53


def refusal(expected: set[int], well_formed: bool) -> set[int] | range:
    """The statuses a refusal may have: `expected` for a well-formed request, any 4xx otherwise.

    No order between errors: a request that is also wrong in another way (its body not JSON, not
    declared JSON, too large, breaking the types, or merely implausible) may be refused for that
    fault first. Only a request every conformant server would accept from the owner is held to the
    rule's own status.
    """
    return expected if well_formed else CLIENT_ERROR


def writable_part(document: Any) -> Any:
    """The part of a PUT body a server must judge: read-only fields may be ignored whatever they hold."""
    if not isinstance(document, dict):
        return document
    return {name: value for name, value in document.items() if name not in spec.READ_ONLY_FIELDS}


def breaks_writable_types(document: Any) -> bool:
    """Whether a PUT body breaks the documented types of what it may change.

    The body not an object, billing not an object, or a billing field of the wrong type. Unknown
    fields may be ignored, and read-only fields (whatever they hold) are RO-IGNORED's.
    """
    return not spec.is_valid("AccountUpdate", writable_part(document), types_only=True)


def same_value(sent: Any, shown: Any) -> bool:
    """Whether a value the server shows is the one sent, integers past 2^53 compared as doubles."""
    if sent == shown:
        return True
    if not (_big_integer(sent) or _big_integer(shown)) or not (_number(sent) and _number(shown)):
        return False
    try:
        return float(sent) == float(shown)
    except OverflowError:  # past what a double holds: no parser rounds it to anything
        return False


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _big_integer(value: Any) -> bool:
    return _number(value) and isinstance(value, int) and abs(value) > EXACT_INTEGERS
