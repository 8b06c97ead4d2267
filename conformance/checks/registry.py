"""The two kinds of check, and the table of which function judges which requirement.

A *response check* judges one exchange at a time and sees every complete exchange the run makes,
like a schemathesis check: it returns None when the exchange is not its business, True when it
judged it and found it right, and raises `Violation` otherwise. Only a check registered with
`sees_incomplete` is also shown the exchanges that got no complete response.

A *scenario* drives its own requests (deterministic probes, hypothesis properties, a state
machine) and raises `Violation` when its requirement is broken. It declares what it needs (role
tokens, permission to write, the kind of account) so that the runner can skip it with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from conformance import catalog
from conformance.exchange import Exchange

if TYPE_CHECKING:
    from conformance.context import Context, Drawn

ResponseCheckFn = Callable[[Exchange, "Context"], "bool | None"]
ScenarioFn = Callable[["Context"], None]


@dataclass(frozen=True)
class Needs:
    """What a scenario needs from the target before it can judge anything."""

    any_role: tuple[str, ...] = ()  # at least one of these tokens
    all_roles: tuple[str, ...] = ()  # every one of these tokens
    writes: bool = False  # sends requests that could change the account
    account: str = "any"  # "any", "chat" (created in Chat: PUT allowed) or "support" (GET only)


@dataclass(frozen=True)
class ResponseCheck:
    requirement_id: str
    judge: ResponseCheckFn
    unexercised: str  # why the requirement is skipped when no exchange was its business
    sees_incomplete: bool = False  # also judges exchanges that got no complete response

    @property
    def name(self) -> str:
        return self.judge.__name__


@dataclass(frozen=True)
class Scenario:
    requirement_id: str
    run: ScenarioFn
    needs: Needs
    properties: tuple[Drawn, ...] = ()  # those drawn ahead, in the order the scenario runs them

    @property
    def name(self) -> str:
        return self.run.__name__


RESPONSE_CHECKS: list[ResponseCheck] = []
SCENARIOS: list[Scenario] = []


def _known(requirement_id: str) -> None:
    catalog.get(requirement_id)  # fails loudly on a typo at import time
    taken = {check.requirement_id for check in RESPONSE_CHECKS} | {s.requirement_id for s in SCENARIOS}
    if requirement_id in taken:
        raise ValueError(f"{requirement_id} is already judged elsewhere: one requirement, one check")


def response_check(
    requirement_id: str, unexercised: str = "no response it applies to was seen", *, sees_incomplete: bool = False
) -> Callable[[ResponseCheckFn], ResponseCheckFn]:
    def register(judge: ResponseCheckFn) -> ResponseCheckFn:
        _known(requirement_id)
        RESPONSE_CHECKS.append(ResponseCheck(requirement_id, judge, unexercised, sees_incomplete))
        return judge

    return register


def scenario(
    requirement_id: str, needs: Needs = Needs(), properties: tuple[Drawn, ...] = ()
) -> Callable[[ScenarioFn], ScenarioFn]:
    def register(run: ScenarioFn) -> ScenarioFn:
        _known(requirement_id)
        SCENARIOS.append(Scenario(requirement_id, run, needs, properties))
        return run

    return register


def declared(requirement_id: str) -> tuple[Drawn, ...]:
    """The properties the scenario judging `requirement_id` declares (none for a response check)."""
    return next((s.properties for s in SCENARIOS if s.requirement_id == requirement_id), ())
