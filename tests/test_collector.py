from __future__ import annotations

import gc

import pytest

from conformance import collector


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_off_inside_and_as_it_was_after(enabled: bool, gc_passes: list[str]) -> None:
    (gc.enable if enabled else gc.disable)()
    with collector.paused():
        kept = [[n] for n in range(50_000)]  # enough containers for dozens of passes
        during = list(gc_passes)
    assert during == []
    assert len(kept) == 50_000
    assert gc.isenabled() is enabled
    with pytest.raises(ValueError), collector.paused():
        raise ValueError("even when what it pauses for fails")
    assert gc.isenabled() is enabled


def test_frozen_what_is_alive_is_never_scanned_again(gc_passes: list[str]) -> None:
    gc.enable()
    before = gc.get_freeze_count()
    with collector.paused(freeze=True):
        kept = [[n] for n in range(1000)]
    assert gc.get_freeze_count() - before >= len(kept)
    assert gc.isenabled()
