"""lint-docs: the docs' examples and table against the OpenAPI description."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import cli, docs_drift

DOCS = Path(__file__).resolve().parents[2] / "shared" / "docs" / "chat-accounts-api.md"

SMALL = """Accounts
JSON format
Name | Type | Read-only | Mandatory | Description |
account_key | string | true | false | The key |
status | object | true | false | The status |
Example
{
"account_key": "k",
"create_date": "yesterday",
"plan": {"max_agents": 3, "max_departments": "unlimited"}
}
Show Account
func main() {
fmt.Println("a code sample")
}
Update Account
Example body
{
"billing": {"email": "a@b.example", "first_name": "A"}
}
Example response(s)
{
"account_key": "k",
"billing": {"first_name": "A", "last_name": "[email protected]"}
}
"""


def test_examples_are_found_with_their_section_and_kind_and_code_is_skipped() -> None:
    found = [(example.section, example.kind) for example in docs_drift.examples(SMALL)]
    assert found == [
        ("JSON format", "example"),
        ("Update Account", "example body"),
        ("Update Account", "example response"),
    ]


def test_each_kind_of_disagreement_is_reported() -> None:
    findings = {(finding.severity, finding.path) for finding in docs_drift.lint(SMALL)}
    assert ("conflict", "$.create_date") in findings  # breaks the Account schema
    assert ("conflict", "$.status") in findings  # the table says object, the schema string
    assert ("note", "$.plan") in findings  # limits of mixed types
    assert ("note", "$.billing.last_name") in findings  # a name holding an e-mail
    assert ("note", "$.billing") in findings  # the response does not show the e-mail sent


def test_a_conflict_makes_lint_docs_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs.md"
    docs.write_text(SMALL)
    assert cli.main(["lint-docs", str(docs)]) == 1
    capsys.readouterr()
    assert cli.main(["lint-docs", str(tmp_path / "missing.md")]) == 2
    assert f"cannot read {tmp_path / 'missing.md'}" in capsys.readouterr().err


@pytest.mark.skipif(not DOCS.exists(), reason="the captured docs page is not beside the checkout")
def test_the_real_docs_have_the_known_notes_and_no_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    findings = docs_drift.lint(DOCS.read_text())
    assert not [finding for finding in findings if finding.severity == "conflict"]
    where = {(finding.where.split(" (")[0], finding.path) for finding in findings}
    assert ("Update Account, example response", "$.billing.last_name") in where
    assert ("Show Account, example response", "$.plan") in where
    assert cli.main(["lint-docs", str(DOCS)]) == 0
    assert "0 conflicts, in 4 examples" in capsys.readouterr().out
