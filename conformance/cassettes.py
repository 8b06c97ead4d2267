"""Runs as vcrpy cassettes: record a run's HTTP traffic, and run the suite again from it offline.

A cassette holds every exchange of one run, scrubbed as it is saved:
- `Authorization` reads `Bearer ***`; which role sent a request is kept in the
  `X-Chat-Conformance-Credential` header of the recorded request, so that replay tells an owner's
  request from an anonymous one without knowing any token;
- the account's original `account_key` and personal billing values (those of the first account
  the run read) are replaced by stable fakes, one fake per real value, everywhere in the cassette.
  Values the suite generated itself are left alone, since replay must send them again.

Its metadata says how the run was made (seed, examples, roles, options, library versions) and what
it found, so that `run --replay` needs nothing else and can say whether it found the same.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import vcr
import vcr.errors
import yaml
from vcr.serializers import yamlserializer

from conformance import __version__, spec
from conformance.context import Options
from conformance.exchange import REDACTED
from conformance.runner import RunConfig

CREDENTIAL_HEADER = "X-Chat-Conformance-Credential"
METADATA_KEY = "chat_conformance"
SERIALIZER = "chat-conformance-yaml"
# Billing fields that hold personal data; country_code and cycle say nothing about a person.
PERSONAL_BILLING = tuple(name for name in spec.BILLING_FIELDS if name not in ("country_code", "cycle"))
# A value this long is also replaced inside other texts (an error message quoting it); a shorter
# one only where it is a whole value, so that generated values that merely contain it survive.
SUBSTRING_MIN = 5
VERSIONED = ("zendesk-chat-conformance", "schemathesis", "hypothesis")
REPLAY_TOKENS = {role: f"replayed-{role}-token" for role in ("owner", "admin", "agent")}
NOISY_REQUEST_HEADERS = ["user-agent", "accept-encoding", "connection", "host", "content-length"]
NOISY_RESPONSE_HEADERS = ("date", "server", "content-length")


class CassetteError(Exception):
    """A cassette that cannot be used: missing, not a chat-conformance cassette, or not matching the run."""


def library_versions() -> dict[str, str]:
    versions = {}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = __version__ if name == "zendesk-chat-conformance" else "unknown"
    return versions


# --- who sent a request -----------------------------------------------------------------------------


def credential_labeller(tokens: Mapping[str, str | None]) -> Callable[[Any], Any]:
    """A vcrpy `before_record_request` that replaces the token by the role it belongs to.

    vcrpy runs it again on requests it already changed (when matching), so it must be idempotent.
    """
    roles = {f"Bearer {token}": role for role, token in tokens.items() if token}
    secrets = [token for token in tokens.values() if token]

    def label(request: Any) -> Any:
        if CREDENTIAL_HEADER in request.headers:
            return request
        value = request.headers.get("Authorization")
        if value is None:
            who = "none"
        else:
            who = roles.get(value) or _without(value, secrets)
            request.headers["Authorization"] = f"Bearer {REDACTED}"
        request.headers[CREDENTIAL_HEADER] = who
        return request

    return label


def _without(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return f"other: {text}"


def _credential_matcher(r1: Any, r2: Any) -> None:
    first, second = r1.headers.get(CREDENTIAL_HEADER), r2.headers.get(CREDENTIAL_HEADER)
    if first != second:
        raise AssertionError(f"sent as {first}, recorded as {second}")


@functools.lru_cache(maxsize=4096)
def _parsed(raw: bytes) -> tuple[str, Any]:
    try:
        return ("json", json.dumps(json.loads(raw), sort_keys=True))
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python parses: as bytes
        return ("raw", raw)


def _body(request: Any) -> tuple[str, Any]:
    body = request.body
    return _parsed(body.encode() if isinstance(body, str) else (body or b""))


def _same_request(r1: Any, r2: Any) -> None:
    """The one matcher replay uses: method, URL, role, Content-Type and body.

    Bodies are compared as JSON values when both are JSON, else byte for byte (broken JSON is sent
    on purpose). vcrpy compares every request with every recording, so this is kept to one cheap
    function instead of a matcher per part.
    """
    for part, first, second in (
        ("method", r1.method, r2.method),
        ("URL", r1.uri, r2.uri),  # replay sends to the recorded base URL, so whole URLs compare
        ("credential", r1.headers.get(CREDENTIAL_HEADER), r2.headers.get(CREDENTIAL_HEADER)),
        ("Content-Type", r1.headers.get("Content-Type"), r2.headers.get("Content-Type")),
    ):
        if first != second:
            raise AssertionError(f"{part}: {first} != {second}")
    if _body(r1) != _body(r2):
        raise AssertionError("the bodies differ")


# --- scrubbing -----------------------------------------------------------------------------------------


@dataclass
class Scrubber:
    """Replaces original personal values and tokens, the same real value always by the same fake."""

    fakes: dict[str, str]
    secrets: tuple[str, ...] = ()

    @classmethod
    def for_interactions(cls, interactions: list[dict[str, Any]], secrets: tuple[str, ...] = ()) -> Scrubber:
        """Learn the originals from the first account the run read (before it wrote anything)."""
        fakes: dict[str, str] = {}
        for interaction in interactions:
            document = _json_of(interaction["response"]["body"].get("string"))
            if interaction["response"]["status"]["code"] != 200 or not isinstance(document, dict):
                continue
            if "account_key" in document and isinstance(document["account_key"], str):
                fakes.setdefault(document["account_key"], "scrubbed-account-key")
            billing = document.get("billing")
            if isinstance(billing, dict) and billing:
                for name in PERSONAL_BILLING:
                    value = billing.get(name)
                    if isinstance(value, str) and value and value not in fakes:
                        fakes[value] = (
                            f"person{len(fakes)}@example.com" if "@" in value else f"Scrubbed {name} {len(fakes)}"
                        )
                break  # the first account with billing is the original one
        return cls(fakes, secrets)

    def value(self, document: Any) -> Any:
        if isinstance(document, str):
            if document in self.fakes:
                return self.fakes[document]
            return self.text(document)
        if isinstance(document, dict):
            return {key: self.value(item) for key, item in document.items()}
        if isinstance(document, list):
            return [self.value(item) for item in document]
        return document

    def text(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for real, fake in self.fakes.items():
            if len(real) >= SUBSTRING_MIN and real in text:
                text = text.replace(real, fake)
        return text

    def body(self, body: Any) -> Any:
        if body is None:
            return None
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")
            except UnicodeDecodeError:
                return body  # not text, so no personal value in it; kept as binary
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            return self.text(body)
        scrubbed = self.value(document)
        # Replay matches bodies as JSON values, so re-serialising a changed one loses nothing.
        return body if scrubbed == document else json.dumps(scrubbed, ensure_ascii=False)

    def interactions(self, interactions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for interaction in interactions:
            request, response = interaction["request"], interaction["response"]
            request["body"] = self.body(request.get("body"))
            response["body"]["string"] = self.body(response["body"].get("string"))
            for name, values in list(response.get("headers", {}).items()):
                response["headers"][name] = [self.text(value) for value in values]
        return interactions


def _json_of(body: Any) -> Any:
    try:
        return json.loads(body) if body else None
    except (ValueError, TypeError, RecursionError):
        return None


class ScrubbingYaml:
    """vcrpy's YAML serializer, scrubbing the whole cassette as it is written."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.secrets = secrets

    def serialize(self, data: dict[str, Any]) -> str:
        interactions = data["interactions"]
        Scrubber.for_interactions(interactions, self.secrets).interactions(interactions)
        return yamlserializer.serialize(data)

    def deserialize(self, text: str) -> dict[str, Any]:
        try:
            return yamlserializer.deserialize(text)
        except yaml.YAMLError as error:
            raise CassetteError(f"the cassette is not valid YAML: {error}") from None


