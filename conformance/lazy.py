"""hypothesis's strategies, loaded when the first one is built rather than when the suite starts.

A replay hands the checks the examples its recording kept and draws none, so it need not load
hypothesis, a fifth of what it costs. Modules take `strategies` from here and build strategies in
functions, never at import (tests/test_lazy.py makes sure a replay leaves hypothesis unloaded).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any


class _OnFirstUse:
    """Stands for a module, importing it when one of its attributes is first asked for."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


if TYPE_CHECKING:
    from hypothesis import strategies
else:
    strategies = _OnFirstUse("hypothesis.strategies")

__all__ = ["strategies"]
