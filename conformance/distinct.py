"""Which failures of one rule are the same deviation, and which one of each to show.

A target rarely breaks a rule in one way only: a server may store `null` for the body, for
`billing` and for a field, three bugs to fix. A rule therefore reports each distinct way it was
broken, as schemathesis reports each unique failure of a check (its `Failure._unique_key`). Two
failures are the same deviation when what differs between them is only incidental: they say the
same (numbers aside: a count of steps, a status), the response is of the same status class, the
request was sent by the same role with the same method, and the same parts of its body break the
documented types with the same kind of value. Field names are told apart by their declared type
only, so that thirteen string fields that all take a number are one deviation, not thirteen.

Of each deviation the smallest reproduction is kept, the first found first, up to a cap; the
ones past the cap are counted.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from conformance import jsontext, spec
from conformance.failures import Failure

Faults = frozenset[tuple[str, str]]  # (part of the body, kind of value there)
_NUMBERS = re.compile(r"\d+")
NO_FAULTS: Faults = frozenset()


@dataclass(frozen=True)
class Kind:
    """What a deviation is, whatever example shows it."""

    what: Hashable  # the message, numbers aside, and the status class, role and method
    faults: Faults = NO_FAULTS  # where the request body breaks the documented types, and with what

    def includes(self, other: Kind) -> bool:
        """Whether this is `other` and more: the same, with other faults of the body besides."""
        return self.what == other.what and bool(other.faults) and other.faults < self.faults


def kind_of(failure: Failure) -> Kind:
    message = _NUMBERS.sub("#", failure.message)
    exchange = failure.exchange
    if exchange is None:
        return Kind((message,))
    status = exchange.status
    status_class = f"{status // 100}xx" if status else "no response"
    what = (message, status_class, exchange.credential.label, exchange.method)
    return Kind(what, body_faults(exchange.request.body))


def body_faults(body: str | None) -> Faults:
    """Where a request body breaks the documented types of what a PUT may change, each with the kind of value.

    Read-only fields and unknown fields are left out: a server may ignore them whatever they hold.
    """
    if body is None:
        return NO_FAULTS
    if not body.strip():
        return frozenset({("body", "empty")})
    try:
        document = jsontext.loads(body)
    except jsontext.NestedTooDeeply:
        return frozenset({("body", "nested deeply")})
    except ValueError:
        return frozenset({("body", "not JSON")})
    if not isinstance(document, dict):
        return frozenset({("body", value_kind(document))})
    if "billing" not in document:
        return NO_FAULTS
    billing = document["billing"]
    if not isinstance(billing, dict):
        return frozenset({("billing", value_kind(billing))})
    declared = _declared_types()
    return frozenset(
        (f"a billing field of type {declared[name]}", value_kind(value))
        for name, value in billing.items()
        if name in declared and not _has_type(value, declared[name])
    )


@cache
def _declared_types() -> dict[str, str]:
    return {name: schema.get("type", "") for name, schema in spec.component("Billing")["properties"].items()}


def _has_type(value: Any, declared: str) -> bool:
    if declared == "string":
        return isinstance(value, str)
    if declared == "integer":  # as JSON Schema counts them: 1.0 is an integer
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    return True


def value_kind(value: Any) -> str:
    """The JSON kind of a value; a string of digits apart, since lax parsers take it for a number."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "numeric string" if _is_number(value) else "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text != ""


_SAID = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number with a fraction",
    "numeric string": "a number in a string",
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "empty": "empty",
    "not JSON": "not JSON",
    "nested deeply": "nested deeper than most parsers go",
}


def describe_faults(failure: Failure) -> str | None:
    """Where the failure's request body breaks the documented types, in words; None where it does not."""
    if failure.exchange is None:
        return None
    faults = sorted(body_faults(failure.exchange.request.body))
    if not faults:
        return None
    return "; ".join(f"{'the body' if part == 'body' else part} is {_SAID.get(kind, kind)}" for part, kind in faults)


def size(failure: Failure) -> int:
    """How large a reproduction is: its request body (a failure without one is as small as it gets)."""
    exchange = failure.exchange
    return 0 if exchange is None or exchange.request.body is None else len(exchange.request.body)


@dataclass
class Deviations:
    """The distinct failures of one rule (or one property): the smallest of each, the first found first.

    `seen` counts every failure added; `distinct` every deviation found, those past `cap` included.
    """

    cap: int
    kept: list[Failure] = field(default_factory=list)
    seen: int = 0
    _kinds: list[Kind] = field(default_factory=list)
    _sizes: list[int] = field(default_factory=list)
    _past_cap: set[Kind] = field(default_factory=set)

    @property
    def distinct(self) -> int:
        return len(self.kept) + len(self._past_cap)

    def __iter__(self) -> Iterator[Failure]:
        return iter(self.kept)

    def add(self, failure: Failure, measured: int | None = None) -> int | None:
        """Count `failure`; keep it if it is a new deviation, or a smaller reproduction of one kept.

        Returns the index of the deviation it is among those kept, or None when it is past the cap.
        """
        self.seen += 1
        kind = kind_of(failure)
        measured = size(failure) if measured is None else measured
        for index, known in enumerate(self._kinds):
            if known == kind:
                if measured < self._sizes[index]:
                    self.kept[index], self._sizes[index] = failure, measured
                return index
            if kind.includes(known):  # the same deviation shown with more faults than it needs
                return index
            if known.includes(kind):  # a smaller reproduction of one kept
                self.kept[index], self._kinds[index], self._sizes[index] = failure, kind, measured
                return index
        if len(self.kept) >= self.cap:
            self._past_cap.add(kind)
            return None
        self.kept.append(failure)
        self._kinds.append(kind)
        self._sizes.append(measured)
        return len(self.kept) - 1

    def take(self, other: Deviations) -> None:
        """Add the deviations a property found, each counted once however often it failed."""
        for failure, measured in zip(other.kept, other._sizes, strict=True):
            self.add(failure, measured)
        for kind in other._past_cap:
            if kind not in self._kinds and kind not in self._past_cap:
                self.seen += 1
                self._past_cap.add(kind)

    def absorb(self, other: Deviations) -> None:
        """Add what another process found of the same rule, as if it had been found here."""
        seen = self.seen + other.seen
        for failure, measured in zip(other.kept, other._sizes, strict=True):
            self.add(failure, measured)
        self._past_cap |= {kind for kind in other._past_cap if kind not in self._kinds}
        self.seen = seen


class DistinctFailures(ExceptionGroup):
    """Raised by a property that failed: a Violation for each distinct failure, and the deviations found."""

    deviations: Deviations

    @classmethod
    def of(cls, violations: list[Any], deviations: Deviations) -> DistinctFailures:
        count = deviations.distinct
        raised = cls(f"{count} distinct failure{'s' if count != 1 else ''}", violations)
        raised.deviations = deviations
        return raised
