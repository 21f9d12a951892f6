"""Reading documents for api-diff: YAML and JSON, positions, files reached by `$ref`, and every
input error located in its file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fastapi_architect.apidiff import (
    CHECKS,
    ApiDiffInputError,
    Document,
    diff,
    load_document,
    parse_document,
)
from fastapi_architect.apidiff.checks import markdown_table
from fastapi_architect.apidiff.model import Level

MINIMAL = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
LOCATED = re.compile(r"^[^\s:]+(:[^\s:]+)*:\d+:\d+: \S")


def _error(text: str, label: str = "api.yaml", base_dir: Path | None = None) -> str:
    with pytest.raises(ApiDiffInputError) as caught:
        parse_document(text, label, base_dir=base_dir)
    message = str(caught.value)
    assert LOCATED.match(message), message
    return message


def test_yaml_and_json_read_alike_with_positions() -> None:
    yaml_doc = parse_document(
        MINIMAL + "components:\n  schemas:\n    A: {type: string}\n", "a.yaml"
    )
    json_doc = parse_document(
        '{\n  "openapi": "3.1.0",\n  "info": {"title": "t", "version": "1"},\n  "paths": {}\n}',
        "a.json",
    )
    assert isinstance(yaml_doc, Document)
    assert yaml_doc.data["components"]["schemas"]["A"] == {"type": "string"}
    assert yaml_doc.locate("/components/schemas/A") == "a.yaml:6:5"
    assert yaml_doc.locate("/nowhere") == ""
    assert json_doc.data["openapi"] == "3.1.0"
    assert json_doc.locate("/paths") == "a.json:4:3"
    # JSON text under a label that does not say so (an app's document) is read as JSON.
    assert (
        parse_document('{"openapi": "3.1.0", "paths": {}}', "app:main:app").label == "app:main:app"
    )


def test_load_document_uses_the_path_as_label(tmp_path: Path) -> None:
    path = tmp_path / "openapi.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    assert load_document(path).label == str(path)
    assert load_document(path, "v1").label == "v1"


@pytest.mark.parametrize(
    ("text", "where", "what"),
    [
        ("openapi: 3.0.0\npaths: {a: [}\n", "api.yaml:2:", "YAML syntax error"),
        ("- 1\n- 2\n", "api.yaml:1:1", "a mapping at the top, found a list"),
        ("", "api.yaml:1:1", "found nothing"),
        (
            "swagger: '2.0'\npaths: {}\n",
            "api.yaml:1:10",
            "Swagger 2.0 document, which is not supported",
        ),
        ("info: {title: t}\npaths: {}\n", "api.yaml:1:1", "the `openapi` key is missing"),
        ("openapi: 2.5.0\npaths: {}\n", "api.yaml:1:10", "version '2.5.0' is not supported"),
        ("openapi: 3.1.0\ninfo: {title: t}\n", "api.yaml:1:1", "the `paths` key is missing"),
        ("openapi: 3.1.0\npaths: {}\npaths: {}\n", "api.yaml:3:1", "duplicate key 'paths'"),
    ],
)
def test_documents_that_cannot_be_compared_are_located(text: str, where: str, what: str) -> None:
    message = _error(text)
    assert message.startswith(where), message
    assert what in message


def test_swagger_message_says_openapi_3_is_needed() -> None:
    assert "OpenAPI 3" in _error("swagger: '2.0'\ninfo: {title: t}\npaths: {}\n")


def test_json_syntax_errors_are_located() -> None:
    message = _error('{\n  "openapi": "3.1.0",\n  "paths": {,}\n}', "api.json")
    assert message.startswith("api.json:3:13: JSON syntax error")


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ApiDiffInputError, match="cannot read the file"):
        load_document(tmp_path / "missing.yaml")
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"openapi: 3.1.0\npaths: {}\nx: \xff\n")
    with pytest.raises(ApiDiffInputError, match=r"binary.yaml:3:4: not UTF-8"):
        load_document(binary)


def test_dangling_ref_names_the_reference_and_where_it_is() -> None:
    text = MINIMAL.replace(
        "paths: {}",
        "paths:\n  /a:\n    get:\n      responses:\n        '200':\n"
        "          $ref: '#/components/responses/Gone'\n",
    )
    message = _error(text)
    assert message.startswith("api.yaml:8:11:")
    assert "#/components/responses/Gone" in message
    assert "does not resolve" in message


def test_ref_cycle_without_definition_is_rejected() -> None:
    text = (
        MINIMAL + "components:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n"
        "    B: {$ref: '#/components/schemas/A'}\n"
    )
    message = _error(text)
    assert "never reaches a definition" in message
    assert message.startswith("api.yaml:6:")


def test_recursive_schemas_are_legal() -> None:
    text = MINIMAL + (
        "components:\n  schemas:\n    Node:\n      type: object\n      properties:\n"
        "        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n"
        "        parent: {$ref: '#/components/schemas/Node'}\n"
    )
    document = parse_document(text, "api.yaml")
    assert diff(document, document).changes == ()


def test_refs_to_other_files_resolve_from_base_dir(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "task.yaml").write_text(
        "Task:\n  type: object\n  required: [title]\n  properties:\n"
        "    title: {type: string}\n    owner: {$ref: 'user.yaml#/User'}\n",
        encoding="utf-8",
    )
    (tmp_path / "schemas" / "user.yaml").write_text(
        "User: {type: object, properties: {name: {type: string}}}\n", encoding="utf-8"
    )
    base = (
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /tasks:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: 'schemas/task.yaml#/Task'}\n"
    )
    (tmp_path / "openapi.yaml").write_text(base, encoding="utf-8")
    before = load_document(tmp_path / "openapi.yaml", "openapi.yaml")
    (tmp_path / "schemas" / "user.yaml").write_text(
        "User: {type: object, properties: {name: {type: integer}}}\n", encoding="utf-8"
    )
    after = parse_document(base, "openapi.yaml", base_dir=tmp_path)
    changes = diff(before, after).changes
    assert [c.id for c in changes] == ["response-property-type-changed"]
    assert "owner/name" in changes[0].message
    assert changes[0].revision_location == "schemas/user.yaml:1:35"
    # The change is reported at the reference that leads into the other file.
    assert changes[0].revision_pointer.endswith("/schema")


def test_missing_and_unreachable_other_files_are_located(tmp_path: Path) -> None:
    text = MINIMAL + "components:\n  schemas:\n    A: {$ref: 'other.yaml#/A'}\n"
    assert "other.yaml: no such file" in _error(text, base_dir=tmp_path)
    assert "was not read from a directory" in _error(text)
    (tmp_path / "other.yaml").write_text("B: {type: string}\n", encoding="utf-8")
    assert "other.yaml has nothing at /A" in _error(text, base_dir=tmp_path)


def test_catalogue_is_consistent_and_renders() -> None:
    assert all(check.id == key for key, check in CHECKS.items())
    assert all(check.summary and "{" not in check.summary for check in CHECKS.values())
    assert all(check.oasdiff in (None, check.id) for check in CHECKS.values())
    assert CHECKS["api-removed-without-deprecation"].level is Level.ERR
    assert CHECKS["response-property-enum-value-added"].level is Level.WARN
    table = markdown_table()
    assert table.count("\n") == len(CHECKS) + 2
    assert "| `request-parameter-style-changed` | ERR |" in table


def test_a_ref_must_be_text() -> None:
    message = _error(MINIMAL + "components:\n  schemas:\n    A: {$ref: 7}\n")
    assert message.startswith("api.yaml:6:")
    assert "must be a string" in message


def test_catalogue_covers_every_id_the_engine_builds() -> None:
    """Ids are put together from parts in the schema comparison: each of those exists."""
    import itertools

    stems = [
        "type-changed",
        "type-generalized",
        "list-of-types-widened",
        "list-of-types-narrowed",
        "became-nullable",
        "became-not-nullable",
        "default-value-added",
        "default-value-removed",
        "default-value-changed",
    ]
    for direction, part, stem in itertools.product(
        ["request", "response"], ["body", "property"], stems
    ):
        assert f"{direction}-{part}-{stem}" in CHECKS
    for stem in (
        "max-decreased",
        "min-increased",
        "max-length-decreased",
        "exclusive-max-decreased",
        "exclusive-min-increased",
    ):
        assert f"request-read-only-property-{stem}" in CHECKS
