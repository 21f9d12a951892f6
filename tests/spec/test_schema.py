"""The exported JSON Schema accepts every valid spec (shorthands included) and helps editors."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from fastapi_architect import check_text, spec_json_schema
from tests.conftest import EXAMPLES


@pytest.mark.parametrize("name", ["taskflow", "blog", "shop"])
def test_examples_validate_against_the_schema(name: str) -> None:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    jsonschema.Draft202012Validator(spec_json_schema()).validate(data)


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(spec_json_schema())


def test_schema_catches_what_editors_should_flag() -> None:
    validator = jsonschema.Draft202012Validator(spec_json_schema())
    data = {"project": {"name": "demo"}, "resources": {"Note": {"fiels": {}}}}
    messages = [error.message for error in validator.iter_errors(data)]
    assert any("'fiels' was unexpected" in message for message in messages)
    assert check_text(yaml.safe_dump(data)).problems[0].code == "unknown-key"


def test_schema_documents_every_key() -> None:
    schema = spec_json_schema()
    undocumented = [
        f"{name}.{key}"
        for name, definition in schema["$defs"].items()
        for key, prop in definition.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undocumented == []
