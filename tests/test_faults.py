"""The suite catches faults: each broken server fails exactly the requirements it says it breaks.

Where one fault must break more than one rule (the rules overlap), `breaks` lists them all with
the reason. Correct variants, behaviours the catalog allows, fail nothing. Each runs at the
settings a user gets by default.
"""

from __future__ import annotations

import pytest
from conftest import SEED, failed, run_suite

from conformance import catalog
from conformance.context import Options
from conformance.server import ServerSettings, create_app, faults
from conformance.server.serving import Behaviour, build
from conformance.server.store import AccountStore

FAULTS = [(fault, set(fault.breaks)) for fault in faults.FAULTS]  # each fault names what it breaks
SHOULD_ONLY = {requirement.id for requirement in catalog.requirements() if requirement.level is catalog.Level.SHOULD}


def served(name: str) -> object:
    """The reference server playing one fault of the catalog, as `serve --fault NAME` builds it."""
    settings = ServerSettings()
    return build(settings, AccountStore(settings.account), Behaviour([name]))


@pytest.mark.parametrize(("fault", "expected"), FAULTS, ids=[fault.name() for fault, _ in FAULTS])
def test_a_fault_fails_the_requirement_it_breaks(fault: type[faults.Fault], expected: set[str]) -> None:
    result = run_suite(served(fault.name()), max_examples=Options().max_examples)  # a user's default settings
    assert failed(result) == expected
    assert result.verdict == ("pass" if expected <= SHOULD_ONLY else "fail")
    for entry in result.requirements:
        if entry.requirement.id in expected:
            assert entry.failures and entry.failures[0].message


def test_a_support_created_account_that_accepts_puts_fails_support_get_only() -> None:
    result = run_suite(create_app(), support_created=True)
    assert failed(result) == {"SUPPORT-GET-ONLY"}


SEEDS = (1, 2, 3, 7, SEED)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_lenient_json_parser_is_caught_by_robust_bad_json_on_every_seed(seed: int) -> None:
    result = run_suite(served(faults.ReadsJsonLeniently.name()), seed=seed)
    assert failed(result) == {"ROBUST-BAD-JSON"}
    failure = result.by_id()["ROBUST-BAD-JSON"].failures[0]
    assert failure.actual.startswith(("200", "422")) and failure.expected == "400 or 413"


@pytest.mark.parametrize("seed", SEEDS)
def test_null_taken_as_not_sent_passes_and_null_stored_fails_on_every_seed(seed: int) -> None:
    assert failed(run_suite(served(faults.NullIsNotSent.name()), seed=seed)) == set()
    stored = failed(run_suite(served(faults.StoresNull.name()), seed=seed))
    assert faults.StoresNull.breaks <= stored <= {*faults.StoresNull.breaks, "ROBUST-STATE-VALID"}


VARIANTS = list(faults.VARIANTS)


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant.name() for variant in VARIANTS])
def test_a_correct_variant_fails_nothing(variant: type[faults.Fault]) -> None:
    result = run_suite(served(variant.name()))
    assert failed(result) == set()
    assert result.verdict == "pass"


def test_latency_fails_nothing() -> None:
    result = run_suite(faults.Slow(), max_examples=3)
    assert failed(result) == set()


def test_the_reference_server_passes_everything_it_can_be_asked() -> None:
    result = run_suite(create_app(), max_examples=25)
    assert failed(result) == set()
    skipped = {entry.requirement.id for entry in result.requirements if entry.status.value == "skipped"}
    assert skipped == {"SUPPORT-GET-ONLY", "RATE-RETRY-AFTER"}


def test_a_support_created_reference_server_passes() -> None:
    result = run_suite(create_app(ServerSettings(support_created=True)), support_created=True)
    assert failed(result) == set()
    assert result.by_id()["SUPPORT-GET-ONLY"].status.value == "passed"
