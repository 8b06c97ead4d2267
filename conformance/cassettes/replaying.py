"""Replaying: the run again, offline, with the recorded examples and the recorded answers.

The checks are given the examples the recording gave them (see `conformance.draws`), so nothing is
drawn, and each request they send is answered by `CassetteTransport` from the cassette, so nothing
reaches a network. The run's requests go out in an order fixed by those examples (see `places`):
its nth request is answered by the cassette's nth exchange, when that exchange is the same request
(method, URL, role, Content-Type and body, as a JSON value when it is JSON). A request out of its
place, one past the cassette's end, or an exchange never played means the cassette cannot stand
for the run: the replay says where, and how to re-record it (see `comparing`).
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from conformance.cassettes.comparing import Difference, ReplayResult, compare
from conformance.cassettes.format import (
    CREDENTIAL_HEADER,
    METADATA_KEY,
    CassetteError,
    comparable_body,
    library_versions,
    load,
    response_digest,
    sender,
    serializer_for,
)
from conformance.cassettes.places import Span, describe, spans_of
from conformance.context import Options
from conformance.draws import Draws
from conformance.lazy import httpx
from conformance.results import RunResult
from conformance.runner import RunConfig
from conformance.transport import Answer

REPLAY_TOKENS = {role: f"replayed-{role}-token" for role in ("owner", "admin", "agent")}
Key = tuple[str, str, str, str | None, tuple[str, Any]]
SHOWN_BODY = 200  # characters of a body shown in a message


class NotRecorded(Exception):
    """A request the cassette has no answer for at its place in the run; `str()` says why, after the request."""

    def __init__(self, difference: Difference, reason: str) -> None:
        super().__init__(reason)
        self.difference = difference


def _key(method: str, url: str, who: str, content_type: str | None, body: bytes) -> Key:
    return (method.upper(), url, who, content_type, comparable_body(body))


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name.lower():
            return values[0] if isinstance(values, list) and values else None
    return None


def _shown(method: str, url: str, who: str, body: bytes) -> str:
    text = body[:SHOWN_BODY].decode("utf-8", "replace")
    return f"{method.upper()} {url} as {who}" + (f" with body {text}" if body else "")


class CassetteTransport:
    """Answers the run's nth request with the cassette's nth exchange, if that is the request sent.

    After the first request it cannot answer, it answers none: what follows a difference is no
    longer the recorded run.
    """

    def __init__(
        self,
        interactions: list[dict[str, Any]],
        tokens: Mapping[str, str],
        spans: list[Span],
        digests: list[str] | None = None,
    ) -> None:
        self._who = sender(tokens)
        self._spans = spans
        # One per response as recorded; none in a cassette recorded before they were kept.
        self._digests = digests if digests is not None and len(digests) == len(interactions) else None
        self._recorded: list[tuple[Key, str]] = []
        self._responses = []
        for interaction in interactions:
            request = interaction["request"]
            headers = request.get("headers") or {}
            who = _header(headers, CREDENTIAL_HEADER) or "none"
            body = _as_bytes(request.get("body"))
            key = _key(request["method"], request["uri"], who, _header(headers, "content-type"), body)
            self._recorded.append((key, _shown(request["method"], request["uri"], who, body)))
            self._responses.append(interaction["response"])
        self._plain = [_plain(response) for response in self._responses]
        self.played = 0
        self.difference: Difference | None = None  # the first request it could not answer

    def where(self, place: int) -> str:
        return describe(place, len(self._recorded), self._spans)

    def close(self) -> None:
        """Nothing to close: the cassette was read whole when the replay opened it."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        headers = request.headers
        body = request.read()
        recorded = self._play(
            request.method, str(request.url), headers.get("authorization"), headers.get("content-type"), body
        )
        return _response(recorded, request)

    def answer(self, method: str, url: str, headers: Mapping[str, str], content: bytes | None) -> Answer | None:
        """The recorded answer as status, headers (lower-case names) and body, without HTTP objects.

        What `handle_request` would give, read as the transport reads it, at a fraction of its cost;
        None where the recorded response needs httpx itself to be read alike (a content coding to
        undo, a header that is not ASCII): then the request goes through `handle_request`.
        """
        if self.difference is not None or self.played >= len(self._plain) or self._plain[self.played] is None:
            return None
        named = {name.lower(): value for name, value in headers.items()}
        self._play(method, url, named.get("authorization"), named.get("content-type"), content or b"")
        return self._plain[self.played - 1]

    def _play(
        self, method: str, url: str, authorization: str | None, content_type: str | None, body: bytes
    ) -> dict[str, Any]:
        """The recorded response at the run's next place, if the request sent is the one recorded there."""
        if self.difference is not None:
            raise NotRecorded(self.difference, "the replay stopped at the first request that did not line up")
        who = self._who(authorization)
        key = _key(method, url, who, content_type, body)
        place = self.played
        if place >= len(self._recorded) or self._recorded[place][0] != key:
            self.difference, reason = self._out_of_place(place, key, _shown(method, url, who, body))
            raise NotRecorded(self.difference, reason)
        if self._digests is not None and response_digest(self._responses[place]) != self._digests[place]:
            self.difference, reason = self._edited(place)
            raise NotRecorded(self.difference, reason)
        self.played += 1
        return self._responses[place]

    def _edited(self, place: int) -> tuple[Difference, str]:
        """The difference of a response changed since it was recorded, and why."""
        where, recorded = self.where(place), self._recorded[place][1]
        reason = f"the response at {where} was changed after it was recorded"
        message = (
            f"the response at {where} ({recorded}) was changed after it was recorded: "
            "its status, headers or body are not those the recorded run was judged on"
        )
        return Difference("edited", message, place=place + 1, where=where, recorded=recorded), reason

    def _out_of_place(self, place: int, key: Key, sent: str) -> tuple[Difference, str]:
        """The difference at `place`, and why, as said after the request sent."""
        total = len(self._recorded)
        if place >= total:
            reason = f"request {place + 1} of the run is past the end of the cassette, which holds {total} exchanges"
            message = f"request {place + 1} of the run, {sent}, is past the end of the cassette ({total} exchanges)"
            return Difference("exchange", message, place=place + 1, where=f"after exchange {total}", sent=sent), reason
        recorded = self._recorded[place][1]
        later = next((n for n in range(place + 1, total) if self._recorded[n][0] == key), None)
        where = self.where(place)
        elsewhere = (
            "the request sent is not in the cassette from there on"
            if later is None
            else f"the request sent is recorded later, at {self.where(later)}"
        )
        reason = f"request {place + 1} of the run does not line up with {where}, which is {recorded}; {elsewhere}"
        message = (
            f"request {place + 1} of the run does not line up with {where}: the run sent {sent}, "
            f"the cassette has {recorded}; {elsewhere}"
        )
        difference = Difference("exchange", message, place=place + 1, where=where, sent=sent, recorded=recorded)
        return difference, reason

    def unplayed(self) -> Difference | None:
        """The first exchange the run never asked for, if it ended without a difference before it."""
        if self.difference is not None or self.played >= len(self._recorded):
            return None
        where, recorded = self.where(self.played), self._recorded[self.played][1]
        message = f"{where} was never played: the run ended after {self.played} requests; it is {recorded}"
        return Difference("unplayed", message, place=self.played + 1, where=where, recorded=recorded)


