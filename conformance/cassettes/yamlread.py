"""YAML cassettes read fast: libyaml with a lean safe constructor, and a cache of what was read.

A YAML cassette of a default run holds some 30,000 nodes. libyaml parses them in C, but PyYAML
resolves and constructs each in Python, which made a YAML replay cost half again what a JSON one
does. Two things bring it down:

- `LeanLoader` turns the nodes of plain strings, mappings and sequences (nearly all of a cassette)
  into Python values directly, and leaves every other tag to PyYAML's safe constructor: no tag can
  make Python run anything, as with `yaml.safe_load`, and the values are the same;
- what a cassette's text was read as is kept in the user's cache folder as JSON, under the digest
  of the text, so a cassette is parsed as YAML once (when it is recorded, or first replayed) and
  then read as fast as a JSON one. An entry is only written when it reads back equal, and any
  trouble with the cache folder only means the YAML is parsed again.
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

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

STR, MAP, SEQ, MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq", "merge"))
CACHE_VERSION = b"chat-conformance yaml cassette 1\n"  # change it when what a text reads as changes
CACHE_ENTRIES = 16  # the most recently read cassettes kept


class LeanLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader that builds strings, mappings and sequences itself, and leaves other tags to PyYAML."""

    _implicit = yaml.SafeLoader.yaml_implicit_resolvers

    # A cassette has no path-dependent resolvers: libyaml's calls to these need do nothing.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if implicit[0]:
                for tag, pattern in self._implicit.get(value[:1], ()):
                    if pattern.match(value):
                        return str(tag)
            return STR
        return SEQ if kind is SequenceNode else MAP

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        return None if node is None else self._build(node, {})

    def _build(self, node: Node, built: dict[int, Any]) -> Any:
        # An alias is the same node again: it gets the same value, as PyYAML gives it (so a cycle
        # or a document of nested aliases costs no more than its nodes).
        if id(node) in built:
            return built[id(node)]
        tag = node.tag
        if tag == STR and isinstance(node, ScalarNode):
            return node.value
        if tag == SEQ and isinstance(node, SequenceNode):
            items: list[Any] = []
            built[id(node)] = items
            items.extend(self._build(item, built) for item in node.value)
            return items
        if tag == MAP and isinstance(node, MappingNode) and not any(key.tag == MERGE for key, _ in node.value):
            mapping: dict[Any, Any] = {}
            built[id(node)] = mapping
            for key_node, value_node in node.value:
                key = self._build(key_node, built)
                try:
                    mapping[key] = self._build(value_node, built)
                except TypeError:
                    raise ConstructorError(None, None, "found an unhashable key", key_node.start_mark) from None
            return mapping
        value = self.construct_document(node)
        built[id(node)] = value
        return value


def _cache_folder() -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "chat-conformance" / "cassettes"


def _entry(text: str) -> Path:
    digest = hashlib.sha256(CACHE_VERSION + text.encode("utf-8", "surrogatepass")).hexdigest()
    return _cache_folder() / f"{digest}.json"


def load(text: str, encode: Callable[[Any], str], decode: Callable[[Any], Any]) -> Any:
    """`text` as YAML; `encode` turns the value into JSON text (leaving it as it is), `decode` back.

    Raises yaml.YAMLError when the text is not valid YAML.
    """
    entry = _entry(text)
    with contextlib.suppress(OSError, ValueError):
        data = decode(json.loads(entry.read_text(encoding="utf-8")))
        with contextlib.suppress(OSError):
            os.utime(entry)  # recently read: among the entries kept
        return data
    return remember(text, encode, decode, entry)


def cached(text: str) -> bool:
    return _entry(text).is_file()


def remember(text: str, encode: Callable[[Any], str], decode: Callable[[Any], Any], entry: Path | None = None) -> Any:
    """Parse `text` as YAML, and keep what it reads as in the cache."""
    try:
        data = yaml.load(text, Loader=LeanLoader)
    except RecursionError:
        raise yaml.YAMLError("the YAML is nested too deeply to read") from None
    try:
        kept = encode(data)
        same = decode(json.loads(kept)) == data
    except (TypeError, ValueError, RecursionError):  # a value JSON does not hold: not cached
        return data
    if same:
        with contextlib.suppress(OSError):
            _store(entry or _entry(text), kept)
    return data


def _store(entry: Path, text: str) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=entry.parent, suffix=".tmp", delete=False) as file:
        file.write(text)
    os.replace(file.name, entry)
    kept = sorted(entry.parent.glob("*.json"), key=lambda path: path.stat().st_mtime, reverse=True)
    for old in kept[CACHE_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()
