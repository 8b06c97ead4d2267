"""Pacing by the target's own rate-limit headers: slow down before the quota runs out, leave a share free."""

from __future__ import annotations

import pytest
from conftest import SEED

from conformance.context import Options
from conformance.quota import Quota
from conformance.runner import RunConfig, run
from conformance.server import create_app
from conformance.server.embedded import BackgroundServer
from conformance.server.ratelimit import RateLimit
from conformance.server.settings import DEFAULT_TOKENS


class FakeTime:
    """A clock that moves only when someone sleeps: the server's window and the suite's waits share it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_requests_are_spread_over_the_window_and_half_the_quota_is_left_free() -> None:
    clock = FakeTime()
    quota = Quota(share=0.5, clock=clock)
    assert quota.delay() == 0  # the target has said nothing yet
    quota.observe({"x-rate-limit": "200", "x-rate-limit-remaining": "150"})
    assert quota.delay() == pytest.approx(60 / 50)  # 150 left, 100 kept free: 50 over the minute
    quota.observe({"ratelimit-limit": "200", "ratelimit-remaining": "100", "ratelimit-reset": "30"})
    assert quota.delay() == pytest.approx(30)  # nothing left of the suite's share: wait for the reset
    assert quota.delay() == 0  # until the next answer says what is left
    quota.observe({"x-rate-limit-remaining": "not a number"})
    assert quota.delay() == 0


def test_the_share_must_be_a_fraction() -> None:
    for share in (0, 1.5, -1):
        with pytest.raises(ValueError):
            Quota(share)


class Count429:
    def __init__(self, app: object) -> None:
        self.app, self.limited = app, 0

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        async def counting(message):  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start" and message["status"] == 429:
                self.limited += 1
            await send(message)

        await self.app(scope, receive, counting)


def test_a_run_against_a_rate_limited_server_never_gets_a_429() -> None:
    clock = FakeTime()
    server = Count429(RateLimit(create_app(), per_minute=120, clock=clock))
    options = Options(max_examples=3, seed=SEED)
    with BackgroundServer(server) as running:
        config = RunConfig(running.url, DEFAULT_TOKENS, options, sleep=clock.sleep, clock=clock)
        result = run(config)
    assert server.limited == 0 and result.verdict == "pass"
    assert result.requests > 120  # more than the whole limit of one window: without pacing, 429s
    assert clock.now - 1000.0 >= 60