def _plain(recorded: dict[str, Any]) -> Answer | None:
    """A recorded response as status, headers and body, as httpx reads it; None where only httpx can.

    httpx joins repeated headers with ", " under their lower-case name, and encodes ASCII headers
    as they are; a content coding it would undo, or a header it would have to encode, is left to it.
    """
    if not isinstance(recorded, dict):
        return None
    status, given, body = recorded.get("status"), recorded.get("headers") or {}, recorded.get("body") or {}
    code = status.get("code") if isinstance(status, dict) else None
    if type(code) is not int or not isinstance(given, dict) or not isinstance(body, dict):
        return None  # a cassette edited out of shape: httpx's path says how
    text = body.get("string")
    if not isinstance(text, str | bytes | None) or not all(isinstance(values, list) for values in given.values()):
        return None
    pairs = [(name, value) for name, values in given.items() for value in values]
    if not all(isinstance(n, str) and isinstance(v, str) and n.isascii() and v.isascii() for n, v in pairs):
        return None
    headers: dict[str, str] = {}
    for name, value in pairs:
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if "content-encoding" in headers or "transfer-encoding" in headers:
        return None
    return Answer(code, headers, _as_bytes(text))


def _response(recorded: dict[str, Any], request: httpx.Request) -> httpx.Response:
    headers = [(name, value) for name, values in (recorded.get("headers") or {}).items() for value in values]
    message = recorded["status"].get("message")
    return httpx.Response(
        recorded["status"]["code"],
        headers=headers,
        stream=httpx.ByteStream(_as_bytes((recorded.get("body") or {}).get("string"))),
        extensions={"reason_phrase": message.encode("latin-1", "replace")} if isinstance(message, str) else {},
        request=request,
    )


