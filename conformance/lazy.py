"""hypothesis's strategies and httpx, loaded when first used rather than when the suite starts.

A replay hands the checks the examples its recording kept and draws none, so it need not load
hypothesis, a fifth of what it costs; and its cassette answers each request without HTTP objects
(`CassetteTransport.answer`), so it need not load httpx either, another seventh. Modules take
`strategies` and `httpx` from here and use them in functions, never at import
(tests/test_lazy.py makes sure a replay leaves both unloaded).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any


class _OnFirstUse:
    """Stands for a module, importing it when one of its attributes is first asked for."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


if TYPE_CHECKING:
    import httpx
    from hypothesis import strategies
else:
    strategies = _OnFirstUse("hypothesis.strategies")
    httpx = _OnFirstUse("httpx")

__all__ = ["httpx", "strategies"]