def _drop_noisy_response_headers(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    response["headers"] = {name: value for name, value in headers.items() if name.lower() not in NOISY_RESPONSE_HEADERS}
    return response


def _vcr(tokens: Mapping[str, str | None], record_mode: str) -> vcr.VCR:
    secrets = tuple(token for token in tokens.values() if token)
    recorder = vcr.VCR(
        record_mode=record_mode,
        serializer=SERIALIZER,
        filter_headers=NOISY_REQUEST_HEADERS,
        before_record_request=credential_labeller(tokens),
        before_record_response=_drop_noisy_response_headers,
        match_on=["same_request"],
        decode_compressed_response=True,
    )
    recorder.register_serializer(SERIALIZER, ScrubbingYaml(secrets))
    recorder.register_matcher("same_request", _same_request)
    return recorder


# --- record and replay -----------------------------------------------------------------------------------


@dataclass
class Recording:
    """An open cassette being recorded; `finish` stores how the run was made and what it found."""

    cassette: Any

    def finish(self, run_metadata: dict[str, Any]) -> None:
        self.cassette.get_metadata(METADATA_KEY, {**run_metadata, "versions": library_versions()})


@contextlib.contextmanager
def record(path: Path, tokens: Mapping[str, str | None]) -> Iterator[Recording]:
    """Record every exchange made inside the block to a new cassette at `path` (replacing any)."""
    path.unlink(missing_ok=True)
    with _vcr(tokens, "all").use_cassette(str(path)) as cassette:
        yield Recording(cassette)


@dataclass
class Replay:
    """An open cassette being replayed: how the run was recorded, and how to explain a miss."""

    path: Path
    recorded: dict[str, Any]

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
        if not isinstance(error, vcr.errors.CannotOverwriteExistingCassetteException):
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


@contextlib.contextmanager
def replay(path: Path) -> Iterator[Replay]:
    """Serve every exchange made inside the block from the cassette at `path`; nothing reaches a network."""
    if not path.is_file():
        raise CassetteError(f"no cassette at {path}")
    with _vcr(REPLAY_TOKENS, "none").use_cassette(str(path)) as cassette:
        try:
            recorded = cassette.get_metadata(METADATA_KEY, None)
        except vcr.errors.MissingMetadataError:
            raise CassetteError(f"{path} is not a cassette recorded by chat-conformance run --record") from None
        yield Replay(path, recorded)


@contextlib.contextmanager
def mock(path: Path, tokens: Mapping[str, str]) -> Iterator[Any]:
    """Serve a cassette's account responses to any client, e.g. an SDK's own tests.

    Requests are matched on method, path and role only (any host, any body), and a recording may
    be played again and again. `tokens` maps the roles your client uses to its tokens, e.g.
    `{"owner": "test-token"}`: a request with another token replays as an unknown credential.
    """
    recorder = vcr.VCR(
        record_mode="none",
        serializer=SERIALIZER,
        before_record_request=credential_labeller(tokens),
        match_on=["method", "path", "credential"],
    )
    recorder.register_serializer(SERIALIZER, ScrubbingYaml())
    recorder.register_matcher("credential", _credential_matcher)
    with recorder.use_cassette(str(path), allow_playback_repeats=True) as cassette:
        yield cassette


def run_metadata(result: Any) -> dict[str, Any]:
    """How a run was made and what it found, as a cassette's metadata keeps it."""
    return {
        "base_url": result.target.base_url,
        "roles": result.target.roles,
        "support_created": result.target.support_created,
        "writes": result.target.writes,
        "embedded": result.target.embedded,
        "seed": result.seed,
        "max_examples": result.max_examples,
        "max_requests": result.max_requests,
        "requests": result.requests,
        "verdict": result.verdict,
        "statuses": {entry.requirement.id: entry.status.value for entry in result.requirements},
    }
