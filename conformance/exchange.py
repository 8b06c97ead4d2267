"""What the suite sent and what came back, recorded with every secret already removed."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from functools import cached_property
from typing import Any

REDACTED = "***"


@dataclass(frozen=True)
class Credential:
    """Who a request claims to be: a role's token, nothing, or a deliberately bad header."""

    label: str  # owner, admin, agent, none, unknown, malformed
    header: str | None = None  # the Authorization value, None for no header


NO_CREDENTIAL = Credential("none")


@dataclass(frozen=True)
class SentRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: str | None = None

    def curl(self) -> str:
        """The request as a curl command; secrets were redacted before it was recorded."""
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.body is not None:
            parts += ["--data-raw", shlex.quote(self.body)]
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body}


@dataclass(frozen=True)
class ReceivedResponse:
    status: int
    headers: dict[str, str]  # lower-case names
    body: str

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "headers": self.headers, "body": self.body}


@dataclass(frozen=True)
class Exchange:
    """One request and its response. `credential` says which role (or which bad header) sent it."""

    credential: Credential
    request: SentRequest
    response: ReceivedResponse

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def status(self) -> int:
        return self.response.status
