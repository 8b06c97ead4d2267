"""Whether this process may fork: the worker, the drawing of schemathesis's PUTs and a cassette's first read do."""

from __future__ import annotations

import os
import sys
import threading


def can_fork() -> bool:
    """Forking copies only the calling thread: safe in a process that has no other thread yet.

    Not on macOS, whose system libraries do not survive a fork without exec.
    """
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1
