"""What recording, replaying and mocking agree on: where things are kept, and who sent a request."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from conformance import __version__, jsontext, yamlcache

# conformance.exchange (dataclasses with it) is imported where it is used: a replay forks the
# process that reads its YAML cassette ahead (`read_ahead`) as soon as this module is loaded.

CREDENTIAL_HEADER = "X-Chat-Conformance-Credential"
# Kept on a recorded request whose body copies what the target sent (the PUT that puts billing back):
# it is scrubbed as the target's responses are. Only in the cassette, never sent.
COPIED_HEADER = "X-Chat-Conformance-Copied"
METADATA_KEY = "chat_conformance"
VERSIONED = ("zendesk-chat-conformance", "schemathesis", "hypothesis")


class CassetteError(Exception):
    """A cassette that cannot be used: missing, not a chat-conformance cassette, or not matching the run."""


def library_versions() -> dict[str, str]:
    from importlib import metadata  # 20 ms to import: only a recording and a replay ask

    versions = {}
    for name in VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = __version__ if name == "zendesk-chat-conformance" else "unknown"
    return versions


def credential_labeller(tokens: Mapping[str, str | None]) -> Callable[[Any], Any]:
    """A vcrpy `before_record_request` that replaces the token by the role it belongs to.

    It also marks a request whose body the suite copied from the target (`safety.copying`). vcrpy
    runs it again on requests it already changed (when matching), so it must be idempotent.
    """
    from conformance import safety
    from conformance.exchange import REDACTED

    who_sent = sender(tokens)

    def label(request: Any) -> Any:
        if CREDENTIAL_HEADER in request.headers:
            return request
        if safety.copying():
            request.headers[COPIED_HEADER] = "from the target"
        value = request.headers.get("Authorization")
        request.headers[CREDENTIAL_HEADER] = who_sent(value)
        if value is not None:
            request.headers["Authorization"] = f"Bearer {REDACTED}"
        return request

    return label


def sender(tokens: Mapping[str, str | None]) -> Callable[[str | None], str]:
    """Who an Authorization value says sent a request: a role, `none`, or `other: ...` with tokens masked."""
    from conformance.exchange import REDACTED

    roles = {f"Bearer {token}": role for role, token in tokens.items() if token}
    secrets = [token for token in tokens.values() if token]

    def who(value: str | None) -> str:
        if value is None:
            return "none"
        if value in roles:
            return roles[value]
        for secret in secrets:
            value = value.replace(secret, REDACTED)
        return f"other: {value}"

    return who


@functools.lru_cache(maxsize=4096)
def comparable_body(raw: bytes) -> tuple[str, Any]:
    """A body as replay compares it: as a JSON value when it is JSON, else byte for byte."""
    try:
        return ("json", json.dumps(jsontext.loads(raw), sort_keys=True))
    except ValueError:  # not JSON, or nested too deeply to parse: as bytes
        return ("raw", raw)


FORMATS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def serializer_for(path: Path) -> str:
    """A cassette's format, from its name: `.json` (loads ten times faster) or `.yaml`/`.yml` (vcrpy's default)."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise CassetteError(f"{path}: a cassette is named .json, .yaml or .yml (its format follows the name)") from None


def load(text: str, kind: str) -> Any:
    """A cassette's text as vcrpy's dict, read safely: no YAML tag can make Python run anything."""
    if kind == "json":
        try:
            return _bodies_as_bytes(json.loads(text))
        except ValueError as error:
            raise CassetteError(f"the cassette is not valid JSON: {error}") from None
    try:
        return yamlcache.load(text, _cached, _bodies_as_bytes)
    except yamlcache.NotYAML as error:
        raise CassetteError(f"the cassette is not valid YAML: {error}") from None


def remember_yaml(text: str) -> None:
    """Read a YAML cassette just written, so that its first replay finds it in the cache."""
    with contextlib.suppress(yamlcache.NotYAML):
        yamlcache.remember(text, _cached, _bodies_as_bytes)


def read_ahead(path: Path) -> Callable[[], None]:
    """Start reading a YAML cassette that is not in the cache, in a process of its own; returns what waits for it.

    Parsing a cassette's YAML takes about as long as the imports a replay starts with, so on a
    machine that has not read it yet (a CI job), the two are done side by side and the replay
    then finds it in the cache. Where that cannot be (no fork, threads running, a file that does
    not read), nothing is started and the replay reads the YAML itself, as it always could. What
    it returns may be called again.
    """
    import gc
    import os

    from conformance import forking

    if path.suffix.lower() == ".json" or not forking.can_fork():
        return _nothing
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return _nothing  # the replay says what is wrong with it
    if yamlcache.cached(text):
        return _nothing
    child = os.fork()
    if child == 0:
        gc.disable()  # it exits once the cassette is read: nothing it allocates is garbage to it
        try:
            remember_yaml(text)
        finally:
            os._exit(0)  # nothing of the parent's (its buffers, its exit handlers) is the child's to run

    waited = False

    def wait() -> None:
        """Until it has read it; once waited for, at once (its pid may be another process's by then)."""
        nonlocal waited
        if not waited:
            waited = True
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)

    return wait


def _nothing() -> None:
    pass


def dump_json(data: dict[str, Any]) -> str:
    """vcrpy's JSON layout, except that a body that is not text is kept as base64 instead of refused."""
    return json.dumps(_bodies_as_base64(data), indent=2) + "\n"


def response_digest(response: Any) -> str:
    """A short digest of one recorded response, as written and as read back in either format.

    The recording keeps one per exchange (`responses` in the metadata), so that a replay can tell
    a response edited since, even one whose edit changes no rule's outcome.
    """
    text = json.dumps(response, sort_keys=True, default=_as_base64, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _cached(data: Any) -> str:
    """Loaded data as JSON text, bodies that are not text as base64, the data itself left as it is."""
    return json.dumps(data, default=_as_base64, separators=(",", ":"))


def _as_base64(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    raise TypeError(f"{type(value).__name__} is not JSON")


def _bodies(data: Any, change: Callable[[Any], Any]) -> Any:
    for interaction in data.get("interactions", []) if isinstance(data, dict) else []:
        request, response = interaction.get("request", {}), interaction.get("response", {})
        if "body" in request:
            request["body"] = change(request["body"])
        if isinstance(response.get("body"), dict) and "string" in response["body"]:
            response["body"]["string"] = change(response["body"]["string"])
    return data


def _bodies_as_base64(data: dict[str, Any]) -> dict[str, Any]:
    return _bodies(data, lambda body: {"base64": base64.b64encode(body).decode()} if isinstance(body, bytes) else body)


def _bodies_as_bytes(data: Any) -> Any:
    return _bodies(data, lambda body: base64.b64decode(body["base64"]) if isinstance(body, dict) else body)
