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


# --- `null` may stand for "not sent" ---------------------------------------------------------------
# Statically typed stacks read a JSON null as an absent value by default (Go's encoding/json into
# pointer fields, Rust's serde, Jackson, System.Text.Json). A PUT whose body is null, whose billing
# is null, or that gives a billing field null may be refused (4xx) or taken as not naming it (2xx,
# what it names keeps its value); the null is never stored.

NOT_NAMED: Any = object()  # what `named_value` gives for a place the account does not have


def without_nulls(document: Any) -> Any:
    """The body as a server that reads null as "not sent" takes it."""
    if document is None:
        return {}
    if not isinstance(document, dict):
        return document
    taken = {name: value for name, value in document.items() if not (name == "billing" and value is None)}
    billing = taken.get("billing")
    if isinstance(billing, dict):
        taken["billing"] = {name: value for name, value in billing.items() if value is not None}
    return taken


def breaks_types_only_with_null(document: Any) -> bool:
    """Whether a PUT body breaks the writable types only where it sends null, which may mean "not sent"."""
    return breaks_writable_types(document) and not breaks_writable_types(without_nulls(document))


def null_places(document: Any) -> list[tuple[str, ...]]:
    """Where a PUT body sends null for what it may change: () for the body, ("billing",), ("billing", name)."""
    if document is None:
        return [()]
    if not isinstance(document, dict) or "billing" not in document:
        return []
    billing = document["billing"]
    if billing is None:
        return [("billing",)]
    if not isinstance(billing, dict):
        return []
    return [("billing", name) for name, value in billing.items() if value is None]


def named_value(account: Any, place: tuple[str, ...]) -> Any:
    """What `account` holds at `place`, or NOT_NAMED where it holds nothing."""
    for name in place:
        if not isinstance(account, dict) or name not in account:
            return NOT_NAMED
        account = account[name]
    return account


def nulls_taken_as_not_sent(document: Any, before: Any, after: Any) -> list[str]:
    """The places a body sent null that an accepted PUT changed anyway (stored the null, or dropped the value)."""
    return [
        ".".join(place) or "the account"
        for place in null_places(document)
        if named_value(before, place) != named_value(after, place)
    ]
