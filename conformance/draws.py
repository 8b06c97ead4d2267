"""The examples each property was given, kept so that a replay gives them again without drawing.

Drawing examples is most of what a run costs the suite itself. A recording keeps, per property,
every example hypothesis handed to it, in order, shrinking included; a replay hands the same
examples to the same checks, so the same requests go out and the same failures are found, and
hypothesis draws nothing.

Examples are kept as JSON-compatible values with a tag for each type that JSON lacks. A role's
token inside a credential is kept as the role's name, never as the token, and given back as the
token of the replaying run.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from typing import Any

from conformance.exchange import Credential
from conformance.generation import GeneratedRequest

Encoded = Any  # None, bool, int, float, str, or a one-key dict naming a type


class NotRecordable(Exception):
    """An example of a type this module cannot keep: its property is drawn again on replay."""


class Draws:
    """Per property (`REQUIREMENT-ID/n`, n counting the properties of one requirement), its examples."""

    def __init__(self, tokens: Mapping[str, str | None], kept: Mapping[str, list[Encoded]] | None = None) -> None:
        self._codec = _Codec(tokens)
        self.kept: dict[str, list[Encoded]] = dict(kept or {})
        self.missing: list[str] = []  # the properties asked for that had none kept: drawn again

    def recorder(self) -> Recorder:
        return Recorder(self._codec)

    def keep(self, key: str, recorder: Recorder) -> None:
        """Keep what `recorder` saw for `key`, unless an example could not be encoded."""
        if recorder.examples is not None:
            self.kept[key] = recorder.examples

    def given(self, key: str) -> list[Any] | None:
        """The examples recorded for `key`, decoded with this run's tokens; None when there are none."""
        examples = self.kept.get(key)
        if examples is None:
            self.missing.append(key)
            return None
        return [self._codec.decode(example) for example in examples]


def encoder(tokens: Mapping[str, str | None]) -> Callable[[Any], Encoded]:
    """An example as a recording keeps it: two examples are the same when they are kept the same."""
    codec = _Codec(tokens)

    def encode(example: Any) -> Encoded:
        try:
            return codec.encode(example)
        except NotRecordable:
            return object()  # the same as nothing else

    return encode


class Recorder:
    """Collects one property's examples as they are given; one it cannot encode voids them all."""

    def __init__(self, codec: _Codec) -> None:
        self._codec = codec
        self.examples: list[Encoded] | None = []

    def saw(self, example: Any) -> None:
        # Encoded at once: a check may change the example it was given.
        if self.examples is None:
            return
        try:
            self.examples.append(self._codec.encode(example))
        except NotRecordable:
            self.examples = None


class _Codec:
    def __init__(self, tokens: Mapping[str, str | None]) -> None:
        self._role_of = {token: role for role, token in tokens.items() if token}
        self._token_of = {f"token:{role}": token for role, token in tokens.items() if token}

    def encode(self, value: Any) -> Encoded:
        if value is None or isinstance(value, bool | int | float | str):
            return value
        if isinstance(value, bytes):
            try:  # as text where it is: smaller, and scrubbed as the recorded bodies are
                return {"utf-8": value.decode("utf-8")}
            except UnicodeDecodeError:
                return {"bytes": base64.b64encode(value).decode("ascii")}
        if isinstance(value, tuple):
            return {"tuple": [self.encode(item) for item in value]}
        if isinstance(value, list):
            return {"list": [self.encode(item) for item in value]}
        if isinstance(value, dict):
            return {"dict": [[self.encode(key), self.encode(item)] for key, item in value.items()]}
        if isinstance(value, GeneratedRequest):
            fields = (value.method, value.mode, value.content, value.content_type)
            return {"request": [self.encode(item) for item in fields]}
        if isinstance(value, Credential):
            return {"credential": [value.label, self._header(value.header, self._role_of, "token:")]}
        raise NotRecordable(type(value).__name__)

    def decode(self, value: Encoded) -> Any:
        if not isinstance(value, dict):
            return value
        ((kind, inner),) = value.items()
        if kind == "utf-8":
            return inner.encode("utf-8")
        if kind == "bytes":
            return base64.b64decode(inner)
        if kind == "tuple":
            return tuple(self.decode(item) for item in inner)
        if kind == "list":
            return [self.decode(item) for item in inner]
        if kind == "dict":
            return {self.decode(key): self.decode(item) for key, item in inner}
        if kind == "request":
            return GeneratedRequest(*(self.decode(item) for item in inner))
        if kind == "credential":
            label, header = inner
            return Credential(label, self._header(header, self._token_of, ""))
        raise ValueError(f"unknown kind of recorded example: {kind}")

    @staticmethod
    def _header(header: str | None, replacements: Mapping[str, str], prefix: str) -> str | None:
        """`header` with each word that is a token (or a role placeholder) replaced."""
        if header is None:
            return None
        words = header.split(" ")
        return " ".join(prefix + replacements[word] if word in replacements else word for word in words)
