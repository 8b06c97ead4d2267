"""The examples of the properties that sample the pool, drawn ahead by the process that draws the pool.

Those properties run last (conformance.runner), when the forked process has drawn the pool's
valid PUTs; drawing their examples is most of what they cost the run's own process. Hypothesis
gives a property the same examples wherever it draws them, as long as each passes, so once the
run has told it what they are drawn from (`Ahead.tell`: the options, tokens and snapshot their
strategies read, and which rules will run), the forked process draws them (`draw_for_parent`,
its job) with the settings and seed the run uses, and the run is given them
(Context._draw_declared, which draws again itself from the first example that does not pass).

What the forked process says, one JSON line each: the valid PUTs; the plan (the properties it
will draw, in the run's order); the invalid PUTs; each property's examples (null: it could not,
the run draws them itself). The properties that send valid PUTs only are not in the plan: the
run draws them itself while it waits for the invalid PUTs, which would otherwise come later.
"""

from __future__ import annotations

import json
import select
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict
from typing import IO, TYPE_CHECKING, Any

from conformance.described import DRAWS_VALID_ONLY, Pool, Send

if TYPE_CHECKING:
    from conformance.context import Context, Drawn, Options
    from conformance.draws import Encoded

# What the strategies read of the snapshot (conformance.generation.read_only_edits).
SNAPSHOT_FIELDS = ("account_key", "create_date", "plan", "status")


class Ahead:
    """In the run's process: what the process drawing `pool` drew for the run's properties."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self._plan: list[str] | None = None  # None until it has said
        self._examples: dict[str, list[Encoded] | None] = {}
        self._tokens: Mapping[str, str | None] = {}
        self._told = False
        pool.hear_also = self._take

    def tell(
        self, options: Options, tokens: Mapping[str, str | None], snapshot: Any, requirement_ids: Sequence[str]
    ) -> None:
        """What the run is: its strategies' inputs, and the rules with properties it will run, in its order."""
        if isinstance(snapshot, dict):
            snapshot = {name: snapshot[name] for name in SNAPSHOT_FIELDS if name in snapshot}
        self._tokens = tokens
        run = {"options": asdict(options), "tokens": dict(tokens), "snapshot": snapshot, "rules": list(requirement_ids)}
        self._told = self._pool.tell(run)

    def examples(self, key: str, drawn: Drawn) -> list[Any] | None:
        """The examples hypothesis gives the property `key` (which draws `drawn`) while each passes, or None."""
        from conformance.checks.registry import declared

        requirement_id, index = key.rsplit("/", 1)
        properties = declared(requirement_id)
        if int(index) >= len(properties) or properties[int(index)] is not drawn:
            return None
        while self._told and self._waits_for(key) and self._pool.hear():
            pass
        return self._given(key)

    def _take(self, kind: str, said: Any) -> None:
        if kind == "plan":
            self._plan = [str(key) for key in said]
        elif kind == "property":
            key, examples = said
            self._examples[str(key)] = examples

    def _waits_for(self, key: str) -> bool:
        return self._plan is None or (key in self._plan and key not in self._examples)

    def _given(self, key: str) -> list[Any] | None:
        from conformance.draws import Draws

        examples = self._examples.get(key)
        return None if examples is None else Draws(self._tokens, {key: examples}).given(key)


def draw_for_parent(pool: Pool, told: IO[bytes], send: Send) -> None:
    """The pool's job in the forked process: its PUTs, then, once told what the run is, its properties' examples."""
    send({"positive": pool.draw_mode("positive")})
    run = _read(told) if _ready(told) else None
    if run is None:  # the run has not started yet: the invalid PUTs first, as by default
        send({"negative": pool.draw_mode("negative")})
        run = _read(told)
        if run is None:
            return
    ctx = _context(run)
    plan = list(_plan(run["rules"]))
    send({"plan": [key for key, _ in plan]})
    if "negative" not in pool.drawn:
        send({"negative": pool.draw_mode("negative")})
    for key, drawn in plan:
        send({"property": [key, _examples(ctx, drawn)]})


def _ready(told: IO[bytes]) -> bool:
    return bool(select.select([told], [], [], 0)[0])


def _read(told: IO[bytes]) -> dict[str, Any] | None:
    line = told.readline()
    return json.loads(line) if line else None


def _context(run: dict[str, Any]) -> Context:
    """A context like the run's, for making its strategies: it sends nothing."""
    from conformance.context import Context, Options
    from conformance.transport import Target

    target = Target("http://conformance.invalid", run["tokens"], wire=False)
    ctx = Context(target, Options(**run["options"]))
    ctx.snapshot = run["snapshot"]
    return ctx


def _plan(requirement_ids: Sequence[str]) -> Iterator[tuple[str, Drawn]]:
    """The properties of these rules it draws, in their order: key, and what it draws.

    Not those that send valid PUTs only (see the module's docstring).
    """
    from conformance.checks.registry import declared

    for id_ in requirement_ids:
        if id_ not in DRAWS_VALID_ONLY:
            for index, drawn in enumerate(declared(id_)):
                yield f"{id_}/{index}", drawn


def _examples(ctx: Context, drawn: Drawn) -> list[Encoded] | None:
    """What hypothesis gives the property when every example passes, drawn as the run draws it (Context._draw)."""
    import hypothesis
    from hypothesis import given

    from conformance.context import property_settings
    from conformance.draws import Draws
    from conformance.seeding import seed_alone_decides

    recorder = Draws(ctx.target.tokens).recorder()

    def passes(example: Any) -> None:
        recorder.saw(example)

    settings = property_settings(drawn.examples(ctx))
    keep = hypothesis.seed(ctx.options.seed)(settings(given(drawn.make(ctx))(passes)))
    try:
        with seed_alone_decides():
            keep()
    except Exception:  # whatever it is, the run meets it again when it draws the property itself
        return None
    return recorder.examples
