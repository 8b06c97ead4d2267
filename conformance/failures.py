"""How a check says a requirement was broken: the rule, what was expected, what came back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.exchange import NO_RESPONSE, Exchange, as_is


@dataclass(frozen=True)
class Failure:
    message: str
    expected: str | None = None
    actual: str | None = None
    exchange: Exchange | None = None

    def to_dict(self) -> dict[str, Any]:
        """The failure as reports show it, every secret removed."""
        redact = self.exchange.redact if self.exchange is not None else as_is
        data: dict[str, Any] = {"message": redact(self.message)}
        if self.expected is not None:
            data["expected"] = redact(self.expected)
        if self.actual is not None:
            data["actual"] = redact(self.actual)
        if self.exchange is not None:
            data["credential"] = self.exchange.credential.label
            data["request"] = self.exchange.request.to_dict()
            if self.exchange.response.status != NO_RESPONSE:
                response = self.exchange.response.to_dict()
                response["headers"] = {name: redact(value) for name, value in response["headers"].items()}
                response["body"] = redact(response["body"])
                data["response"] = response
            data["curl"] = self.exchange.request.curl()
        return data


class Violation(AssertionError):
    """Raised by a check: the requirement it judges was broken."""

    def __init__(
        self,
        message: str,
        *,
        expected: str | None = None,
        actual: str | None = None,
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message)
        self.failure = Failure(message, expected, actual, exchange)


class Skip(Exception):
    """Raised by a check that cannot judge its requirement on this target; the message says why."""


def expect_status(exchange: Exchange, allowed: set[int] | range, what: str) -> None:
    """Fail unless the response status is in `allowed`; `what` says what was being tried."""
    if exchange.status not in allowed:
        raise Violation(
            what,
            expected=_describe_statuses(allowed),
            actual=f"{exchange.status}",
            exchange=exchange,
        )


def _describe_statuses(allowed: set[int] | range) -> str:
    if isinstance(allowed, range):
        return f"{allowed.start // 100}xx"
    return " or ".join(str(status) for status in sorted(allowed))
