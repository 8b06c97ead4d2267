"""A known deviation: why a target is expected to fail a rule, as its expectations file says.

Its own module so that the results (which carry one per rule that failed as expected) and the
expectations file's loader (which applies them to results) both depend on it, and not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Expectation:
    reason: str
    link: str | None = None
    strict: bool = True  # a pass is reported as unexpected

    def __str__(self) -> str:
        """The reason, and the link after it when there is one: as every report shows it."""
        return self.reason + (f" ({self.link})" if self.link else "")
