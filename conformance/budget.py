"""How many requests a run sends: planned against a conformant target, and at most, whatever happens.

A live account shares its rate limit with everything else it runs, so a run says up front what it
will cost and never sends more (`--max-requests`). The plan is a linear model of the suite's
scenarios, fitted to runs against the reference server: a fixed part (the deterministic probes and
every edge value, sent once each) and a part per generated example. The upper bound adds what
shrinking failures may cost; the transport refuses any request past it.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.context import SHRINK_REQUESTS

FIXED = 151  # probes and edge values: one run with one example per property sends about this many
PER_EXAMPLE = 20  # each further example per property adds about this many across the scenarios
PROPERTIES = 14  # scenarios that draw examples, each of which may shrink one failure
RESTORE = 4  # the snapshot read before writing, and the GET, PUT and GET that restore billing


@dataclass(frozen=True)
class Budget:
    max_examples: int  # examples per property that fit
    planned: int  # requests a run sends against a conformant target, about
    most: int  # requests the run will never exceed

    def describe(self) -> str:
        return f"at most {self.most} requests (about {self.planned} against a conformant target)"


def planned(max_examples: int) -> int:
    return FIXED + PER_EXAMPLE * max_examples + RESTORE


def plan(max_examples: int, max_requests: int | None = None) -> Budget:
    """Fit the examples to `max_requests` if given; otherwise the bound is what the examples may cost."""
    if max_requests is None:
        return Budget(max_examples, planned(max_examples), planned(max_examples) + SHRINK_REQUESTS * PROPERTIES)
    fitting = max(1, min(max_examples, (max_requests - planned(0)) // PER_EXAMPLE))
    return Budget(fitting, min(planned(fitting), max_requests), max_requests)
