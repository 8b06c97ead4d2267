"""The suite catches faults: each broken server fails exactly the requirements it breaks.

Where one fault must break more than one rule (the rules overlap), the extra IDs are listed with
the reason. Correct variants, behaviours the catalog allows, fail nothing.
"""

from __future__ import annotations

import faults
import pytest
from conftest import failed, run_suite

from conformance.context import Options
from conformance.server import ServerSettings, create_app

FAULTS = [
    (faults.CreateDateNotUtc, {"SHAPE-ACCOUNT"}),
    (faults.ErrorsAsPlainText, {"SHAPE-CONTENT-TYPE"}),
    (faults.MissingCredentialsAsAdmin, {"AUTH-MISSING"}),
    (faults.UnknownTokensAsAdmin, {"AUTH-INVALID"}),
    (faults.RefusalLeaksKey, {"AUTH-NO-LEAK"}),
    (faults.SilentRefusals, {"AUTH-ERROR-BODY"}),
    (faults.AdminCannotRead, {"ROLE-GET-ADMIN"}),
    (faults.AgentCanRead, {"ROLE-GET-AGENT"}),
    # An owner whose PUT is refused cannot see an update applied, nor get 400 for broken JSON.
    (faults.OwnerCannotUpdate, {"ROLE-PUT-OWNER", "UPD-APPLIES", "ROBUST-BAD-JSON"}),
    (faults.AdminCanUpdate, {"ROLE-PUT-ADMIN"}),
    (faults.AgentCanUpdate, {"ROLE-PUT-AGENT"}),
    (faults.AdminSeesBilling, {"BILLING-OWNER-ONLY"}),
    (faults.AppliesReadOnlyFields, {"RO-IGNORED"}),
    (faults.IgnoresUpdates, {"UPD-APPLIES"}),
    (faults.ForgetsUpdates, {"UPD-PERSISTS"}),
    (faults.CountsRepeats, {"UPD-IDEMPOTENT"}),
    (faults.ReplacesBilling, {"UPD-MERGE"}),
    (faults.CrashesOnWrongType, {"ROBUST-NO-5XX"}),
    (faults.MalformedJsonIs422, {"ROBUST-BAD-JSON"}),
    (faults.AcceptsWrongTypes, {"ROBUST-INVALID-REJECTED"}),
    # Found by the edge values, which every run sends once each.
    (faults.CrashesOnDeepNesting, {"ROBUST-NO-5XX"}),
    (faults.CrashesOnAstralCharacters, {"ROBUST-NO-5XX"}),
    (faults.NumbersAsStringsAccepted, {"ROBUST-INVALID-REJECTED"}),
    (faults.LosesAccountAfterEmptyUpdate, {"ROBUST-STATE-VALID"}),
    (faults.AnyContentTypeIsJson, {"ROBUST-CONTENT-TYPE"}),
    (faults.PostActsAsPut, {"ROBUST-METHOD"}),
    (faults.RateLimitWithoutRetryAfter, {"RATE-RETRY-AFTER"}),
]
SHOULD_ONLY = {"AUTH-ERROR-BODY", "UPD-MERGE", "ROBUST-CONTENT-TYPE", "RATE-RETRY-AFTER"}


@pytest.mark.parametrize(("fault", "expected"), FAULTS, ids=[fault.__name__ for fault, _ in FAULTS])
def test_a_fault_fails_the_requirement_it_breaks(fault: type[faults.Fault], expected: set[str]) -> None:
    result = run_suite(fault(), max_examples=Options().max_examples)  # the settings a user gets by default
    assert failed(result) == expected
    assert result.verdict == ("pass" if expected <= SHOULD_ONLY else "fail")
    for entry in result.requirements:
        if entry.requirement.id in expected:
            assert entry.failures and entry.failures[0].message


def test_a_support_created_account_that_accepts_puts_fails_support_get_only() -> None:
    result = run_suite(create_app(), support_created=True)
    assert failed(result) == {"SUPPORT-GET-ONLY"}


VARIANTS = [
    faults.RefusesReadOnlyFields,
    faults.EmptyBillingForAdmins,
    faults.ExtraFields,
    faults.NoCharset,
    faults.IgnoresUnknownFields,
    faults.RateLimitedWithRetryAfter,
]


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant.__name__ for variant in VARIANTS])
def test_a_correct_variant_fails_nothing(variant: type[faults.Fault]) -> None:
    result = run_suite(variant())
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
