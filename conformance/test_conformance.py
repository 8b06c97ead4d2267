"""The conformance suite as pytest tests: one per requirement ID (see `conformance.pytest_plugin`)."""

from __future__ import annotations

import warnings

import pytest

from conformance import catalog
from conformance.reports.text import failure_text


@pytest.mark.parametrize("requirement_id", [requirement.id for requirement in catalog.requirements()])
def test_requirement(requirement_id: str, chat_requirement: dict, request: pytest.FixtureRequest) -> None:
    entry = chat_requirement  # an errored rule never gets here: it is a pytest error at setup
    requirement = catalog.get(requirement_id)
    if entry["status"] == "skipped":
        pytest.skip(entry["reason"])
    if entry["status"] == "failed":
        text = f"{requirement_id} {requirement.level.value}: {requirement.rule}\n\n" + "\n\n".join(
            failure_text(failure) for failure in entry["failures"]
        )
        expected = request.node.get_closest_marker("xfail") is not None  # listed in --chat-expect
        if requirement.level is catalog.Level.SHOULD and not expected:
            warnings.warn(text, stacklevel=1)
            return
        pytest.fail(text, pytrace=False)
