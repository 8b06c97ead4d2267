"""The cyclic garbage collector paused while a process builds what it will keep.

Parsing a cassette, or loading schemathesis, allocates tens of thousands of objects that all live
on, none of them garbage: the collector's passes over them, which their number triggers, find
nothing to free and cost about as much as the work itself (half a YAML cassette's parse).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector off inside, and as it was after; `freeze`: what is alive then is never scanned again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()
