"""api-diff on paths, operations, their lifecycle, parameters and security."""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest

from fastapi_architect.apidiff import Level, Report, diff, parse_document

TODAY = date(2025, 6, 1)
OK = {"200": {"description": "ok"}}


def document(paths: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


def run(base: dict[str, Any], revision: dict[str, Any]) -> Report:
    return diff(
        parse_document(json.dumps(base, indent=1), "base.json"),
        parse_document(json.dumps(revision, indent=1), "revision.json"),
        today=TODAY,
    )


def ids(report: Report) -> list[str]:
    return [c.id for c in report.changes]


def with_op(**operation: Any) -> dict[str, Any]:
    return document({"/tasks/{task_id}": {"get": {"responses": OK, **operation}}})


# ---- paths and operations -------------------------------------------------------------------


def test_identical_documents_have_no_changes() -> None:
    doc = with_op(parameters=[{"name": "task_id", "in": "path", "required": True}])
    assert run(doc, doc).changes == ()


def test_path_and_operation_removal() -> None:
    base = document(
        {
            "/a": {"get": {"responses": OK}, "post": {"responses": OK}},
            "/b": {"get": {"responses": OK}},
        }
    )
    revision = document({"/a": {"get": {"responses": OK}}})
    report = run(base, revision)
    assert ids(report) == [
        "api-path-removed-without-deprecation",
        "api-removed-without-deprecation",
    ]
    assert [c.operation for c in report.changes] == ["GET /b", "POST /a"]
    assert all(c.level is Level.ERR for c in report.changes)
    assert report.changes[0].base_pointer == "/paths/~1b/get"
    assert report.changes[0].base_location == "base.json:25:4"


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"deprecated": True}, ["api-removed-with-deprecation"]),
        ({"deprecated": True, "x-sunset": "2025-01-01"}, []),
        ({"deprecated": True, "x-sunset": "2026-01-01"}, ["api-removed-before-sunset"]),
        ({"deprecated": True, "x-sunset": "soon"}, ["api-path-sunset-parse"]),
        ({}, ["api-removed-without-deprecation"]),
    ],
)
def test_removing_a_deprecated_operation(extra: dict[str, Any], expected: list[str]) -> None:
    """Removal is announced by deprecation; after the sunset date it is not even news."""
    base = document({"/a": {"get": {"responses": OK}, "post": {"responses": OK, **extra}}})
    revision = document({"/a": {"get": {"responses": OK}}})
    assert ids(run(base, revision)) == expected


def test_alpha_operations_may_go() -> None:
    base = document({"/a": {"get": {"responses": OK, "x-stability-level": "alpha"}}})
    assert ids(run(base, document({}))) == []


def test_paths_match_modulo_parameter_names() -> None:
    base = document({"/a/{id}": {"get": {"responses": OK}}})
    revision = document({"/a/{item_id}": {"get": {"responses": OK}}})
    assert ids(run(base, revision)) == []
    assert ids(run(base, document({"/a/{id}/b": {"get": {"responses": OK}}}))) == [
        "api-path-removed-without-deprecation",
        "endpoint-added",
    ]


