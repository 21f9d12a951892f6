"""api-diff on request bodies, responses and the schemas in them: the same change judged by the
direction it travels in, through `$ref`, allOf, oneOf/anyOf, additionalProperties, recursion,
and both spellings of null."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from fastapi_architect.apidiff import Level, Report, diff, parse_document
from fastapi_architect.apidiff.unchanged import Unchanged


def document(
    paths: dict[str, Any], schemas: dict[str, Any] | None = None, version: str = "3.1.0"
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": paths,
    }
    if schemas:
        doc["components"] = {"schemas": schemas}
    return doc


def run(base: dict[str, Any], revision: dict[str, Any]) -> Report:
    return diff(
        parse_document(json.dumps(base), "a.json"), parse_document(json.dumps(revision), "b.json")
    )


def ids(report: Report) -> list[str]:
    return [c.id for c in report.changes]


def request(schema: dict[str, Any], version: str = "3.1.0", **body: Any) -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    operation = {
        "requestBody": {"required": True, "content": content, **body},
        "responses": {"204": {"description": "done"}},
    }
    return document({"/items": {"post": operation}}, version=version)


def response(schema: dict[str, Any], version: str = "3.1.0", status: str = "200") -> dict[str, Any]:
    content = {"application/json": {"schema": schema}}
    return document(
        {"/items": {"get": {"responses": {status: {"description": "ok", "content": content}}}}},
        version=version,
    )


def obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


S = {"type": "string"}
INT = {"type": "integer"}


# ---- request bodies -------------------------------------------------------------------------


def test_request_body_presence_and_requiredness() -> None:
    none = document({"/items": {"post": {"responses": {"204": {"description": "done"}}}}})
    assert ids(run(none, request(S))) == ["request-body-added-required"]
    assert ids(run(none, request(S, required=False))) == ["request-body-added-optional"]
    assert ids(run(request(S), none)) == ["request-body-removed"]
    assert ids(run(request(S, required=False), request(S))) == ["request-body-became-required"]
    assert ids(run(request(S), request(S, required=False))) == ["request-body-became-optional"]


def test_request_media_types() -> None:
    base = request(S)
    revision = copy.deepcopy(base)
    content = revision["paths"]["/items"]["post"]["requestBody"]["content"]
    content["application/xml"] = content.pop("application/json")
    assert ids(run(base, revision)) == [
        "request-body-media-type-added",
        "request-body-media-type-removed",
    ]
    charset = copy.deepcopy(base)
    body = charset["paths"]["/items"]["post"]["requestBody"]["content"]
    body["application/json; charset=utf-8"] = body.pop("application/json")
    assert ids(run(base, charset)) == []


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (obj(a=S), obj(["b"], a=S, b=S), ["new-required-request-property"]),
        (
            obj(a=S),
            obj(["b"], a=S, b={**S, "default": "x"}),
            ["new-required-request-property-with-default"],
        ),
        (obj(a=S), obj(a=S, b=S), ["new-optional-request-property"]),
        (obj(a=S), obj(["b"], a=S, b={**S, "readOnly": True}), []),
        (obj(a=S, b=S), obj(a=S), ["request-property-removed"]),
        (obj(a=S), obj(["a"], a=S), ["request-property-became-required"]),
        (obj(["a"], a=S), obj(a=S), ["request-property-became-optional"]),
        (obj(a=S), obj(a=INT), ["request-property-type-changed"]),
        (obj(a=INT), obj(a={"type": "number"}), ["request-property-type-generalized"]),
        (obj(a=S), obj(a={"type": ["string", "null"]}), ["request-property-became-nullable"]),
        (obj(a={"type": ["string", "null"]}), obj(a=S), ["request-property-became-not-nullable"]),
        (
            obj(a={"type": "string", "enum": ["x", "y"]}),
            obj(a={"type": "string", "enum": ["x"]}),
            ["request-property-enum-value-removed"],
        ),
        (
            obj(a={"type": "string", "enum": ["x"]}),
            obj(a={"type": "string", "enum": ["x", "y"]}),
            ["request-property-enum-value-added"],
        ),
        (obj(a=S), obj(a={"type": "string", "enum": ["x"]}), ["request-property-became-enum"]),
        (
            obj(a={**INT, "maximum": 9}),
            obj(a={**INT, "maximum": 5}),
            ["request-property-max-decreased"],
        ),
        (
            obj(a={**INT, "maximum": 5}),
            obj(a={**INT, "maximum": 9}),
            ["request-property-max-increased"],
        ),
        (obj(a=INT), obj(a={**INT, "maximum": 9}), ["request-property-max-set"]),
        (
            obj(a={**INT, "minimum": 1}),
            obj(a={**INT, "minimum": 3}),
            ["request-property-min-increased"],
        ),
        (
            obj(a={**INT, "exclusiveMinimum": 1}),
            obj(a={**INT, "exclusiveMinimum": 3}),
            ["request-property-exclusive-min-increased"],
        ),
        (
            obj(a={**S, "maxLength": 9}),
            obj(a={**S, "maxLength": 5}),
            ["request-property-max-length-decreased"],
        ),
        (
            obj(a={**S, "minLength": 1}),
            obj(a={**S, "minLength": 5}),
            ["request-property-min-length-increased"],
        ),
        (
            obj(a={"type": "array", "items": S}),
            obj(a={"type": "array", "items": S, "minItems": 1}),
            ["request-property-min-items-increased"],
        ),
        (
            obj(a={"type": "array", "items": S, "maxItems": 9}),
            obj(a={"type": "array", "items": S, "maxItems": 3}),
            ["request-property-max-items-decreased"],
        ),
        (obj(a=S), obj(a={**S, "pattern": "^x"}), ["request-property-pattern-added"]),
        (obj(a={**S, "pattern": "^x"}), obj(a=S), ["request-property-pattern-removed"]),
        (obj(a=S), obj(a={**S, "readOnly": True}), ["request-optional-property-became-read-only"]),
        (obj(a=S), obj(a={**S, "deprecated": True}), ["request-property-deprecated"]),
        (obj(a=S), obj(a={**S, "default": "x"}), ["request-property-default-value-added"]),
        (obj(a=S), obj(a={**S, "description": "now described", "title": "A"}), []),
    ],
)
def test_request_properties(
    before: dict[str, Any], after: dict[str, Any], expected: list[str]
) -> None:
    assert ids(run(request(before), request(after))) == expected


def test_read_only_request_properties_are_not_judged_as_input() -> None:
    before = obj(a={"type": "string", "enum": ["x", "y"], "readOnly": True, "maxLength": 9})
    after = obj(a={"type": "string", "enum": ["x"], "readOnly": True, "maxLength": 5})
    report = run(request(before), request(after))
    assert ids(report) == [
        "request-read-only-property-enum-value-removed",
        "request-read-only-property-max-length-decreased",
    ]
    assert {c.level for c in report.changes} == {Level.INFO}


def test_request_body_root_schema() -> None:
    assert ids(run(request(S), request(INT))) == ["request-body-type-changed"]
    assert ids(run(request({**S, "maxLength": 9}), request({**S, "maxLength": 3}))) == [
        "request-body-max-length-decreased"
    ]
    assert ids(
        run(
            request({"type": "string", "enum": ["a", "b"]}),
            request({"type": "string", "enum": ["a"]}),
        )
    ) == ["request-body-enum-value-removed"]


def test_text_bodies_accept_anything_as_string() -> None:
    base, revision = request(INT), request(S)
    for doc in (base, revision):
        body = doc["paths"]["/items"]["post"]["requestBody"]["content"]
        body["text/plain"] = body.pop("application/json")
    assert ids(run(base, revision)) == ["request-body-type-compatible"]
    assert ids(run(revision, base)) == ["request-body-type-changed"]


# ---- responses ------------------------------------------------------------------------------


def test_response_statuses_and_media_types() -> None:
    assert ids(run(response(S), response(S, status="201"))) == [
        "response-success-status-added",
        "response-success-status-removed",
    ]
    assert ids(run(response(S, status="404"), response(S, status="410"))) == [
        "response-non-success-status-added",
        "response-non-success-status-removed",
    ]
    base = response(S)
    revision = copy.deepcopy(base)
    content = revision["paths"]["/items"]["get"]["responses"]["200"]["content"]
    content["text/csv"] = content.pop("application/json")
    assert ids(run(base, revision)) == ["response-media-type-added", "response-media-type-removed"]
    bare = copy.deepcopy(base)
    del bare["paths"]["/items"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ids(run(base, bare)) == ["response-body-media-type-schema-removed"]


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (obj(["a"], a=S, b=S), obj(["a"], b=S), ["response-required-property-removed"]),
        (obj(a=S, b=S), obj(b=S), ["response-optional-property-removed"]),
        (obj(a=S), obj(["b"], a=S, b=S), ["response-required-property-added"]),
        (obj(["a"], a=S), obj(a=S), ["response-property-became-optional"]),
        (obj(a=S), obj(["a"], a=S), ["response-property-became-required"]),
        (obj(a=S), obj(a={"type": ["string", "null"]}), ["response-property-became-nullable"]),
        (obj(a={"type": ["string", "null"]}), obj(a=S), ["response-property-became-not-nullable"]),
        (
            obj(a={"type": "string", "enum": ["x"]}),
            obj(a={"type": "string", "enum": ["x", "y"]}),
            ["response-property-enum-value-added"],
        ),
        (
            obj(a={"type": "string", "enum": ["x", "y"]}),
            obj(a={"type": "string", "enum": ["x"]}),
            ["response-property-enum-value-removed"],
        ),
        (obj(a=INT), obj(a={"type": "number"}), ["response-property-type-generalized"]),
        (obj(a={"type": "number"}), obj(a=INT), ["response-property-type-specialized"]),
        (obj(a=S), obj(a=INT), ["response-property-type-changed"]),
        (
            obj(a={**INT, "maximum": 5}),
            obj(a={**INT, "maximum": 9}),
            ["response-property-max-increased"],
        ),
        (obj(a={**INT, "maximum": 9}), obj(a={**INT, "maximum": 5}), []),
        (obj(a={**S, "maxLength": 5}), obj(a=S), ["response-property-max-length-unset"]),
        (
            obj(a={**S, "minLength": 5}),
            obj(a={**S, "minLength": 1}),
            ["response-property-min-length-decreased"],
        ),
        (obj(a={**S, "minLength": 1}), obj(a={**S, "minLength": 5}), []),
        (obj(a=S), obj(a={**S, "pattern": "^x"}), ["response-property-pattern-added"]),
        (obj(a={**S, "writeOnly": True}), obj(), ["response-optional-write-only-property-removed"]),
        (obj(a=S), obj(a={**S, "description": "now described"}), []),
    ],
)
def test_response_properties(
    before: dict[str, Any], after: dict[str, Any], expected: list[str]
) -> None:
    assert ids(run(response(before), response(after))) == expected


def test_directions_judge_the_same_change_differently() -> None:
    narrow, wide = {"type": "string", "enum": ["a"]}, {"type": "string", "enum": ["a", "b"]}
    assert run(request(wide), request(narrow)).changes[0].level is Level.ERR
    assert run(response(wide), response(narrow)).changes[0].level is Level.INFO
    assert run(response(narrow), response(wide)).changes[0].level is Level.WARN
    tight, loose = {**S, "maxLength": 3}, {**S, "maxLength": 9}
    assert run(request(loose), request(tight)).changes[0].level is Level.ERR
    assert run(response(loose), response(tight)).changes == ()


def test_response_headers() -> None:
    def with_headers(headers: dict[str, Any]) -> dict[str, Any]:
        doc = response(S)
        doc["paths"]["/items"]["get"]["responses"]["200"]["headers"] = headers
        return doc

    rate = {"X-Rate": {"required": True, "schema": INT}}
    assert ids(run(with_headers(rate), with_headers({}))) == ["required-response-header-removed"]
    assert ids(run(with_headers({}), with_headers(rate))) == ["response-header-added"]
    assert ids(run(with_headers(rate), with_headers({"x-rate": {"schema": INT}}))) == [
        "response-header-became-optional"
    ]
    assert ids(
        run(with_headers(rate), with_headers({"X-Rate": {"required": True, "schema": S}}))
    ) == ["response-header-type-changed"]


# ---- composition and null -------------------------------------------------------------------


def test_refs_are_compared_through() -> None:
    base = response({"$ref": "#/components/schemas/Task"})
    base["components"] = {"schemas": {"Task": obj(["title"], title=S)}}
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["Task"] = obj(title=S)
    report = run(base, revision)
    assert ids(report) == ["response-property-became-optional"]
    assert report.changes[0].base_pointer == "/components/schemas/Task/properties/title"
    renamed = copy.deepcopy(base)
    renamed["components"]["schemas"] = {"Todo": base["components"]["schemas"]["Task"]}
    renamed["paths"]["/items"]["get"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ] = {"$ref": "#/components/schemas/Todo"}
    assert ids(run(base, renamed)) == ["api-schema-removed"]


def test_all_of_is_merged() -> None:
    split = {"allOf": [obj(["id"], id=INT), {"title": "Titled", **obj(["title"], title=S)}]}
    looser = {"allOf": [obj(["id"], id=INT), {"title": "Titled", **obj(title=S)}]}
    assert ids(run(response(split), response(looser))) == ["response-property-became-optional"]
    # A member that comes or goes is reported as such (as oasdiff does), by direction.
    inline = obj(["id", "title"], id=INT, title=S)
    assert ids(run(request(split), request(inline))) == ["request-body-all-of-removed"] * 2
    assert ids(run(request(inline), request(split)))[0] == "request-body-all-of-added"
    annotated = {"allOf": [inline, {"description": "only words"}]}
    assert ids(run(request({"allOf": [inline]}), request(annotated))) == [
        "request-body-all-of-added-annotation-only"
    ]


def test_one_of_alternatives() -> None:
    schemas = {
        "Cat": obj(["name"], name=S),
        "Dog": obj(["bark"], bark=S),
        "Fish": obj(["fin"], fin=S),
    }
    two = {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]}
    three = {
        "oneOf": [
            {"$ref": "#/components/schemas/Cat"},
            {"$ref": "#/components/schemas/Dog"},
            {"$ref": "#/components/schemas/Fish"},
        ]
    }

    def with_schemas(doc: dict[str, Any]) -> dict[str, Any]:
        doc["components"] = {"schemas": copy.deepcopy(schemas)}
        return doc

    assert ids(run(with_schemas(request(two)), with_schemas(request(three)))) == [
        "request-body-one-of-added"
    ]
    assert ids(run(with_schemas(request(three)), with_schemas(request(two)))) == [
        "request-body-one-of-removed"
    ]
    assert ids(run(with_schemas(response(two)), with_schemas(response(three)))) == [
        "response-body-one-of-added"
    ]
    changed = with_schemas(response(two))
    changed["components"]["schemas"]["Dog"]["properties"]["bark"] = INT
    assert ids(run(with_schemas(response(two)), changed)) == ["response-property-type-changed"]


def test_any_of_list_of_types() -> None:
    union = {"anyOf": [S, INT]}
    assert ids(run(request(obj(a=S)), request(obj(a=union)))) == [
        "request-property-list-of-types-widened"
    ]
    assert ids(run(request(obj(a=union)), request(obj(a=S)))) == [
        "request-property-list-of-types-narrowed"
    ]
    assert ids(run(response(obj(a=S)), response(obj(a=union)))) == [
        "response-property-list-of-types-widened"
    ]


@pytest.mark.parametrize(
    ("nullable", "version", "widened", "narrowed"),
    [
        ({"type": "string", "nullable": True}, "3.0.3", "became-nullable", "became-not-nullable"),
        ({"type": ["string", "null"]}, "3.1.0", "became-nullable", "became-not-nullable"),
        # The list-of-types spelling (pydantic's `str | None`) is reported as oasdiff does.
        (
            {"anyOf": [S, {"type": "null"}]},
            "3.1.0",
            "list-of-types-widened",
            "list-of-types-narrowed",
        ),
        (
            {"oneOf": [{"type": "null"}, S]},
            "3.1.0",
            "list-of-types-widened",
            "list-of-types-narrowed",
        ),
    ],
)
def test_null_in_every_spelling(
    nullable: dict[str, Any], version: str, widened: str, narrowed: str
) -> None:
    before, after = response(obj(a=S), version), response(obj(a=nullable), version)
    assert ids(run(before, after)) == [f"response-property-{widened}"]
    assert run(before, after).changes[0].level is Level.ERR
    assert ids(run(after, before)) == [f"response-property-{narrowed}"]
    assert ids(run(after, after)) == []
    assert ids(run(request(obj(a=nullable), version), request(obj(a=S), version))) == [
        f"request-property-{narrowed}"
    ]


def test_null_spellings_are_interchangeable() -> None:
    spellings = [
        {"type": ["string", "null"]},
        {"anyOf": [S, {"type": "null"}]},
        {"oneOf": [{"type": "null"}, S]},
    ]
    for old in spellings:
        for new in spellings:
            assert ids(run(response(obj(a=old)), response(obj(a=new)))) == []


def test_nullable_wrapping_of_a_ref_is_only_nullability() -> None:
    schemas = {"User": obj(["name"], name=S)}
    base = response(obj(owner={"$ref": "#/components/schemas/User"}))
    revision = response(
        obj(owner={"anyOf": [{"$ref": "#/components/schemas/User"}, {"type": "null"}]})
    )
    base["components"] = revision["components"] = {"schemas": schemas}
    assert ids(run(base, revision)) == ["response-property-became-nullable"]


def test_additional_properties() -> None:
    free = {"type": "object", "additionalProperties": INT}
    closed = {"type": "object", "additionalProperties": False}
    assert ids(run(request(free), request(closed))) == [
        "request-body-additional-properties-removed"
    ]
    assert ids(run(request({"type": "object"}), request(closed))) == []
    assert ids(run(request(free), request({"type": "object", "additionalProperties": S}))) == [
        "request-property-type-changed"
    ]
    assert ids(run(response(closed), response(free))) == []


def test_recursive_schemas_terminate_and_report_once() -> None:
    node = obj(
        ["name"],
        name=S,
        children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        parent={"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
    )
    base = response({"$ref": "#/components/schemas/Node"})
    base["components"] = {"schemas": {"Node": node}}
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["Node"]["properties"]["name"] = INT
    report = run(base, revision)
    assert ids(report) == ["response-property-type-changed"]
    assert "`name`" in report.changes[0].message


def test_mutually_recursive_schemas() -> None:
    schemas = {
        "A": obj(b={"$ref": "#/components/schemas/B"}, x=S),
        "B": obj(a={"$ref": "#/components/schemas/A"}, y=S),
    }
    base = request({"$ref": "#/components/schemas/A"})
    base["components"] = {"schemas": schemas}
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["B"]["properties"]["y"] = {**S, "maxLength": 3}
    assert ids(run(base, revision)) == ["request-property-max-length-set"]


def test_one_of_members_are_paired_by_component_name() -> None:
    schemas = {"Dog": obj(["bark"], bark=S), "Cat": obj(["name"], name=S)}
    renamed = {"MyDog": obj(["bark"], bark=S), "Cat": obj(["name"], name=S)}

    def doc(members: dict[str, Any]) -> dict[str, Any]:
        result = response({"oneOf": [{"$ref": f"#/components/schemas/{name}"} for name in members]})
        result["components"] = {"schemas": members}
        return result

    report = run(doc(schemas), doc(renamed))
    assert ids(report) == [
        "api-schema-removed",
        "response-body-one-of-added",
        "response-body-one-of-removed",
    ]
    assert "MyDog" in report.changes[1].message


def test_exclusive_flags_of_3_0_keep_their_bound() -> None:
    before = request({"type": "integer", "minimum": 10}, version="3.0.3")
    after = request({"type": "integer", "minimum": 10, "exclusiveMinimum": True}, version="3.0.3")
    assert ids(run(before, after)) == []
    assert ids(
        run(request({**INT, "exclusiveMaximum": 9}), request({**INT, "exclusiveMaximum": 5}))
    ) == ["request-body-exclusive-max-decreased"]


def test_widely_shared_recursive_schemas_are_compared_once_each() -> None:
    """Thirty schemas that all refer to one another: walking every path would never end."""
    names = [f"S{i}" for i in range(30)]
    schemas = {
        name: obj(
            ["a"],
            a=S,
            **{f"to{other}": {"$ref": f"#/components/schemas/{other}"} for other in names},
        )
        for name in names
    }
    paths = {
        f"/s{i}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                        },
                    }
                }
            }
        }
        for i, name in enumerate(names)
    }
    base = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["S7"]["required"] = []
    report = run(base, revision)
    assert ids(report) == ["response-property-became-optional"] * 30
    # Each operation names the nearest way to the change.
    at_s7 = next(c for c in report.changes if c.operation == "GET /s7")
    assert "`a` in the response 200" in at_s7.message
    assert all(c.message.count("/") <= 2 for c in report.changes)


# ---------------------------------------------------------------- what an equal operation reaches


def _pets(pet_schema: dict[str, Any], scheme: dict[str, Any]) -> dict[str, Any]:
    """GET /pets answering a Pet that is a Cat or a Dog (by discriminator mapping), written
    identically on both sides; only what the operation reaches differs."""
    doc = document(
        {
            "/pets": {
                "get": {
                    "security": [{"key": []}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}
                            },
                        }
                    },
                }
            }
        },
        {
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"type": "object"}],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"dog": "#/components/schemas/Dog"},
                },
            },
            "Cat": {"$ref": "#/components/schemas/Animal"},
            "Animal": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Dog": pet_schema,
        },
    )
    doc["components"]["securitySchemes"] = {"key": scheme}
    return doc


DOG = {"type": "object", "properties": {"bark": {"type": "string"}}, "required": ["bark"]}
KEY = {"type": "apiKey", "in": "header", "name": "X-Key"}


def test_an_equal_operation_is_still_judged_by_what_its_refs_reach(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(_pets(DOG, KEY), _pets(DOG, KEY)).changes == ()
    # Two $refs away, through Cat to Animal.
    base, revision = _pets(DOG, KEY), _pets(DOG, KEY)
    revision["components"]["schemas"]["Animal"]["properties"]["name"]["type"] = "integer"
    assert "response-property-type-changed" in ids(run(base, revision))
    # Skipping equal operations changes no report: the same as comparing every operation,
    # for a schema named by a discriminator's mapping and for a security scheme too.
    dog = copy.deepcopy(DOG)
    del dog["properties"]["bark"], dog["required"]
    pairs = [
        (base, revision),
        (_pets(DOG, KEY), _pets(dog, KEY)),
        (_pets(DOG, KEY), _pets(DOG, {**KEY, "in": "query"})),
    ]
    skipping = [run(a, b) for a, b in pairs]
    monkeypatch.setattr(Unchanged, "same_operation", lambda *_: False)
    assert [run(a, b) for a, b in pairs] == skipping


def test_a_format_added_to_an_optional_field_is_judged_as_on_a_required_one() -> None:
    """`str | None` to `EmailStr | None`: the format inside `anyOf [string, null]`."""

    def email(schema: dict[str, Any]) -> dict[str, Any]:
        return request({"type": "object", "properties": {"email": schema}})

    plain, formatted = {"type": "string"}, {"type": "string", "format": "email"}
    optional = [{"type": "null"}]
    assert ids(run(email(plain), email(formatted))) == ["request-property-type-changed"]
    assert ids(
        run(email({"anyOf": [plain, *optional]}), email({"anyOf": [formatted, *optional]}))
    ) == ["request-property-type-changed"]
