"""What a run tells of its progress as it goes: the protocol a progress bar or a relay implements.

Its own module so that the runner and the worker process it forks (`conformance.workers`) both
depend on it, and not on each other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from conformance.results import RequirementResult


class Observer(Protocol):
    """Told of progress, e.g. to draw a progress bar."""

    def started(self, scenarios: int) -> None: ...

    def scenario_started(self, requirement_id: str) -> None: ...

    def scenario_finished(self, result: RequirementResult, requests: int) -> None: ...
