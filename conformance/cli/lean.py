"""What the command need not load: httpx's own command line.

`import httpx` also imports `httpx._main`, the `httpx` command, and with it click and pygments:
30 to 70 ms of a run's start-up that no run uses (a replay loads no httpx at all). The command
puts a stand-in in its place before anything imports httpx; the stand-in loads the real module if
anything calls it.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

HTTPX_COMMAND_LINE = "httpx._main"


def skip_httpx_command_line() -> None:
    """Stand in for `httpx._main` until called; nothing to do once httpx is loaded."""
    if "httpx" in sys.modules or HTTPX_COMMAND_LINE in sys.modules:
        return
    stand_in = types.ModuleType(HTTPX_COMMAND_LINE, "Stands in for httpx's command line until it is called.")

    def main(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get(HTTPX_COMMAND_LINE) is stand_in:
            del sys.modules[HTTPX_COMMAND_LINE]
        return importlib.import_module(HTTPX_COMMAND_LINE).main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules[HTTPX_COMMAND_LINE] = stand_in
