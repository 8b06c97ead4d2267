"""Run one of schemathesis's own checks on an exchange the suite recorded.

Where schemathesis already judges something the catalog asks for (server errors, response
schemas), the suite reuses its check and reports the result under the catalog's ID.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from schemathesis.core.failures import FailureGroup

from conformance import generation, spec
from conformance.exchange import Exchange
from conformance.failures import Violation


def _operation(method: str) -> Any:
    # Other methods are not in the description; their responses are judged as GET's would be.
    return generation.schema()[spec.ACCOUNT_PATH][method if method in ("GET", "PUT") else "GET"]


# The body was decoded when it arrived: headers that describe the encoded body would make httpx
# decode it a second time, or expect another length.
ENCODED_BODY_HEADERS = ("content-encoding", "content-length", "transfer-encoding")


def _as_httpx(exchange: Exchange) -> httpx.Response:
    request = httpx.Request(exchange.method, exchange.request.url, headers=exchange.request.headers)
    headers = {name: value for name, value in exchange.response.headers.items() if name not in ENCODED_BODY_HEADERS}
    content = exchange.response.body.encode()
    response = httpx.Response(exchange.status, headers=headers, content=content, request=request)
    response.elapsed = timedelta(0)
    return response


def _summary(message: str) -> str:
    """The first paragraph and the schema location of a schemathesis failure message."""
    paragraphs = [part.strip() for part in message.split("\n\n") if part.strip()]
    kept = [paragraphs[0]] if paragraphs else []
    kept += [part.rstrip(":") for part in paragraphs if part.startswith("Schema at ")][:1]
    return " (".join(kept) + (")" if len(kept) > 1 else "")


def run_check(check: Any, exchange: Exchange, what: str) -> bool:
    """True when schemathesis's `check` passes; otherwise raise a Violation saying `what` broke."""
    case = _operation(exchange.method).Case()
    try:
        case.validate_response(_as_httpx(exchange), checks=[check])
    except FailureGroup as group:
        details = sorted({f"{failure.title}: {_summary(failure.message)}" for failure in group.exceptions})
        raise Violation(what, expected=None, actual="; ".join(details), exchange=exchange) from None
    return True
