"""Where an exchange stands in its run: its place, and the rule that sent it.

A run that records or replays is never split over two processes (`runner._splittable`), so its
requests go out one after another in an order fixed by the examples, and an exchange's place is
its index in the cassette. The recording also keeps which rule sent which exchanges (`rules` in
the metadata: `[rule, first place, count]` for each rule that sent any, twice for a rule of a
budgeted run, which sends its coverage first and its search later), so that a replay names a
place as a person looks for it: "exchange 214 of 613, the 3rd of UPD-MERGE".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.progress import Observer
    from conformance.results import RequirementResult

Span = tuple[str, int, int]  # rule, first place, how many
SUFFIXES = {1: "st", 2: "nd", 3: "rd"}


class RuleSpans:
    """An Observer passed on to another, noting the places each rule's requests took in the cassette."""

    def __init__(self, observer: Observer | None, recorded: Callable[[], int]) -> None:
        self._observer = observer
        self._recorded = recorded  # how many exchanges the cassette holds so far
        self._first = 0
        self.spans: list[Span] = []

    def started(self, scenarios: int) -> None:
        if self._observer is not None:
            self._observer.started(scenarios)

    def scenario_started(self, requirement_id: str) -> None:
        self._first = self._recorded()
        if self._observer is not None:
            self._observer.scenario_started(requirement_id)

    def scenario_finished(self, result: RequirementResult, requests: int) -> None:
        count = self._recorded() - self._first
        if count:
            self.spans.append((result.requirement.id, self._first, count))
        if self._observer is not None:
            self._observer.scenario_finished(result, requests)


def spans_of(recorded: Any) -> list[Span]:
    """The spans a cassette's metadata keeps; none from one recorded before they were kept, or garbled."""
    spans = []
    for span in recorded if isinstance(recorded, list) else []:
        if (
            isinstance(span, list | tuple)
            and len(span) == 3
            and isinstance(span[0], str)
            and all(isinstance(number, int) and number >= 0 for number in span[1:])
        ):
            spans.append((span[0], span[1], span[2]))
    return spans


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{SUFFIXES.get(number % 10, 'th')}"


def describe(place: int, total: int, spans: Sequence[Span]) -> str:
    """A place (counted from 0) as a person reads it: exchange 214 of 613, the 3rd of UPD-MERGE."""
    text = f"exchange {place + 1} of {total}"
    earlier: dict[str, int] = {}  # a rule of a budgeted run sends in two spans: its coverage, then its search
    for rule, first, count in spans:
        if first <= place < first + count:
            return f"{text}, the {ordinal(earlier.get(rule, 0) + place - first + 1)} of {rule}"
        earlier[rule] = earlier.get(rule, 0) + count
    if spans and place < spans[0][1]:
        return f"{text}, before the first rule (the account read before any write)"
    if spans and place >= spans[-1][1] + spans[-1][2]:
        return f"{text}, after the last rule (putting the account back)"
    return text