@dataclass
class Replay:
    """An open cassette being replayed: how the run was recorded, and how to explain a difference."""

    path: Path
    recorded: dict[str, Any]
    interactions: list[dict[str, Any]]
    transport: CassetteTransport | None = field(default=None, init=False)
    draws: Draws | None = field(default=None, init=False)

    @property
    def tokens(self) -> dict[str, str]:
        return {role: REPLAY_TOKENS[role] for role in self.recorded["roles"]}

    def run_config(self) -> RunConfig:
        """The run the cassette recorded, sent to its recorded base URL, with nothing waited out."""
        recorded = self.recorded
        options = Options(
            max_examples=recorded["max_examples"],
            seed=recorded["seed"],
            writes=recorded["writes"],
            support_created=recorded["support_created"],
            max_requests=recorded.get("max_requests"),  # absent from cassettes older than the option
        )
        digests = recorded.get("responses")
        digests = digests if isinstance(digests, list) and all(isinstance(d, str) for d in digests) else None
        spans = spans_of(recorded.get("rules"))
        self.transport = CassetteTransport(self.interactions, self.tokens, spans, digests)
        # Cassettes older than recorded examples are drawn again, which takes longer.
        self.draws = Draws(self.tokens, recorded.get("draws") or {})
        return RunConfig(
            base_url=recorded["base_url"],
            tokens=self.tokens,
            options=options,
            sleep=lambda seconds: None,
            explain=self.explain,
            transport=self.transport,
            draws=self.draws,
            order=[rule for rule, _, _ in spans],
        )

    def drew(self) -> bool:
        """Whether the replay drew examples the cassette did not keep (their requests may differ)."""
        return self.draws is not None and bool(self.draws.missing)

    def version_warnings(self) -> list[str]:
        """How the libraries that generate requests differ from those that recorded the cassette."""
        recorded = self.recorded.get("versions") or {}
        return [
            f"recorded with {name} {recorded.get(name)}, replayed with {version}"
            for name, version in library_versions().items()
            if name != "zendesk-chat-conformance" and recorded.get(name) not in (None, version)
        ]

    def rerecord(self) -> str:
        """The command that records the cassette again, and why generation may differ."""
        recorded = self.recorded
        words = ["chat-conformance", "run"]
        if not recorded.get("embedded"):
            words += ["--base-url", str(recorded["base_url"])]
        words += ["--seed", str(recorded["seed"]), "--max-examples", str(recorded["max_examples"])]
        if recorded.get("max_requests"):
            words += ["--max-requests", str(recorded["max_requests"])]
        if not recorded["writes"]:
            words.append("--no-writes")
        if recorded["support_created"]:
            words.append("--support-created")
        words += ["--record", str(self.path)]
        tokens = "" if recorded.get("embedded") else " (with the target's tokens)"
        hint = f"Re-record it: {shlex.join(words)}{tokens}"
        warnings = self.version_warnings()
        if warnings:
            hint += "; generation differs between library versions: " + ", ".join(warnings)
        return hint

    def explain(self, error: Exception) -> str | None:
        """Why a request could not be replayed, with the command that re-records the cassette."""
        if not isinstance(error, NotRecorded):
            return None
        return f"{error} (cassette {self.path}). {self.rerecord()}"

    def compare(self, result: RunResult, *, rejudge: bool = False) -> ReplayResult:
        """`result`, the replay's, held to the recording: see `comparing`."""
        traffic = None
        if self.transport is not None:
            traffic = self.transport.difference or self.transport.unplayed()
        return compare(result, self.recorded, traffic, rejudge=rejudge, rerecord=self.rerecord)


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise CassetteError(f"no cassette at {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CassetteError(f"the cassette {path} cannot be read: {error}") from None
    data = load(text, serializer_for(path))
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        raise CassetteError(f"{path} is not a vcrpy cassette")
    return data


# What a replay reads from the metadata, and what each must be.
METADATA = {
    "base_url": (str,),
    "roles": (list,),
    "support_created": (bool,),
    "writes": (bool,),
    "seed": (int,),
    "max_examples": (int,),
    "requests": (int,),
    "verdict": (str,),
    "statuses": (dict,),
}


def _checked_metadata(path: Path, recorded: Any) -> dict[str, Any]:
    if not isinstance(recorded, dict):
        raise CassetteError(f"{path} is not a cassette recorded by chat-conformance run --record")
    for name, types in METADATA.items():
        value = recorded.get(name)
        if not isinstance(value, types) or (bool in types) != isinstance(value, bool):
            raise _damaged(path, f"its {name} is {value!r}")
    if urlsplit(recorded["base_url"]).scheme not in ("http", "https"):
        raise _damaged(path, f"its base_url {recorded['base_url']!r} is not an http(s) URL")
    unknown = [role for role in recorded["roles"] if role not in REPLAY_TOKENS]
    if unknown:
        raise _damaged(path, f"its roles name {unknown[0]!r}, not one of {', '.join(REPLAY_TOKENS)}")
    if recorded["seed"] < 0 or recorded["max_examples"] < 1:
        raise _damaged(path, "its seed is negative or its max_examples below 1")
    max_requests = recorded.get("max_requests")
    if max_requests is not None and (not isinstance(max_requests, int) or max_requests < 1):
        raise _damaged(path, f"its max_requests is {max_requests!r}")
    draws = recorded.get("draws")
    if draws is not None and not (isinstance(draws, dict) and all(isinstance(v, list) for v in draws.values())):
        raise _damaged(path, "its draws are not lists of examples, one per property")
    try:
        kept = Draws(REPLAY_TOKENS, draws)
        for key in draws or {}:
            kept.given(key)
    except Exception as error:  # whatever garbles them, they cannot be given to the checks
        raise _damaged(path, f"its draws cannot be read ({type(error).__name__}: {error})") from None
    return recorded


def _damaged(path: Path, what: str) -> CassetteError:
    return CassetteError(
        f"{path}: the metadata chat-conformance keeps ({METADATA_KEY}) is damaged: {what}. "
        "Re-record the cassette with chat-conformance run --record"
    )


def _checked_interactions(path: Path, interactions: list[Any]) -> list[dict[str, Any]]:
    for number, interaction in enumerate(interactions, 1):
        try:
            request, response = interaction["request"], interaction["response"]
            shaped = (
                isinstance(request["method"], str)
                and isinstance(request["uri"], str)
                and isinstance(request.get("body"), str | bytes | None)
                and type(response["status"]["code"]) is int
                and 100 <= response["status"]["code"] <= 999
                and _headers_shaped(request.get("headers") or {})
                and _headers_shaped(response.get("headers") or {})
                and isinstance((response.get("body") or {}).get("string"), str | bytes | None)
            )
        except (KeyError, TypeError, AttributeError):
            shaped = False
        if not shaped:
            raise CassetteError(
                f"{path}: exchange {number} of {len(interactions)} is not a vcrpy interaction "
                "(a request with method, uri, headers and body, a response with status code, headers and body)"
            )
    return interactions


def _headers_shaped(headers: Any) -> bool:
    """vcrpy's headers: each name with a list of text values."""
    return isinstance(headers, dict) and all(
        isinstance(values, list) and all(isinstance(value, str) for value in values) for values in headers.values()
    )


@contextlib.contextmanager
def replay(path: Path) -> Iterator[Replay]:
    """The run recorded in the cassette at `path`, ready to run again offline (`Replay.run_config`)."""
    data = _load(path)
    metadata = data.get("metadata")
    recorded = _checked_metadata(path, metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None)
    yield Replay(path, recorded, _checked_interactions(path, data["interactions"]))
