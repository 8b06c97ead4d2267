"""Docs drift: where the docs' own examples and field table disagree with the OpenAPI description.

The description was written from the docs, and where the docs contradict themselves it had to
choose. This lists each place, what the docs show, and what the description chose, so a reader
can see why. A finding is a `conflict` when a docs example breaks the description's schema (one
of them is wrong), and a `note` where the description made a documented choice.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from conformance import spec

ARTIFACT = "[email protected]"  # what the captured page shows in place of a hidden e-mail address
SECTIONS = ("Show Account", "Update Account")
KINDS = {"Example": "example", "Example body": "example body", "Example response(s)": "example response"}
NAME_FIELDS = ("first_name", "last_name")


@dataclass(frozen=True)
class Example:
    section: str
    kind: str
    line: int
    document: Any

    @property
    def where(self) -> str:
        return f"{self.section}, {self.kind} (line {self.line})"

    @property
    def schema(self) -> str:
        return "AccountUpdate" if self.kind == "example body" else "Account"


@dataclass(frozen=True)
class Finding:
    severity: str  # "conflict" or "note"
    where: str
    path: str
    docs: str
    finding: str
    description: str  # what the OpenAPI description says, and why

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def examples(text: str) -> list[Example]:
    """The JSON examples of the docs page, each with the section and kind of example it illustrates."""
    found: list[Example] = []
    section, kind = "JSON format", "example"
    block: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if block is not None:
            block.append(line)
            if stripped.startswith("}") and "".join(block).count("{") == "".join(block).count("}"):
                with contextlib.suppress(ValueError):  # a brace block of a code sample is no example
                    found.append(Example(section, kind, start, json.loads("\n".join(block))))
                block = None
            continue
        if stripped in SECTIONS:
            section = stripped
        elif stripped in KINDS:
            kind = KINDS[stripped]
        elif stripped == "{":
            block, start = [line], number
    return found


def _strings(document: Any, path: str = "$") -> list[tuple[str, str]]:
    if isinstance(document, dict):
        return [item for key, value in document.items() for item in _strings(value, f"{path}.{key}")]
    return [(path, document)] if isinstance(document, str) else []


def _schema_conflicts(example: Example) -> list[Finding]:
    return [
        Finding(
            "conflict",
            example.where,
            problem.split(": ", 1)[0],
            "",
            problem.split(": ", 1)[1],
            f"the example breaks the {example.schema} schema",
        )
        for problem in spec.errors(example.schema, example.document)
    ]


_ARTIFACT_READINGS = {
    "name": (
        "a name field holds an e-mail address (hidden by the page)",
        "names are plain strings; the description's example puts a name here (Doe, the Show example's)",
    ),
    "other": (
        "an e-mail address hidden by the page's e-mail protection",
        "the description's examples use a placeholder address (johndoe@example.com)",
    ),
}


def _artifacts(example: Example) -> list[Finding]:
    findings = []
    for path, value in _strings(example.document):
        if value == ARTIFACT:
            kind = "name" if path.rsplit(".", 1)[-1] in NAME_FIELDS else "other"
            findings.append(Finding("note", example.where, path, value, *_ARTIFACT_READINGS[kind]))
    return findings


def _mixed_limits(example: Example) -> list[Finding]:
    plan = example.document.get("plan") if isinstance(example.document, dict) else None
    limits = {name: value for name, value in (plan or {}).items() if name.startswith("max_")}
    counts = sorted(name for name, value in limits.items() if isinstance(value, int))
    unlimited = sorted(name for name, value in limits.items() if value == "unlimited")
    if not (counts and unlimited):
        return []
    return [
        Finding(
            "note",
            example.where,
            "$.plan",
            f'integers: {", ".join(counts)}; "unlimited": {", ".join(unlimited)}',
            'plan limits are integers in one place and the string "unlimited" in another; the docs give no type',
            'every limit is a Limit: a non-negative integer or "unlimited", since any limit may be lifted',
        )
    ]


def _update_not_shown(body: Example, response: Example) -> list[Finding]:
    sent = body.document.get("billing", {}) if isinstance(body.document, dict) else {}
    shown = response.document.get("billing", {}) if isinstance(response.document, dict) else {}
    missing = sorted(name for name in sent if name not in shown)
    if not missing:
        return []
    return [
        Finding(
            "note",
            response.where,
            "$.billing",
            ", ".join(missing),
            f"the example response does not show {', '.join(missing)}, which the example body sends",
            "the response of a PUT is the whole account, showing what was sent (rule UPD-APPLIES)",
        )
    ]


def _table(text: str) -> list[Finding]:
    """The JSON format table's type and read-only columns against the Account schema."""
    findings = []
    properties = spec.component("Account")["properties"]
    for match in re.finditer(r"^(\w+) \| (\w+) \| (true|false) \| (true|false) \|", text, re.MULTILINE):
        name, kind, read_only, _mandatory = match.groups()
        schema = properties.get(name, {})
        resolved = spec.component(schema["$ref"].rsplit("/", 1)[-1]) if "$ref" in schema else schema
        where = f"JSON format table, {name}"
        if resolved.get("type") != kind:
            findings.append(
                Finding(
                    "conflict",
                    where,
                    f"$.{name}",
                    kind,
                    "the docs' type differs from the schema's",
                    f"the description says {resolved.get('type')}",
                )
            )
        if bool(resolved.get("readOnly")) != (read_only == "true"):
            findings.append(
                Finding(
                    "conflict",
                    where,
                    f"$.{name}",
                    f"read-only {read_only}",
                    "the docs' read-only column differs",
                    "see the description's readOnly",
                )
            )
        if name == "create_date":
            findings.append(
                Finding(
                    "note",
                    where,
                    "$.create_date",
                    kind,
                    "the docs type the creation date as a plain string",
                    "an ISO 8601 UTC timestamp (date-time), as every example shows it (2014-08-06T11:02:09Z)",
                )
            )
    return findings


def lint(text: str) -> list[Finding]:
    found = examples(text)
    findings = _table(text)
    for example in found:
        findings += _schema_conflicts(example) + _artifacts(example) + _mixed_limits(example)
    bodies = [example for example in found if example.kind == "example body"]
    responses = [
        example for example in found if example.section == "Update Account" and example.kind == "example response"
    ]
    for body in bodies:
        for response in responses:
            findings += _update_not_shown(body, response)
    return findings


def default_docs() -> Path | None:
    """The docs page where a checkout keeps it: `../shared/docs/` beside the working folder or the project."""
    candidates = [Path.cwd().parent / "shared", Path(__file__).resolve().parents[2] / "shared"]
    for shared in candidates:
        path = shared / "docs" / "chat-accounts-api.md"
        if path.is_file():
            return path
    return None
