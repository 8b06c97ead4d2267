"""ROBUST-HTTP: every request gets a complete, well-formed HTTP response.

The transport reads and decodes each response once and records what went wrong when no complete
response arrived; this check turns that record, and a body declared JSON that is not JSON in its
declared charset, into failures. Every content coding, chunked bodies and `Connection: close` are
conformant: the transport handles them, so they never reach this check as problems.

Not the docs' rule but HTTP's (RFC 9110, 9112): the docs assume a working HTTP server. Whatever
HTTP allows is accepted, in any header case and letter case of media types.
"""

from __future__ import annotations

import codecs

from conformance import jsontext
from conformance.checks.registry import response_check
from conformance.context import Context
from conformance.exchange import Exchange, ReceivedResponse, declares_json
from conformance.failures import Violation

BODYLESS = (204, 304)  # statuses whose responses have no body, whatever their headers say


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _may_hold_constants(text: str) -> bool:
    """Whether `text` may hold NaN or Infinity, which Python reads as numbers and JSON has not."""
    return "NaN" in text or "Infinity" in text


def json_problem(response: ReceivedResponse) -> str | None:
    """Why a body declared JSON is not JSON text in its declared charset, or None when it is."""
    raw = response.content if response.content is not None else response.body.encode("utf-8")
    if not raw:
        return "the body is empty"
    charset = response.charset or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        return f"the declared charset {charset!r} is not a known character encoding"
    try:
        text = raw.decode(charset)
    except UnicodeDecodeError as error:
        return f"the body is not valid {charset}: {error.reason} at byte {error.start}"
    if text == response.body and response.json is not None and not _may_hold_constants(text):
        return None  # the checks' own parse of the same text, which only differs on those constants
    try:
        jsontext.loads(text, parse_constant=_reject_constant)
    except jsontext.NestedTooDeeply:
        return None  # nested deeper than the suite parses, which does not make it invalid JSON
    except ValueError as error:
        return f"the body is not valid JSON: {error}"
    return None


@response_check("ROBUST-HTTP", unexercised="no request was sent", sees_incomplete=True)
def well_formed_http(exchange: Exchange, ctx: Context) -> bool:
    """ROBUST-HTTP MUST: a complete, well-formed response within the timeout; declared JSON is JSON."""
    if exchange.problem is not None:
        raise Violation(
            "the request got no complete, well-formed HTTP response",
            expected=f"a complete HTTP response within the timeout ({ctx.target.timeout:g} s)",
            actual=exchange.problem,
            exchange=exchange,
        )
    response = exchange.response
    if response.status in BODYLESS or not declares_json(response.headers.get("content-type", "")):
        return True
    problem = json_problem(response)
    if problem is not None:
        raise Violation(
            "a body declared JSON is not JSON in its declared charset",
            expected=f"JSON text in {response.charset or 'utf-8'} (Content-Type: {response.headers['content-type']})",
            actual=f"{problem}: {response.body[:200]!r}",
            exchange=exchange,
        )
    return True
