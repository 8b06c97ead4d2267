"""What a YAML text was read as, kept in the user's cache folder as JSON under the digest of the text.

A YAML file (a cassette, the description) is then parsed once, when it is written or first read,
and after that read as fast as JSON, without loading PyYAML at all. An entry is only written when
it reads back equal, and any trouble with the cache folder only means the YAML is parsed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import caches

CACHE_VERSION = b"chat-conformance yaml 1\n"  # change it when what a text reads as changes
CACHE_ENTRIES = 16  # the most recently read texts kept

MISSING = object()


def _same(value: Any) -> Any:
    return value


class NotYAML(ValueError):
    """The text is not valid YAML (PyYAML's message)."""


def load(text: str, encode: Callable[[Any], str] = json.dumps, decode: Callable[[Any], Any] = _same) -> Any:
    """`text` as YAML: from the cache if it was read before, else parsed (only then is PyYAML loaded) and kept.

    `encode` turns the value into JSON text (leaving it as it is), `decode` back (see `keep`).
    Raises NotYAML when the text is not valid YAML.
    """
    data = read(text, decode)
    if data is not MISSING:
        return data
    return remember(text, encode, decode)


def remember(text: str, encode: Callable[[Any], str] = json.dumps, decode: Callable[[Any], Any] = _same) -> Any:
    """Parse `text` as YAML (conformance.yamlread), and keep what it reads as. Raises NotYAML."""
    from conformance import yamlread

    try:
        data = yamlread.parse(text)
    except yamlread.YAMLError as error:
        raise NotYAML(str(error)) from None
    keep(text, data, encode, decode)
    return data


def folder() -> Path:
    return caches.folder("yaml")


def entry(text: str) -> Path:
    digest = hashlib.sha256(CACHE_VERSION + text.encode("utf-8", "surrogatepass")).hexdigest()
    return folder() / f"{digest}.json"


def cached(text: str) -> bool:
    return entry(text).is_file()


def read(text: str, decode: Callable[[Any], Any]) -> Any:
    """What `text` was read as (`decode` turns the kept JSON value back), or MISSING."""
    kept = entry(text)
    try:
        data = decode(json.loads(kept.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return MISSING
    with contextlib.suppress(OSError):
        os.utime(kept)  # recently read: among the entries kept
    return data


def keep(text: str, data: Any, encode: Callable[[Any], str], decode: Callable[[Any], Any]) -> None:
    """Keep what `text` reads as, if JSON holds it: `encode` turns it into JSON text, `decode` back."""
    try:
        kept = encode(data)
        same = decode(json.loads(kept)) == data
    except (TypeError, ValueError, RecursionError):  # a value JSON does not hold: not cached
        return
    if same:
        with contextlib.suppress(OSError):
            _store(entry(text), kept)


def _store(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as file:
        file.write(text)
    os.replace(file.name, path)
    kept = sorted(path.parent.glob("*.json"), key=lambda each: each.stat().st_mtime, reverse=True)
    for old in kept[CACHE_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()
