"""The OpenAPI description: where it lives, and validators for its schemas.

The description in `openapi/chat-accounts.yaml` is the single source of truth for shapes: the
reference server validates request bodies with it, the suite validates responses with it and
generates requests from it.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import yamlcache

# jsonschema is imported where it is used: it writes the messages of a failure and has the last
# word where jsonschema-rs refuses, so a run that finds nothing wrong (a replay) never loads it.
if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry

ACCOUNT_PATH = "/api/v2/chat/account"
_SPEC_URI = "urn:chat-accounts-openapi"


def spec_path() -> Path:
    """The description file: packaged inside the wheel, or beside the package in a source checkout."""
    packaged = Path(__file__).with_name("openapi") / "chat-accounts.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "openapi" / "chat-accounts.yaml"


@functools.cache
def load() -> dict[str, Any]:
    """The parsed description. Cached: it never changes while the process runs, and read as YAML once a version."""
    return yamlcache.load(spec_path().read_text(encoding="utf-8"))


def component(name: str) -> dict[str, Any]:
    return load()["components"]["schemas"][name]


def _registry(document: dict[str, Any]) -> Registry:
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resource(_SPEC_URI, Resource.from_contents(document, DRAFT202012))


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A validator for `#/components/schemas/<name>`, with `$ref`s resolved inside the description."""
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=_registry(load()), format_checker=_format_checker())


@functools.cache
def _format_checker() -> FormatChecker:
    """Draft 2020-12's format checks, with `date-time` read as RFC 3339 writes it.

    jsonschema's own `date-time` refuses what RFC 3339 allows: year 0000 and leap seconds
    (`23:59:60Z`). Servers that generate timestamps, Prism among them, send such values now and
    then, and the suite must not fail them for it; jsonschema-rs reads RFC 3339 as the JSON Schema
    test suite does.
    """
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = {**Draft202012Validator.FORMAT_CHECKER.checkers}
    checker.checks("date-time")(_is_date_time)
    return checker


def _is_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_date_time().is_valid(instance))


@functools.cache
def _date_time() -> Any:
    import jsonschema_rs

    return jsonschema_rs.validator_for({"type": "string", "format": "date-time"}, validate_formats=True)


@functools.cache
def types_only_validator(name: str) -> Draft202012Validator:
    """A validator for a request schema that judges types alone.

    The description refuses unknown fields, but the requirement catalog lets a server either ignore
    or refuse them; the suite uses this relaxed form to decide whether a body truly breaks the
    documented types.
    """
    from jsonschema import Draft202012Validator

    schema = {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=_registry(_relaxed()))


@functools.cache
def _relaxed() -> dict[str, Any]:
    relaxed = copy.deepcopy(load())
    for schema in relaxed["components"]["schemas"].values():
        schema.pop("additionalProperties", None)
    return relaxed


@functools.cache
def _fast(name: str, types_only: bool) -> Any:
    """A compiled jsonschema-rs validator for schema `name`: what it finds valid, jsonschema does too."""
    import jsonschema_rs

    document = _relaxed() if types_only else load()
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema_rs.validator_for(schema, validate_formats=not types_only)


def is_valid(name: str, instance: Any, *, types_only: bool = False) -> bool:
    """Whether `instance` is valid against schema `name` (or, `types_only`, whether its types are).

    jsonschema-rs answers most of these at once. Where it refuses, jsonschema has the last word:
    the two read some patterns differently (Python's `$` also matches before a final newline).
    """
    try:
        if _fast(name, types_only).is_valid(instance):
            return True
        if not _ends_a_line(instance):  # the patterns are read alike but for `$` before a final newline
            return False
    except (ValueError, TypeError, OverflowError, RecursionError):  # a value jsonschema-rs cannot take in
        pass
    slow = types_only_validator(name) if types_only else validator(name)
    return bool(slow.is_valid(instance))


def _ends_a_line(instance: Any) -> bool:
    """Whether any string in `instance` ends with a newline (walked without recursion: bodies nest deep)."""
    pending = [instance]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if value.endswith("\n"):
                return True
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def problems(name: str, instance: Any) -> list[tuple[str, str]]:
    """Each way `instance` breaks schema `name`: the JSON path where it does, and a human message."""
    if is_valid(name, instance):
        return []
    found = sorted(validator(name).iter_errors(instance), key=lambda error: list(error.absolute_path))
    return [(error.json_path, error.message) for error in found]


def errors(name: str, instance: Any) -> list[str]:
    """Human messages for each way `instance` breaks schema `name`, located by JSON path."""
    return [f"{path}: {message}" for path, message in problems(name, instance)]


READ_ONLY_FIELDS = ("account_key", "create_date", "plan", "status")
BILLING_FIELDS = tuple(component("Billing")["properties"])
PLAN_FIELDS = tuple(component("Plan")["properties"])
