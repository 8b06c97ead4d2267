"""The seed alone decides what hypothesis draws: the same requests on any machine, however started."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from typing import Any


def new_seed() -> int:
    """A seed for a run not given one: said in its report, so that the run can be made again."""
    return random.SystemRandom().randrange(2**32)


# What hypothesis's cache of permitted constants held while the seed alone decided: kept for the next
# time, since filling it again (for every kind of choice the properties draw) costs each property.
_cached_while_alone: dict[Any, Any] = {}


@contextlib.contextmanager
def seed_alone_decides() -> Iterator[None]:
    """Keep hypothesis from mixing in constants it finds in the caller's own modules.

    Which modules count as the caller's depends on how the suite was installed and started, so
    with them the same seed could generate other requests, and a cassette would not replay.
    hypothesis caches which constants each kind of choice permits; the entries made with and
    without the caller's constants are kept apart, each given back to its side.
    """
    from hypothesis.internal.conjecture import providers

    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None:  # a hypothesis without the feature: nothing to do
        yield
        return
    providers._get_local_constants = lambda: providers.Constants()
    outside = dict(cache)
    cache.clear()
    cache.update(_cached_while_alone)
    try:
        yield
    finally:
        providers._get_local_constants = original
        _cached_while_alone.clear()
        _cached_while_alone.update(cache)
        cache.clear()
        cache.update(outside)
