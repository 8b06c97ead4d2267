import pytest
from conftest import context, exchange

from conformance.checks.rate import rate_limit_says_when
from conformance.failures import Violation


def test_a_429_must_say_when_to_retry() -> None:
    json_type = {"content-type": "application/json"}
    assert rate_limit_says_when(exchange(429, {}, headers={**json_type, "retry-after": "30"}), context()) is True
    http_date = {**json_type, "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert rate_limit_says_when(exchange(429, {}, headers=http_date), context()) is True
    with pytest.raises(Violation, match="when to retry"):
        rate_limit_says_when(exchange(429, {}, headers=json_type), context())
    assert rate_limit_says_when(exchange(200, {}), context()) is None
