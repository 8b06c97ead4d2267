"""conformance.cli.lean: the command leaves httpx's own command line unloaded, and it still works if called."""

from __future__ import annotations

import subprocess
import sys

import pytest

# In fresh interpreters: this one has httpx loaded already.
STAND_IN = """
import sys
from conformance.cli import lean
lean.skip_httpx_command_line()
import httpx
print("click" in sys.modules, "pygments" in sys.modules)
httpx.main(["--help"])
"""


def test_httpx_loads_without_its_command_line_which_still_runs_when_called() -> None:
    pytest.importorskip("click")  # httpx's command line needs it: without it there is nothing to stand in for
    out = subprocess.run([sys.executable, "-c", STAND_IN], capture_output=True, text=True, timeout=60)
    first, *rest = out.stdout.splitlines()
    assert first == "False False"
    assert "Usage: httpx" in "\n".join(rest), out.stderr


def test_the_command_runs_without_loading_httpx_command_line() -> None:
    out = subprocess.run(
        # A run that sends (a replay loads no httpx at all: tests/test_lazy.py).
        [sys.executable, "-X", "importtime", "-m", "conformance", "run", "--seed", "1", "--max-examples", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "httpx" in loaded
    assert "httpx._main" not in loaded and "pygments" not in loaded  # click comes with schemathesis
