"""Debian's Chromium, as the tests and benchmarks open the HTML report in it (through Playwright)."""

from __future__ import annotations

import shutil
from typing import Any

EXECUTABLE = shutil.which("chromium") or shutil.which("chromium-browser")
INSTALL = "apt-get install chromium"
# As root on a machine with no network beyond the package registries: no sandbox, no background fetches.
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch(playwright: Any) -> Any:
    """A headless Chromium browser, from a `sync_playwright()` context."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=list(ARGS))
