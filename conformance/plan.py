"""What a run would do, rule by rule, before it does anything to a live account (`run --dry-run`).

The plan is not guessed: the same run (same roles, options, seed and expectations) is made against
a reference server on loopback, and every request it sends is counted against the rule that sent
it, with the role it was sent as and whether it could change the account. Nothing reaches the
target. A conformant target gets about as many requests; a failing rule may also spend its
shrinking allowance, and the run as a whole never exceeds the bound it announces.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape

from conformance import budget, catalog, checks
from conformance.budget import SHRINK_REQUESTS
from conformance.catalog import Requirement
from conformance.draws import Draws
from conformance.results import RequirementResult, Status
from conformance.runner import RunConfig, run
from conformance.server import ServerSettings, create_app
from conformance.server.embedded import BackgroundServer
from conformance.server.settings import DEFAULT_TOKENS

READS = ("GET", "HEAD")


@dataclass
class PlannedRule:
    requirement: Requirement
    checks: list[str]
    kind: str  # "scenario": sends its own requests; "response check": judges every response
    skipped: str | None = None  # why the run would not judge it
    requests: int = 0  # against a conformant target
    properties: int = 0  # generated properties, each of which may shrink a failure
    senders: set[str] = field(default_factory=set)  # roles (or none, unknown, malformed) it sends as
    writes: bool = False  # sends, with a role's token, a request that could change the account

    @property
    def most(self) -> int:
        return self.requests + SHRINK_REQUESTS * self.properties


class _Counting:
    """ASGI wrapper noting the method and Authorization header of every request."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, str | None]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = dict(scope.get("headers", []))
            authorization = headers.get(b"authorization")
            self.seen.append((scope["method"], None if authorization is None else authorization.decode("latin-1")))
        await self.app(scope, receive, send)


class _Boundaries:
    """A runner Observer marking where each scenario's requests start and end."""

    def __init__(self, counting: _Counting) -> None:
        self.counting = counting
        self.spans: dict[str, tuple[int, int]] = {}
        self._current = ("", 0)

    def started(self, scenarios: int) -> None:
        pass

    def scenario_started(self, requirement_id: str) -> None:
        self._current = (requirement_id, len(self.counting.seen))

    def scenario_finished(self, result: RequirementResult, requests: int) -> None:
        requirement_id, start = self._current
        self.spans[requirement_id] = (start, len(self.counting.seen))


def make(config: RunConfig) -> list[PlannedRule]:
    """The plan of `config`'s run, made against a loopback reference server with the same roles."""
    roles = [role for role, token in config.tokens.items() if token] if config.base_url else list(DEFAULT_TOKENS)
    tokens = {role: DEFAULT_TOKENS[role] for role in roles}
    counting = _Counting(create_app(ServerSettings(support_created=config.options.support_created)))
    boundaries = _Boundaries(counting)
    draws = Draws(tokens)
    with BackgroundServer(counting) as server:
        rehearsal = dataclasses.replace(
            config, base_url=server.url, tokens=tokens, pacer=None, draws=draws, transport=None
        )
        result = run(rehearsal, observer=boundaries)
    who = _sender({f"Bearer {token}": role for role, token in tokens.items()})
    planned = []
    for entry in result.requirements:
        requirement_id = entry.requirement.id
        is_scenario = any(scenario.requirement_id == requirement_id for scenario in checks.SCENARIOS)
        rule = PlannedRule(entry.requirement, entry.checks, "scenario" if is_scenario else "response check")
        by_file = config.expectations.skip_reason(requirement_id) if config.expectations else None
        if by_file or (is_scenario and entry.status is Status.SKIPPED):
            # A response check's own skip (no 429 seen...) says what the loopback server did, not the target.
            rule.skipped = by_file or entry.reason
        start, end = boundaries.spans.get(requirement_id, (0, 0))
        for method, authorization in counting.seen[start:end]:
            sender = who(authorization)
            rule.senders.add(sender)
            # Only a role's token can change the account: a PUT {} sent without one is a probe.
            rule.writes |= method not in READS and sender in tokens
        rule.requests = end - start
        rule.properties = sum(key.startswith(f"{requirement_id}/") for key in draws.kept)
        planned.append(rule)
    return planned


def _sender(roles: dict[str, str]) -> Callable[[str | None], str]:
    def who(authorization: str | None) -> str:
        if authorization is None:
            return "no credentials"
        if authorization in roles:
            return roles[authorization]
        return "unknown or malformed credentials"

    return who


def render(planned: list[PlannedRule], config: RunConfig, console: Console) -> None:
    target = config.base_url or "the embedded reference server"
    console.print(f"[bold]dry run[/]: what a run against {escape(target)} would do; nothing was sent to it")
    console.print(
        f"[dim]counted by making the same run (seed {config.options.seed}, {config.options.max_examples} examples "
        "per property) against a reference server on loopback[/]"
    )
    console.print()
    width = max(len(rule.requirement.id) for rule in planned)
    for rule in planned:
        head = f"{rule.requirement.id:<{width}}  {rule.requirement.level.value:<6}"
        judged_by = f"{rule.kind} {', '.join(rule.checks)}"
        if rule.skipped:
            console.print(f"{head}  [yellow]skipped[/]: {escape(rule.skipped)}", highlight=False)
        elif rule.kind == "response check":
            console.print(f"{head}  {judged_by}: judges every response, sends nothing itself", highlight=False)
        else:
            senders = ", ".join(sorted(rule.senders)) or "nobody"
            effect = "[bold]writes[/]" if rule.writes else "reads only"
            console.print(
                f"{head}  {judged_by}: about {rule.requests} requests, at most {rule.most}; as {senders}; {effect}",
                highlight=False,
            )
    spending = budget.plan(config.options.max_examples, config.options.max_requests)
    writes = [rule.requirement.id for rule in planned if rule.writes]
    console.print()
    console.print(f"the run sends {spending.describe()}")
    if writes:
        console.print(
            f"{len(writes)} rules write to the account; the run reads billing first and puts it back at the end "
            "(--no-writes sends nothing that could change it)"
        )
    else:
        console.print("no rule writes to the account")
    console.print(f"[dim]{len(catalog.requirements())} requirements; run it without --dry-run to judge them[/]")
