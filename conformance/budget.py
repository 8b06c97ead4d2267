"""How many requests a run sends: planned against a conformant target, and at most, whatever happens.

A live account shares its rate limit with everything else it runs, so a run says up front what it
will cost and never sends more (`--max-requests`). The plan is a linear model of the suite's
scenarios, fitted to runs against the reference server: a fixed part (the coverage of every rule,
the probes and every edge value, sent once each) and a part per generated example. The upper bound
adds what shrinking failures may cost; the transport refuses any request past it.

Under a budget the coverage of every rule is sent first (conformance.coverage), and the rest while
the budget lasts: a budget of at least COVERAGE reaches every rule.
"""

from __future__ import annotations

from dataclasses import dataclass

SHRINK_REQUESTS = 60  # requests a property may send to shrink its failures before the smallest found stand

FIXED = 224  # coverage, probes and edge values: one run with one example per property sends about this many
PER_EXAMPLE = 19  # each further example per property adds about this many across the scenarios
COVERAGE = 121  # the coverage phase of a budgeted run, the restore between its phases included
PROPERTIES = 14  # scenarios that draw examples, each of which may shrink one failure
RESTORE = 4  # the snapshot read before writing, and the GET, PUT and GET that restore billing


@dataclass(frozen=True)
class Budget:
    max_examples: int  # examples per property that fit
    planned: int  # requests a run sends against a conformant target, about
    most: int  # requests the run will never exceed
    max_requests: int | None = None  # the budget given, if any

    def describe(self) -> str:
        described = f"at most {self.most} requests (about {self.planned} against a conformant target)"
        if self.max_requests is not None and self.max_requests < COVERAGE + RESTORE:
            described += f"; covering every rule takes about {COVERAGE + RESTORE}, so the last rules may be skipped"
        return described


def planned(max_examples: int) -> int:
    return FIXED + PER_EXAMPLE * max_examples + RESTORE


def plan(max_examples: int, max_requests: int | None = None) -> Budget:
    """Fit the examples to `max_requests` if given; otherwise the bound is what the examples may cost."""
    if max_requests is None:
        return Budget(max_examples, planned(max_examples), planned(max_examples) + SHRINK_REQUESTS * PROPERTIES)
    fitting = max(1, min(max_examples, (max_requests - planned(0)) // PER_EXAMPLE))
    return Budget(fitting, min(planned(fitting), max_requests), max_requests, max_requests)
