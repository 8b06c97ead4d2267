import re

import pytest
from conftest import assert_catches, judge_scenario
from servers import counted

from conformance.results import Status
from conformance.server import faults

CASES = [
    ("ROLE-GET-ADMIN", faults.AdminCannotRead),
    ("ROLE-GET-AGENT", faults.AgentCanRead),
    ("ROLE-PUT-OWNER", faults.OwnerCannotUpdate),
    ("ROLE-PUT-ADMIN", faults.AdminCanUpdate),
    ("ROLE-PUT-AGENT", faults.AgentCanUpdate),
]


@pytest.mark.parametrize(("requirement_id", "fault"), CASES)
def test_each_role_scenario_catches_its_fault_and_passes_the_reference(requirement_id: str, fault: type) -> None:
    assert_catches(requirement_id, fault())


class ValidatesBeforeRoles(faults.Fault):
    """A PUT whose country code is not two capital letters gets 422 before its sender's role is looked at."""

    def request(self, req: faults.Req) -> faults.Req | faults.Resp:
        document = req.document()
        billing = document.get("billing") if isinstance(document, dict) else None
        code = billing.get("country_code") if isinstance(billing, dict) else None
        if req.method == "PUT" and isinstance(code, str) and not re.fullmatch("[A-Z]{2}", code):
            return faults.Resp(422, body=b'{"error": "InvalidValue", "description": "country_code"}')
        return req


@pytest.mark.parametrize("requirement_id", ["ROLE-PUT-ADMIN", "ROLE-PUT-AGENT"])
def test_an_implausible_value_refused_before_the_role_is_no_role_failure(requirement_id: str) -> None:
    server = counted(ValidatesBeforeRoles)
    result = judge_scenario(requirement_id, server, max_examples=25)
    assert server.answered > 0  # the case arose: a generated body the server found implausible
    assert result.status is Status.PASSED, result.failures


def test_an_admin_shown_less_than_the_owners_account_fails_role_get_admin_view() -> None:
    assert_catches("ROLE-GET-ADMIN-VIEW", faults.AdminSeesNoPlan())


@pytest.mark.parametrize("variant", [faults.EmptyBillingForAdmins, faults.ExtraFields, faults.AdminSeesBilling])
def test_billing_and_fields_beyond_the_owners_are_not_role_get_admin_views_to_judge(variant: type) -> None:
    # Billing shown or hidden is BILLING-OWNER-ONLY's; fields the admin sees beyond the owner's are not judged.
    assert judge_scenario("ROLE-GET-ADMIN-VIEW", variant()).status is Status.PASSED


class AdminSeesOtherValues(faults.Fault):
    """An admin is shown the account with another status than the owner's."""

    def response(self, req: faults.Req, resp: faults.Resp) -> faults.Resp:
        document = resp.document()
        if req.method == "GET" and req.auth == self.admin and isinstance(document, dict):
            return resp.with_document({**document, "status": "suspended"})
        return resp


class NewAccountEveryTime(faults.Fault):
    """A mock that generates every answer anew: no two reads of the owner agree."""

    def response(self, req: faults.Req, resp: faults.Resp) -> faults.Resp:
        document = resp.document()
        if req.method == "GET" and isinstance(document, dict):
            self.reads = getattr(self, "reads", 0) + 1
            return resp.with_document({**document, "status": f"generated {self.reads}"})
        return resp


def test_role_get_admin_view_compares_values_and_skips_an_account_that_never_reads_the_same() -> None:
    different = judge_scenario("ROLE-GET-ADMIN-VIEW", AdminSeesOtherValues())
    assert different.status is Status.FAILED and "suspended" in different.failures[0].actual
    assert judge_scenario("ROLE-GET-ADMIN-VIEW", NewAccountEveryTime()).status is Status.SKIPPED
    assert judge_scenario("ROLE-GET-ADMIN-VIEW", faults.AdminCannotRead()).status is Status.SKIPPED  # ROLE-GET-ADMIN's
