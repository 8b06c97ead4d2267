"""JUnit XML: one test case per requirement, so any CI shows the catalog as a test list."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.reports.json_report import requirement_entry
from conformance.reports.text import failures_text
from conformance.results import RunResult, Status


def to_xml(result: RunResult) -> ET.ElementTree:
    counts = result.counts()
    suite = ET.Element(
        "testsuite",
        name="zendesk-chat-conformance",
        tests=str(len(result.requirements)),
        failures=str(counts["failed"]),
        skipped=str(counts["skipped"] + counts["expected"]),
        errors=str(counts["errored"]),
        time=f"{result.duration_s:.3f}",
    )
    for entry in result.requirements:
        requirement = entry.requirement
        case = ET.SubElement(
            suite, "testcase", classname=f"conformance.{requirement.level.value}", name=requirement.id, time="0"
        )
        if entry.status is Status.FAILED:
            more = entry.distinct_failures - 1
            also = f" (and {more} more distinct failure{'s' if more != 1 else ''})" if more > 0 else ""
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{requirement.id} {requirement.level.value}: {entry.failures[0].message}{also}",
                type="warning" if entry.is_warning else "failure",
            )
            failure.text = failures_text(requirement_entry(entry))
        elif entry.status is Status.SKIPPED:
            ET.SubElement(case, "skipped", message=entry.reason or "")
        elif entry.status is Status.EXPECTED:  # as pytest writes an xfail: skipped, of its own type
            skipped = ET.SubElement(case, "skipped", type="expected", message=f"expected to fail: {entry.expectation}")
            skipped.text = failures_text(requirement_entry(entry))
        elif entry.status is Status.ERRORED:
            error = ET.SubElement(case, "error", message=f"{requirement.id} could not be judged: {entry.reason}")
            error.text = entry.error.traceback if entry.error and entry.error.traceback else entry.reason
        if entry.notes:
            ET.SubElement(case, "system-out").text = "\n".join(entry.notes)
    return ET.ElementTree(suite)


def write(result: RunResult, path: Path) -> None:
    tree = to_xml(result)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