def test_added_operation_is_info() -> None:
    report = run(document({}), with_op())
    assert ids(report) == ["endpoint-added"]
    assert report.changes[0].level is Level.INFO
    assert report.changes[0].operation == "GET /tasks/{task_id}"


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({}, {"deprecated": True}, ["endpoint-deprecated"]),
        ({}, {"deprecated": True, "x-sunset": "2025-12-31"}, ["endpoint-deprecated-with-sunset"]),
        ({}, {"deprecated": True, "x-sunset": "2024-12-31"}, ["api-sunset-date-too-small"]),
        ({}, {"deprecated": True, "x-sunset": "never"}, ["api-deprecated-sunset-parse"]),
        ({"deprecated": True}, {}, ["endpoint-reactivated"]),
        ({"deprecated": True, "x-sunset": "2026-01-01"}, {"deprecated": True}, ["sunset-deleted"]),
        (
            {"deprecated": True, "x-sunset": "2026-01-01"},
            {"deprecated": True, "x-sunset": "2025-01-01"},
            ["api-sunset-date-changed-too-small"],
        ),
        (
            {"deprecated": True, "x-sunset": "2026-01-01"},
            {"deprecated": True, "x-sunset": "2027-01-01"},
            [],
        ),
    ],
)
def test_deprecation_and_sunset(
    before: dict[str, Any], after: dict[str, Any], expected: list[str]
) -> None:
    assert ids(run(with_op(**before), with_op(**after))) == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("stable", "beta", ["api-stability-decreased"]),
        ("beta", "stable", ["api-stability-increased"]),
        ("draft", "stable", []),
        ("stable", "final", ["api-invalid-stability-level"]),
    ],
)
def test_stability_levels(before: str, after: str, expected: list[str]) -> None:
    report = run(with_op(**{"x-stability-level": before}), with_op(**{"x-stability-level": after}))
    assert ids(report) == expected


def test_operation_id_and_tags() -> None:
    report = run(
        with_op(operationId="get_task", tags=["a"]), with_op(operationId="read_task", tags=["b"])
    )
    assert ids(report) == ["api-operation-id-removed", "api-tag-added", "api-tag-removed"]
    assert {c.level for c in report.changes} == {Level.INFO}


def test_description_only_edits_are_not_reported() -> None:
    base = with_op(
        summary="Get",
        description="Old",
        parameters=[
            {
                "name": "q",
                "in": "query",
                "description": "a",
                "schema": {"type": "string", "description": "x"},
            }
        ],
    )
    revision = copy.deepcopy(base)
    operation = revision["paths"]["/tasks/{task_id}"]["get"]
    operation["summary"], operation["description"] = "Read", "New"
    operation["parameters"][0]["description"] = "b"
    operation["parameters"][0]["schema"]["description"] = "y"
    revision["info"]["description"] = "changed"
    assert run(base, revision).at_least(Level.WARN) == ()


# ---- parameters -----------------------------------------------------------------------------


def params(*parameters: dict[str, Any]) -> dict[str, Any]:
    return with_op(parameters=list(parameters))


def q(schema: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": "limit", "in": "query", "schema": schema or {"type": "integer"}, **extra}


@pytest.mark.parametrize(
    ("parameter", "expected", "level"),
    [
        (q(required=True), "new-required-request-parameter", Level.ERR),
        (q(), "new-optional-request-parameter", Level.INFO),
        (
            {"name": "X-Key", "in": "header", "required": True},
            "new-required-request-parameter",
            Level.ERR,
        ),
        ({"name": "session", "in": "cookie"}, "new-optional-request-parameter", Level.INFO),
    ],
)
def test_added_parameters(parameter: dict[str, Any], expected: str, level: Level) -> None:
    report = run(params(), params(parameter))
    assert ids(report) == [expected]
    assert report.changes[0].level is level


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        (q(), "request-parameter-removed"),
        (q(deprecated=True), "request-parameter-removed-with-deprecation"),
        (
            q(deprecated=True, **{"x-sunset": "2030-01-01"}),
            "request-parameter-removed-before-sunset",
        ),
        (q(deprecated=True, **{"x-sunset": "2020-01-01"}), None),
    ],
)
def test_removed_parameters(parameter: dict[str, Any], expected: str | None) -> None:
    assert ids(run(params(parameter), params())) == ([expected] if expected else [])


def test_header_names_are_case_blind_and_path_parameters_positional() -> None:
    base = params(
        {"name": "X-Key", "in": "header"}, {"name": "task_id", "in": "path", "required": True}
    )
    revision = document(
        {
            "/tasks/{id}": {
                "get": {
                    "responses": OK,
                    "parameters": [
                        {"name": "x-key", "in": "header"},
                        {"name": "id", "in": "path", "required": True},
                    ],
                }
            }
        }
    )
    assert ids(run(base, revision)) == []


