"""The OpenAPI description: where it lives, and validators for its schemas.

The description in `openapi/chat-accounts.yaml` is the single source of truth for shapes: the
reference server validates request bodies with it, the suite validates responses with it and
generates requests from it.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ACCOUNT_PATH = "/api/v2/chat/account"
_SPEC_URI = "urn:chat-accounts-openapi"


def spec_path() -> Path:
    """The description file: packaged inside the wheel, or beside the package in a source checkout."""
    packaged = Path(__file__).with_name("openapi") / "chat-accounts.yaml"
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "openapi" / "chat-accounts.yaml"


@cache
def load() -> dict[str, Any]:
    """The parsed description. Cached: it never changes while the process runs."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with spec_path().open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def component(name: str) -> dict[str, Any]:
    return load()["components"]["schemas"][name]


def _registry(document: dict[str, Any]) -> Registry:
    return Registry().with_resource(_SPEC_URI, Resource.from_contents(document, DRAFT202012))


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for `#/components/schemas/<name>`, with `$ref`s resolved inside the description."""
    schema = {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=_registry(load()), format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def types_only_validator(name: str) -> Draft202012Validator:
    """A validator for a request schema that judges types alone.

    The description refuses unknown fields, but the requirement catalog lets a server either ignore
    or refuse them; the suite uses this relaxed form to decide whether a body truly breaks the
    documented types.
    """
    relaxed = copy.deepcopy(load())
    for schema in relaxed["components"]["schemas"].values():
        schema.pop("additionalProperties", None)
    schema = {"$ref": f"{_SPEC_URI}#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=_registry(relaxed))


def errors(name: str, instance: Any) -> list[str]:
    """Human messages for each way `instance` breaks schema `name`, located by JSON path."""
    found = sorted(validator(name).iter_errors(instance), key=lambda error: list(error.absolute_path))
    return [f"{error.json_path}: {error.message}" for error in found]


READ_ONLY_FIELDS = ("account_key", "create_date", "plan", "status")
BILLING_FIELDS = tuple(component("Billing")["properties"])
PLAN_FIELDS = tuple(component("Plan")["properties"])
