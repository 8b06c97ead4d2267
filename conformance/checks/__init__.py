"""The checks: one function per requirement ID, registered in `registry` by importing these modules."""

from conformance.checks import (  # noqa: F401 - imported to register their checks
    auth,
    billing,
    http,
    rate,
    readonly,
    robust,
    roles,
    security,
    shape,
    support,
    update,
)
from conformance.checks.registry import RESPONSE_CHECKS, SCENARIOS, Needs, ResponseCheck, Scenario

__all__ = ["RESPONSE_CHECKS", "SCENARIOS", "Needs", "ResponseCheck", "Scenario"]