def test_path_level_parameters_apply_to_operations() -> None:
    base = document({"/a": {"parameters": [q()], "get": {"responses": OK}}})
    revision = document({"/a": {"get": {"responses": OK, "parameters": [q()]}}})
    assert ids(run(base, revision)) == []
    assert ids(run(base, document({"/a": {"get": {"responses": OK}}}))) == [
        "request-parameter-removed"
    ]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (q(), q(required=True), ["request-parameter-became-required"]),
        (q(required=True), q(), ["request-parameter-became-optional"]),
        (q(), q(deprecated=True), ["request-parameter-deprecated"]),
        (q({"type": "integer"}), q({"type": "string"}), ["request-parameter-type-generalized"]),
        (q({"type": "string"}), q({"type": "integer"}), ["request-parameter-type-changed"]),
        (
            q({"type": "integer"}),
            q({"type": "integer", "format": "int32"}),
            ["request-parameter-type-changed"],
        ),
        (
            q({"type": "string"}),
            q({"type": "string", "enum": ["a"]}),
            ["request-parameter-became-enum"],
        ),
        (
            q({"type": "string", "enum": ["a", "b"]}),
            q({"type": "string", "enum": ["a"]}),
            ["request-parameter-enum-value-removed"],
        ),
        (
            q({"type": "string", "enum": ["a"]}),
            q({"type": "string", "enum": ["a", "b"]}),
            ["request-parameter-enum-value-added"],
        ),
        (
            q({"type": "integer", "maximum": 10}),
            q({"type": "integer", "maximum": 5}),
            ["request-parameter-max-decreased"],
        ),
        (
            q({"type": "integer", "maximum": 5}),
            q({"type": "integer", "maximum": 10}),
            ["request-parameter-max-increased"],
        ),
        (
            q({"type": "integer"}),
            q({"type": "integer", "maximum": 10}),
            ["request-parameter-max-set"],
        ),
        (
            q({"type": "integer", "minimum": 1}),
            q({"type": "integer", "minimum": 2}),
            ["request-parameter-min-increased"],
        ),
        (
            q({"type": "integer"}),
            q({"type": "integer", "minimum": 2}),
            ["request-parameter-min-set"],
        ),
        (
            q({"type": "string", "maxLength": 9}),
            q({"type": "string", "maxLength": 8}),
            ["request-parameter-max-length-decreased"],
        ),
        (
            q({"type": "string"}),
            q({"type": "string", "maxLength": 8}),
            ["request-parameter-max-length-set"],
        ),
        (
            q({"type": "string"}),
            q({"type": "string", "minLength": 2}),
            ["request-parameter-min-length-increased"],
        ),
        (
            q({"type": "string", "minLength": 2}),
            q({"type": "string"}),
            ["request-parameter-min-length-decreased"],
        ),
        (
            q({"type": "string"}),
            q({"type": "string", "pattern": "^a"}),
            ["request-parameter-pattern-added"],
        ),
        (
            q({"type": "string", "pattern": "^a"}),
            q({"type": "string"}),
            ["request-parameter-pattern-removed"],
        ),
        (
            q({"type": "string", "pattern": "^a"}),
            q({"type": "string", "pattern": "^b"}),
            ["request-parameter-pattern-changed"],
        ),
        (
            q({"type": "integer", "default": 1}),
            q({"type": "integer", "default": 2}),
            ["request-parameter-default-value-changed"],
        ),
        (
            q({"type": "integer", "default": 1}, required=True),
            q({"type": "integer", "default": 2}, required=True),
            [],
        ),
        (
            q({"type": "string"}),
            q({"type": ["string", "null"]}),
            ["request-parameter-became-nullable"],
        ),
        (
            q({"type": "string", "nullable": True}),
            q({"type": "string"}),
            ["request-parameter-became-not-nullable"],
        ),
        (q({"type": "string", "description": "a"}), q({"type": "string", "description": "b"}), []),
    ],
)
def test_modified_parameters(
    before: dict[str, Any], after: dict[str, Any], expected: list[str]
) -> None:
    assert ids(run(params(before), params(after))) == expected


