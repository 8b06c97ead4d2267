"""conformance.seeding: while the seed alone decides, hypothesis mixes in none of the caller's constants."""

from __future__ import annotations

from hypothesis.internal.conjecture import providers

from conformance.seeding import new_seed, seed_alone_decides

OUTSIDE_KEY, INSIDE_KEY = ("string", "outside"), ("string", "inside")


def test_no_local_constant_is_seen_while_the_seed_alone_decides() -> None:
    outside = providers._get_local_constants
    with seed_alone_decides():
        assert len(providers._get_local_constants()) == 0
    assert providers._get_local_constants is outside


def test_cached_constants_stay_on_the_side_they_were_found_on() -> None:
    providers.CONSTANTS_CACHE[OUTSIDE_KEY] = ((), ("a caller's constant",))
    try:
        with seed_alone_decides():
            assert OUTSIDE_KEY not in providers.CONSTANTS_CACHE.cache
            providers.CONSTANTS_CACHE[INSIDE_KEY] = ((), ())
        assert OUTSIDE_KEY in providers.CONSTANTS_CACHE.cache
        assert INSIDE_KEY not in providers.CONSTANTS_CACHE.cache
        with seed_alone_decides():  # what was worked out inside is there again, and only it
            assert INSIDE_KEY in providers.CONSTANTS_CACHE.cache
            assert OUTSIDE_KEY not in providers.CONSTANTS_CACHE.cache
    finally:
        providers.CONSTANTS_CACHE.cache.pop(OUTSIDE_KEY, None)


def test_a_new_seed_is_a_32_bit_number_each_time_another() -> None:
    seeds = {new_seed() for _ in range(20)}
    assert len(seeds) > 1 and all(0 <= seed < 2**32 for seed in seeds)
