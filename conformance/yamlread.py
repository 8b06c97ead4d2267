"""YAML read fast: libyaml with a lean safe constructor, and a cache of what was read (conformance.yamlcache).

A YAML cassette of a default run holds some 30,000 nodes. libyaml parses them in C, but PyYAML
resolves and constructs each in Python, which made a YAML replay cost half again what a JSON one
does. `LeanLoader` turns the nodes of plain strings, mappings and sequences (nearly all of a
cassette, or of the description) into Python values directly, and leaves every other tag to
PyYAML's safe constructor: no tag can make Python run anything, as with `yaml.safe_load`, and
the values are the same. Read once, a text is then read from the cache, without PyYAML.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from conformance import collector

STR, MAP, SEQ, MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq", "merge"))


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


YAMLError = yaml.YAMLError


def parse(text: str) -> Any:
    """`text` as YAML. Raises YAMLError when it is not valid YAML, or nested too deeply to read."""
    try:
        with collector.paused():  # a cassette's nodes and values: none of them garbage
            return yaml.load(text, Loader=LeanLoader)
    except RecursionError:
        raise yaml.YAMLError("the YAML is nested too deeply to read") from None
