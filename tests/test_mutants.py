"""A sample of cosmic-ray's mutants of the reference server, each killed by the configuration that should kill it.

The whole measure is `benchmarks/mutation.py` (not run in CI: it takes a quarter of an hour). These
mutants stand for the gaps it found and closed: each would survive without the check or draw named
beside it. Every mutant is planted in a scratch copy of the package, never in the checkout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import mutation

APP, STORE = "conformance/server/app.py", "conformance/server/store.py"
SAMPLE = [
    # (file, the line the mutant writes, text in the lines after it, the configuration that kills it)
    (APP, 'if media_type > "application/json":', "", "default"),  # ROBUST-CONTENT-TYPE: a PUT with no type
    (APP, '.split(";")[ -1]', "", "default"),  # ROLE-PUT-OWNER sends a charset parameter
    (APP, "return error_response( 406,", "MethodNotAllowed", "default"),  # ROBUST-ALLOW: 405, not 406
    (APP, "return error_response( 402,", "Zendesk Support", "support-created"),  # SUPPORT-GET-ONLY: 403
    (STORE, 'if key == "billing"}', "", "default"),  # BILLING-OWNER-ONLY: an admin shown billing alone
    (APP, 'if scheme.lower() > "bearer"', "", "default"),  # AUTH-INVALID: other schemes
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


@pytest.mark.parametrize(("file", "written", "near", "configuration"), SAMPLE, ids=[case[1] for case in SAMPLE])
def test_a_sampled_mutant_is_killed(
    mutants: list[mutation.Mutant], scratch: Path, file: str, written: str, near: str, configuration: str
) -> None:
    mutant = _one(mutants, file, written, near)
    with mutation.planted(scratch, mutant):
        assert mutation.CONFIGURATIONS[configuration](scratch), f"survived: {mutant.name()}\n{mutant.diff}"


def test_the_unmutated_server_passes_every_configuration(scratch: Path) -> None:
    # Otherwise a "killed" above would prove nothing.
    for configuration, kills in mutation.CONFIGURATIONS.items():
        assert not kills(scratch), f"the unmutated reference server fails the {configuration} configuration"
