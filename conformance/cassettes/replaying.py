"""Replaying: the run again, offline, with the recorded examples and the recorded answers.

The checks are given the examples the recording gave them (see `conformance.draws`), so nothing is
drawn, and each request they send is answered by `CassetteTransport` from the cassette, so nothing
reaches a network. A request is answered by the first recording not yet played that has its
method, URL, role, Content-Type and body (as a JSON value when it is JSON).
"""

from __future__ import annotations

import contextlib
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from conformance.cassettes.format import (
    CREDENTIAL_HEADER,
    METADATA_KEY,
    CassetteError,
    comparable_body,
    library_versions,
    load,
    sender,
    serializer_for,
)
from conformance.context import Options
from conformance.draws import Draws
from conformance.runner import RunConfig

REPLAY_TOKENS = {role: f"replayed-{role}-token" for role in ("owner", "admin", "agent")}
Key = tuple[str, str, str, str | None, tuple[str, Any]]


class NotRecorded(Exception):
    """A request the cassette has no (more) answer for."""


def _key(method: str, url: str, who: str, content_type: str | None, body: bytes) -> Key:
    return (method.upper(), url, who, content_type, comparable_body(body))


def _as_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else body


def _header(headers: Mapping[str, list[str]], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name.lower():
            return values[0] if values else None
    return None


class CassetteTransport(httpx.BaseTransport):
    """Answers requests from a cassette's interactions, each at most once, as vcrpy's `none` mode does."""

    def __init__(self, interactions: list[dict[str, Any]], tokens: Mapping[str, str]) -> None:
        self._who = sender(tokens)
        self._answers: dict[Key, deque[dict[str, Any]]] = defaultdict(deque)
        for interaction in interactions:
            request = interaction["request"]
            headers = request.get("headers", {})
            key = _key(
                request["method"],
                request["uri"],
                _header(headers, CREDENTIAL_HEADER) or "none",
                _header(headers, "content-type"),
                _as_bytes(request.get("body")),
            )
            self._answers[key].append(interaction["response"])

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        who = self._who(request.headers.get("authorization"))
        key = _key(request.method, str(request.url), who, request.headers.get("content-type"), body)
        answers = self._answers.get(key)
        if not answers:
            shown = body[:200].decode("utf-8", "replace")
            raise NotRecorded(f"{request.method} {request.url} as {who}" + (f" with body {shown}" if body else ""))
        recorded = answers.popleft()
        headers = [(name, value) for name, values in recorded.get("headers", {}).items() for value in values]
        message = recorded["status"].get("message")
        return httpx.Response(
            recorded["status"]["code"],
            headers=headers,
            stream=httpx.ByteStream(_as_bytes(recorded["body"].get("string"))),
            extensions={"reason_phrase": message.encode("latin-1", "replace")} if message else {},
            request=request,
        )


@dataclass
class Replay:
    """An open cassette being replayed: how the run was recorded, and how to explain a miss."""

    path: Path
    recorded: dict[str, Any]
    interactions: list[dict[str, Any]]

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
        return RunConfig(
            base_url=recorded["base_url"],
            tokens=self.tokens,
            options=options,
            sleep=lambda seconds: None,
            explain=self.explain,
            transport=CassetteTransport(self.interactions, self.tokens),
            # Cassettes older than recorded examples are drawn again, which takes longer.
            draws=Draws(self.tokens, recorded.get("draws") or {}),
        )

    def version_warnings(self) -> list[str]:
        recorded = self.recorded.get("versions", {})
        return [
            f"recorded with {name} {recorded.get(name)}, replayed with {version}"
            for name, version in library_versions().items()
            if name != "zendesk-chat-conformance" and recorded.get(name) not in (None, version)
        ]

    def explain(self, error: Exception) -> str | None:
        """Why a request could not be replayed, with the command that re-records the cassette."""
        if not isinstance(error, NotRecorded):
            return None
        recorded = self.recorded
        hint = (
            f"the request is not in cassette {self.path}. Re-record it: chat-conformance run --record {self.path} "
            f"--seed {recorded['seed']} --max-examples {recorded['max_examples']} (with the target and its tokens)"
        )
        warnings = self.version_warnings()
        if warnings:
            hint += "; generation differs between library versions: " + ", ".join(warnings)
        return hint


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


@contextlib.contextmanager
def replay(path: Path) -> Iterator[Replay]:
    """The run recorded in the cassette at `path`, ready to run again offline (`Replay.run_config`)."""
    data = _load(path)
    recorded = (data.get("metadata") or {}).get(METADATA_KEY)
    if not isinstance(recorded, dict):
        raise CassetteError(f"{path} is not a cassette recorded by chat-conformance run --record")
    yield Replay(path, recorded, data["interactions"])
