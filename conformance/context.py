"""What a check is given: the target, the run's options, and helpers shared by the scenarios."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import hypothesis
from hypothesis import HealthCheck, Verbosity, given
from hypothesis import strategies as st

from conformance.exchange import Credential, Exchange
from conformance.failures import Violation, expect_status
from conformance.transport import Target

T = TypeVar("T")


@contextlib.contextmanager
def _seed_alone_decides() -> Iterator[None]:
    """Keep hypothesis from mixing in constants it finds in the caller's own modules.

    Which modules count as the caller's depends on how the suite was installed and started, so
    with them the same seed could generate other requests, and a cassette would not replay.
    """
    from hypothesis.internal.conjecture import providers

    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None:  # a hypothesis without the feature: nothing to do
        yield
        return
    providers._get_local_constants = lambda: providers.Constants()
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


@dataclass(frozen=True)
class Options:
    """How deep and how safely to test."""

    max_examples: int = 25
    seed: int = 0
    writes: bool = True
    support_created: bool = False


class Context:
    """Shared by every check of one run."""

    def __init__(self, target: Target, options: Options) -> None:
        self.target = target
        self.options = options
        self.snapshot: dict[str, Any] | None = None  # the owner's view before the first write
        self._current: Exchange | None = None
        self.requirement_id = ""  # the requirement being judged, set by the runner
        self.notes: dict[str, list[str]] = {}
        target.listeners.append(self._forget_on_write)

    def _forget_on_write(self, exchange: Exchange) -> None:
        if exchange.method not in ("GET", "HEAD"):
            self._current = None

    def role(self, name: str) -> Credential:
        return self.target.as_role(name)

    def reader(self) -> Credential | None:
        """Who can see the most of the account: the owner, else an admin."""
        for name in ("owner", "admin"):
            if self.target.has(name):
                return self.target.as_role(name)
        return None

    def current(self) -> Exchange | None:
        """The reader's GET of the account, reused until something else than a GET is sent."""
        reader = self.reader()
        if reader is None:
            return None
        if self._current is None or self._current.credential != reader:
            self._current = self.target.get(reader)
        return self._current

    def expect_unchanged(self, before: Exchange | None, cause: Exchange, what: str) -> None:
        """Fail when the account the reader sees now differs from `before` (taken before `cause`)."""
        if before is None or before.status != 200:
            return
        after = self.current()
        if after is not None and after.response.json != before.response.json:
            raise Violation(
                f"{what}, yet the account changed",
                expected=before.response.body,
                actual=after.response.body,
                exchange=cause,
            )

    def refused(
        self,
        method: str,
        credential: Credential,
        content: bytes | None,
        content_type: str | None,
        allowed: set[int] | range,
        what: str,
    ) -> Exchange:
        """Send a request that must be refused: fail unless its status is allowed and nothing changed."""
        before = self.current()
        exchange = self.target.send(method, credential, content=content, content_type=content_type)
        expect_status(exchange, allowed, what)
        self.expect_unchanged(before, exchange, what)
        return exchange

    def note(self, text: str) -> None:
        """A remark on the requirement being judged that is no failure (e.g. a SHOULD part of a MUST)."""
        if text not in self.notes.setdefault(self.requirement_id, []):
            self.notes[self.requirement_id].append(text)

    def check_property(
        self,
        strategy: st.SearchStrategy[T],
        test: Callable[[T], None],
        *,
        max_examples: int | None = None,
    ) -> None:
        """Run `test` on examples drawn from `strategy`; a Violation is shrunk to a minimal example."""
        settings = hypothesis.settings(
            max_examples=max_examples or self.options.max_examples,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            verbosity=Verbosity.quiet,
        )
        run = hypothesis.seed(self.options.seed)(settings(given(strategy)(test)))
        with _seed_alone_decides():
            run()

    def examples(self, fraction: float = 1.0) -> int:
        return max(1, round(self.options.max_examples * fraction))
