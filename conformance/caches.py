"""Where the suite keeps what it can make again: in the user's cache folder, never where it is started."""

from __future__ import annotations

import os
from pathlib import Path


def folder(name: str) -> Path:
    """`chat-conformance/<name>` in the user's cache folder: $XDG_CACHE_HOME, else ~/.cache."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "chat-conformance" / name