def test_array_parameter_items_and_serialization() -> None:
    tags = {
        "name": "tags",
        "in": "query",
        "schema": {"type": "array", "maxItems": 5, "items": {"type": "string", "enum": ["a", "b"]}},
    }
    narrower = copy.deepcopy(tags)
    narrower["schema"]["maxItems"] = 3
    narrower["schema"]["items"]["enum"] = ["a"]
    assert ids(run(params(tags), params(narrower))) == [
        "request-parameter-max-items-decreased",
        "request-parameter-property-enum-value-removed",
    ]
    assert ids(run(params(tags), params({**tags, "style": "pipeDelimited"}))) == [
        "request-parameter-style-changed"
    ]
    assert ids(run(params(tags), params({**tags, "explode": False}))) == [
        "request-parameter-explode-changed"
    ]
    # A scalar travels the same in either serialization.
    assert ids(run(params(q()), params(q(explode=False)))) == []


# ---- security -------------------------------------------------------------------------------


def secured(operation_security: Any = None, global_security: Any = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"responses": OK}
    if operation_security is not None:
        operation["security"] = operation_security
    doc = document(
        {"/a": {"get": operation}},
        components={
            "securitySchemes": {
                "oauth": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://t",
                            "scopes": {"read": "", "write": ""},
                        }
                    },
                },
                "key": {"type": "apiKey", "in": "header", "name": "K"},
            }
        },
    )
    if global_security is not None:
        doc["security"] = global_security
    return doc


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (secured([]), secured([{"key": []}]), ["api-security-added"]),
        (secured([{"key": []}]), secured([]), ["api-security-removed"]),
        (
            secured([{"oauth": ["read"]}]),
            secured([{"oauth": ["read", "write"]}]),
            ["api-security-scope-added"],
        ),
        (
            secured([{"oauth": ["read", "write"]}]),
            secured([{"oauth": ["read"]}]),
            ["api-security-scope-removed"],
        ),
        (
            secured(None, [{"key": []}]),
            secured(None, [{"oauth": []}]),
            ["api-global-security-added", "api-global-security-removed"],
        ),
        (
            secured(None, [{"oauth": ["read"]}]),
            secured([{"oauth": ["read"]}], [{"oauth": ["read"]}]),
            [],
        ),
    ],
)
def test_security_requirements(
    before: dict[str, Any], after: dict[str, Any], expected: list[str]
) -> None:
    assert ids(run(before, after)) == expected


def test_security_schemes() -> None:
    base = secured()
    revision = copy.deepcopy(base)
    schemes = revision["components"]["securitySchemes"]
    del schemes["key"]
    schemes["oauth"]["flows"]["clientCredentials"]["tokenUrl"] = "https://u"
    del schemes["oauth"]["flows"]["clientCredentials"]["scopes"]["write"]
    assert ids(run(base, revision)) == [
        "api-security-component-oauth-scope-removed",
        "api-security-component-oauth-token-url-changed",
        "api-security-component-removed",
    ]


def test_webhooks_and_component_schemas() -> None:
    base = document(
        {},
        webhooks={"created": {"post": {"responses": OK}}},
        components={"schemas": {"Old": {"type": "string"}}},
    )
    revision = document({}, webhooks={"deleted": {"post": {"responses": OK}}})
    assert ids(run(base, revision)) == ["api-schema-removed", "webhook-added", "webhook-removed"]


def test_output_is_deterministic() -> None:
    base = document({f"/p{i}": {"get": {"responses": OK}} for i in range(5)})
    first, second = run(base, document({})), run(base, document({}))
    assert first == second
    assert [c.operation for c in first.changes] == sorted(c.operation for c in first.changes)
