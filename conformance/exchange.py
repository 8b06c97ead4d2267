"""What the suite sent and what came back, recorded with every secret already removed."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from conformance import jsontext

REDACTED = "***"
BODY_KEPT = 64 * 1024  # characters of a response body kept in a report; checks see it all
NO_RESPONSE = 0  # the status of an exchange that got no status line


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
    status: int  # 0 when no status line arrived
    headers: dict[str, str]  # lower-case names
    body: str  # the decoded body as text, for checks and reports
    # The body after its content coding was undone, before any charset: ROBUST-HTTP judges the
    # charset on these bytes. None where only the text is known (a response built by hand).
    content: bytes | None = field(default=None, repr=False, compare=False)

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return jsontext.loads(self.body) if self.body else None
        except ValueError:  # not JSON, or nested too deeply to parse
            return None

    @property
    def media_type(self) -> str:
        return media_type(self.headers.get("content-type", ""))

    @property
    def charset(self) -> str | None:
        """The `charset` parameter of Content-Type, lower-cased, or None."""
        for parameter in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower() or None
        return None

    def to_dict(self) -> dict[str, Any]:
        body = self.body
        if len(body) > BODY_KEPT:
            body = body[:BODY_KEPT] + f"... ({len(self.body) - BODY_KEPT} more characters not kept)"
        return {"status": self.status, "headers": self.headers, "body": body}


def media_type(content_type: str) -> str:
    """`Application/JSON; charset=UTF-8` -> `application/json`."""
    return content_type.split(";")[0].strip().lower()


def declares_json(content_type: str) -> bool:
    """application/json, or a structured `+json` type such as application/problem+json."""
    kind = media_type(content_type)
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def as_is(text: str) -> str:
    """A redactor for text that holds no secret."""
    return text


@dataclass(frozen=True)
class Exchange:
    """One request and its response. `credential` says which role (or which bad header) sent it.

    The request is recorded with its secrets removed. The response is kept as it arrived, so that
    checks judge what the target really sent; `redact` removes secrets from anything taken from it
    for output (a server may echo a token).

    `problem` says what went wrong at the HTTP level when no complete response arrived (dropped
    connection, unparsable status line, body cut short, undecodable content coding, timeout); then
    `response` holds what did arrive, with status 0 when not even a status line did.
    """

    credential: Credential
    request: SentRequest
    response: ReceivedResponse
    problem: str | None = None
    redact: Callable[[str], str] = field(default=as_is, compare=False, repr=False)

    @property
    def complete(self) -> bool:
        return self.problem is None

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def status(self) -> int:
        return self.response.status
