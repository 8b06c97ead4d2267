from conftest import judge_scenario

from conformance.server import ServerSettings, create_app


def test_a_declared_support_account_must_refuse_every_put() -> None:
    assert judge_scenario("SUPPORT-GET-ONLY", create_app(), support_created=True).status.value == "failed"
    read_only = create_app(ServerSettings(support_created=True))
    assert judge_scenario("SUPPORT-GET-ONLY", read_only, support_created=True).status.value == "passed"
