"""Samples of mutants, each killed by what should kill it: the suite for the server's, a test for the project's own.

The whole measures are `benchmarks/mutation.py` (cosmic-ray's mutants of the reference server) and
`benchmarks/self_mutation.py` (of the modules users rely on most, judged by their tests); neither
runs in CI, both take a quarter of an hour or more. The server's mutants here stand for the gaps the
first found and closed: each would survive without the check or draw named beside it, and must be
failed by that rule. The project's own mutants stand for breakages a test once let through: each
must be failed by the test named beside it. Every mutant is planted in a scratch copy, never in the
checkout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import mutation, self_mutation

APP, STORE = "conformance/server/app.py", "conformance/server/store.py"
SAMPLE = [
    # (file, the line the mutant writes, text in the lines after it, the configuration that kills
    # it, the rule that must fail)
    (APP, 'if media_type > "application/json":', "", "default", "ROBUST-CONTENT-TYPE"),  # a PUT with no type
    (APP, '.split(";")[ -1]', "", "default", "ROLE-PUT-OWNER"),  # it sends a charset parameter
    (APP, "return error_response( 406,", "MethodNotAllowed", "default", "ROBUST-ALLOW"),  # 405, not 406
    (APP, "return error_response( 402,", "Zendesk Support", "support-created", "SUPPORT-GET-ONLY"),  # 403
    (STORE, 'if key == "billing"}', "", "default", "BILLING-OWNER-ONLY"),  # an admin shown billing alone
    (APP, 'if scheme.lower() > "bearer"', "", "default", "AUTH-INVALID"),  # other schemes
]


@pytest.fixture(scope="module")
def mutants(tmp_path_factory: pytest.TempPathFactory) -> list[mutation.Mutant]:
    pytest.importorskip("cosmic_ray")
    return mutation.mutants(mutation.FILES, tmp_path_factory.mktemp("cosmic-ray") / "session.sqlite")


def _one(mutants: list[mutation.Mutant], file: str, written: str, near: str) -> mutation.Mutant:
    matching = [
        m for m in mutants if m.file == file and any(written in line for line in _added(m)) and near in _after(m)
    ]
    assert len(matching) == 1, f"{len(matching)} mutants of {file} write {written!r} before {near!r}"
    return matching[0]


def _after(mutant: mutation.Mutant) -> str:
    return "".join(mutant.code.splitlines(True)[mutant.line - 1 : mutant.line + 3])


def _added(mutant: mutation.Mutant) -> list[str]:
    return [line for line in mutant.diff.splitlines() if line.startswith("+") and not line.startswith("+++")]


@pytest.fixture(scope="module")
def scratch() -> object:
    with mutation.scratch_package() as folder:
        yield folder


@pytest.mark.parametrize(("file", "written", "near", "configuration", "rule"), SAMPLE, ids=[case[1] for case in SAMPLE])
def test_a_sampled_mutant_is_killed_by_its_rule(
    mutants: list[mutation.Mutant], scratch: Path, file: str, written: str, near: str, configuration: str, rule: str
) -> None:
    mutant = _one(mutants, file, written, near)
    with mutation.planted(scratch, mutant):
        judgement = mutation.JUDGES[configuration](scratch)
    # Killed by the rule, not by a crash, a hang or a rule that could not be judged.
    assert judgement.broken is None and rule not in judgement.errored, f"{judgement}: {mutant.name()}"
    assert rule in judgement.failed, f"{rule} did not fail, {sorted(judgement.failed)} did: {mutant.name()}"


def test_the_unmutated_server_passes_every_configuration(scratch: Path) -> None:
    # Otherwise a "killed" above would prove nothing.
    for configuration, judge in mutation.JUDGES.items():
        assert judge(scratch) == mutation.Judgement(), f"the unmutated server fails the {configuration} configuration"


# --- the project's own modules, each mutant with the test that must fail on it ------------------------

SELF_SAMPLE = [
    # (file, a snippet of its source, what the mutant writes instead, the test that must fail)
    (
        "conformance/cassettes/scrub.py",
        'if name not in ("country_code", "cycle"))',
        'if name not in ("country_code", "cycle", "phone", "address1", "company"))',
        "tests/test_cassettes.py::test_a_recording_keeps_no_token_and_no_original_personal_value",
    ),
    (
        "conformance/server/store.py",
        "        with self._lock:\n            account = self.account()",
        "        if True:\n            account = self.account()",
        "tests/test_server.py::test_concurrent_updates_are_never_lost",
    ),
    (
        "conformance/cassettes/format.py",
        "return FORMATS[path.suffix.lower()]",
        'return FORMATS.get(path.suffix.lower(), "yaml")',
        "tests/test_outputs.py::test_a_cassette_named_neither_json_nor_yaml_is_a_usage_error",
    ),
    (
        "conformance/cli/run.py",
        "    if args.replay or args.record:\n",
        "    if args.record:\n",
        "tests/test_dry_run.py::test_a_dry_run_cannot_record_or_replay",
    ),
    (
        "conformance/cli/run.py",
        "support_created=args.support_created,",
        "support_created=False,",
        "tests/test_cli.py::test_the_embedded_server_can_be_support_created",
    ),
]


@pytest.fixture(scope="module")
def checkout() -> object:
    with self_mutation.scratch_checkout() as folder:
        yield folder


def _self_mutant(file: str, snippet: str, written: str) -> mutation.Mutant:
    source = (mutation.ROOT / file).read_text(encoding="utf-8")
    assert source.count(snippet) == 1, f"{file} no longer holds {snippet!r} once: update SELF_SAMPLE"
    line = source[: source.index(snippet)].count("\n") + 1
    return mutation.Mutant("self", file, "snippet", 0, line, None, source.replace(snippet, written))


@pytest.mark.parametrize(("file", "snippet", "written", "test"), SELF_SAMPLE, ids=[case[3] for case in SELF_SAMPLE])
def test_a_sampled_mutant_of_the_project_fails_its_test(
    checkout: Path, file: str, snippet: str, written: str, test: str
) -> None:
    with mutation.planted(checkout, _self_mutant(file, snippet, written)):
        code, failing = self_mutation.Pytest(timeout=300).run(checkout, (test,))
    assert code == 1 and failing.startswith(f"FAILED {test}"), f"pytest exit {code}: {failing}"


def test_the_unmutated_project_passes_those_tests(checkout: Path) -> None:
    # Otherwise a failure above would prove nothing.
    code, failing = self_mutation.Pytest(timeout=300).run(checkout, tuple(sorted({case[3] for case in SELF_SAMPLE})))
    assert code == 0, failing
