"""The seed alone decides what hypothesis draws: the same requests on any machine, however started."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator


def new_seed() -> int:
    """A seed for a run not given one: said in its report, so that the run can be made again."""
    return random.SystemRandom().randrange(2**32)


@contextlib.contextmanager
def seed_alone_decides() -> Iterator[None]:
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
