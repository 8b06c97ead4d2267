from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from conformance import collector


@pytest.fixture
def passes() -> Iterator[list[str]]:
    """The collector's passes while the test runs; the collector as it was after it."""
    seen: list[str] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(phase)

    was = gc.isenabled()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_off_inside_and_as_it_was_after(enabled: bool, passes: list[str]) -> None:
    (gc.enable if enabled else gc.disable)()
    with collector.paused():
        kept = [[n] for n in range(50_000)]  # enough containers for dozens of passes
        during = list(passes)
    assert during == []
    assert len(kept) == 50_000
    assert gc.isenabled() is enabled
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("even when what it pauses for fails")
    assert gc.isenabled() is enabled


def test_frozen_what_is_alive_is_never_scanned_again(passes: list[str]) -> None:
    gc.enable()
    with collector.paused(freeze=True):
        kept = [[n] for n in range(1000)]
    assert gc.get_freeze_count() >= len(kept)
    assert gc.isenabled()
