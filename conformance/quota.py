"""Pace requests by what the target says is left of its rate limit, keeping a share free for others.

Zendesk counts requests per account per minute, and every integration the account runs draws on
the same quota. Its responses say how much is left (`X-Rate-Limit`, `X-Rate-Limit-Remaining`), as
servers following the IETF draft do (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`).
The suite spreads its requests over what is left of the window, and never uses more than its share
of the quota: with a share of one half, half of the limit is always left for everyone else.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

WINDOW_S = 60.0  # Zendesk's limits are per minute; a target that gives no reset time is taken to be too


def _number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return float(value.split(",")[0].split(";")[0])
            except ValueError:
                continue
    return None


class Quota:
    """What the target last said of its rate limit, and how long to wait before the next request."""

    def __init__(self, share: float = 0.5, clock: Callable[[], float] = time.monotonic) -> None:
        if not 0 < share <= 1:
            raise ValueError("the share of the quota must be more than 0 and at most 1")
        self.share = share
        self._clock = clock
        self.limit: float | None = None
        self.remaining: float | None = None
        self._reset_at = 0.0

    def observe(self, headers: Mapping[str, str]) -> None:
        """Read the quota from a response's headers (lower-case names)."""
        remaining = _number(headers, "ratelimit-remaining", "x-rate-limit-remaining")
        if remaining is None:
            return
        self.remaining = remaining
        self.limit = _number(headers, "ratelimit-limit", "x-rate-limit") or self.limit
        reset = _number(headers, "ratelimit-reset")
        self._reset_at = self._clock() + (reset if reset is not None else WINDOW_S)

    def delay(self) -> float:
        """Seconds to wait before the next request: what is left of the window over what the suite may use."""
        if self.remaining is None:
            return 0.0
        window = max(0.0, self._reset_at - self._clock())
        kept_free = (1 - self.share) * (self.limit if self.limit is not None else self.remaining)
        allowance = self.remaining - kept_free
        if allowance < 1:
            self.remaining = None  # wait for the window to reset; the next answer says what is left
            return window
        return window / allowance
