"""A badge for a README: the shields.io endpoint format (https://shields.io/badges/endpoint-badge).

Publish the file where shields.io can fetch it and show it with
`https://img.shields.io/endpoint?url=<where the file is>`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.catalog import Level
from conformance.results import RunResult, Status

LABEL = "Chat Accounts API"
COLOR = {"pass": "brightgreen", "fail": "red", "error": "lightgrey"}


def to_dict(result: RunResult) -> dict[str, Any]:
    """`passed/judged MUST`: judged leaves out the MUST rules the run skipped (no token, --no-writes)."""
    must = [entry for entry in result.requirements if entry.requirement.level is Level.MUST]
    judged = [entry for entry in must if entry.status is not Status.SKIPPED]
    passed = sum(entry.status is Status.PASSED for entry in judged)
    message = f"{passed}/{len(judged)} MUST"
    known = sum(entry.status is Status.EXPECTED for entry in result.requirements)
    if known:
        message += f", {known} known"
    if result.verdict == "error":
        message += ", not all judged"
    color = COLOR[result.verdict]
    if result.verdict == "pass" and (known or passed < len(judged)):
        color = "yellowgreen"  # passes, with known deviations
    return {"schemaVersion": 1, "label": LABEL, "message": message, "color": color}


def write(result: RunResult, path: Path) -> None:
    path.write_text(json.dumps(to_dict(result)) + "\n", encoding="utf-8")
