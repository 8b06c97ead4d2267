"""The OpenAPI description: valid, its examples valid against their own schemas, shipped with the package."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from conformance import spec

ROOT = Path(__file__).resolve().parents[1]


def test_the_description_is_valid_openapi_3_1() -> None:
    document = spec.load()
    assert document["openapi"].startswith("3.1")
    validate(document)


def _examples() -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Every example in the description, with the schema it illustrates."""
    for path, item in spec.load()["paths"].items():
        for method, operation in item.items():
            bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
            bodies += [(status, response.get("content", {})) for status, response in operation["responses"].items()]
            for where, content in bodies:
                for media in content.values():
                    for name, example in media.get("examples", {}).items():
                        yield f"{method} {path} {where} {name}", media["schema"], example["value"]
    for name, response in spec.load()["components"]["responses"].items():
        for media in response.get("content", {}).values():
            if "example" in media:
                yield f"response {name}", media["schema"], media["example"]


EXAMPLES = list(_examples())


def test_there_are_examples_of_both_operations_and_every_error() -> None:
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(("where", "schema", "example"), EXAMPLES, ids=[where for where, _, _ in EXAMPLES])
def test_every_example_validates_against_its_schema(where: str, schema: dict, example: Any) -> None:
    name = schema["$ref"].rsplit("/", 1)[-1]
    assert spec.errors(name, example) == []


def test_the_schemas_refuse_what_the_docs_rule_out() -> None:
    account = {"account_key": "k", "create_date": "2014-08-06T11:02:09Z", "plan": {"max_agents": -1}, "status": "x"}
    assert spec.errors("Account", account)
    assert spec.errors("Account", {**account, "plan": {}, "create_date": "2014-08-06 11:02"})
    assert spec.errors("AccountUpdate", {"billing": {"cycle": "monthly"}})
    assert spec.errors("AccountUpdate", {"account": {"billing": {}}})
    assert not spec.errors("Account", {**account, "plan": {"max_agents": "unlimited"}, "extra": 1})


def test_billing_and_plan_have_every_field_of_the_docs_example() -> None:
    assert len(spec.BILLING_FIELDS) == 13
    assert len(spec.PLAN_FIELDS) == 15
    assert spec.component("Billing")["properties"]["cycle"]["type"] == "integer"


@pytest.mark.packaging
def test_the_description_is_found_without_a_checkout(tmp_path: Path) -> None:
    # Wheels carry it inside the package (pyproject's force-include). Asked from the checkout, the
    # description would be found beside the package whatever the wheel holds: so a wheel is built,
    # installed into a virtual environment of its own, and asked from outside the checkout.
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    wheels = tmp_path / "wheels"
    subprocess.run([*pip, "wheel", "--no-deps", "--wheel-dir", str(wheels), str(ROOT)], check=True, timeout=120)
    (wheel,) = wheels.glob("*.whl")
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], check=True, timeout=120)
    # The package's dependencies come from this test environment, which is added after the new
    # environment's own packages: a plain path in a .pth file, so this environment's own .pth files
    # (an editable install pointing at the checkout) are not read.
    (own,) = (environment / "lib").glob("python3*/site-packages")
    (own / "test-environment.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    asked = (
        "import json, conformance, conformance.spec as spec; "
        "print(json.dumps([conformance.__file__, str(spec.spec_path()), spec.load()['openapi']]))"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    done = subprocess.run(
        [str(python), "-c", asked], cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    package, description, version = json.loads(done.stdout)
    assert Path(package).is_relative_to(own)  # the wheel's copy, not the checkout's
    assert Path(description) == own / "conformance" / "openapi" / "chat-accounts.yaml"
    assert version.startswith("3.1")
