"""The design of each example spec against the backend generated from it, run for real:
its OpenAPI document, its migrated PostgreSQL schema and its own test suite."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from fastapi_architect import load_spec
from fastapi_architect.design import Design, design_from_spec
from tests.conftest import EXAMPLE_NAMES, EXAMPLES, run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends-b")]

OPENAPI = """
import json
from app.core.config import Settings
from app.main import create_app
print(json.dumps(create_app(Settings(app_env="test")).openapi()))
"""

INSPECT = """
import asyncio, json, sys
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from app.core.database import async_url

def describe(connection):
    inspector = sa.inspect(connection)
    dialect = connection.dialect
    tables = {}
    for name in inspector.get_table_names():
        tables[name] = {
            "columns": [
                [c["name"], c["type"].compile(dialect=dialect), c["nullable"]]
                for c in inspector.get_columns(name)
            ],
            "primary_key": inspector.get_pk_constraint(name)["constrained_columns"],
            "foreign_keys": sorted(
                [k["name"], k["constrained_columns"], k["referred_table"],
                 k["referred_columns"], k["options"].get("ondelete")]
                for k in inspector.get_foreign_keys(name)
            ),
            "indexes": sorted(
                [i["name"], i["column_names"], bool(i["unique"])]
                for i in inspector.get_indexes(name)
            ),
            "checks": sorted(c["name"] for c in inspector.get_check_constraints(name)),
        }
    return tables

async def main():
    engine = create_async_engine(async_url(sys.argv[1]))
    async with engine.connect() as connection:
        found = await connection.run_sync(describe)
    await engine.dispose()
    print(json.dumps(found))

asyncio.run(main())
"""


def design_of(name: str) -> Design:
    return design_from_spec(load_spec(EXAMPLES / f"{name}.yaml"))


def openapi_of(venv: Path, project: Path) -> dict[str, Any]:
    result = run(venv, project, "python", "-c", OPENAPI, env={"APP_ENV": "test"})
    assert result.returncode == 0, result.stderr[-4000:]
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def schema_name(schema: dict[str, Any] | None) -> str | None:
    """`ItemResponse_TaskPublic_` as the design writes it: `ItemResponse[TaskPublic]`."""
    if not schema or "$ref" not in schema:
        return None
    name = str(schema["$ref"]).rsplit("/", 1)[1]
    generic = re.fullmatch(r"(ItemResponse|ListResponse)_(\w+)_", name)
    return f"{generic[1]}[{generic[2]}]" if generic else name


def json_schema(response: dict[str, Any]) -> dict[str, Any] | None:
    content = response.get("content", {})
    if "application/json" not in content:
        return None
    schema: dict[str, Any] = content["application/json"]["schema"]
    return schema


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_contracts_match_the_openapi_document(
    venv: Path, projects: dict[str, Path], name: str
) -> None:
    document = openapi_of(venv, projects[name])
    design = design_of(name)
    components = document["components"]["schemas"]
    in_openapi = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            success = next(s for s in responses if s.startswith("2"))
            body = operation.get("requestBody", {}).get("content", {})
            request = [(media, schema_name(v["schema"])) for media, v in body.items()]
            errors = {
                int(status): schema_name(json_schema(response))
                for status, response in responses.items()
                if not status.startswith("2")
            }
            in_openapi[(method.upper(), path)] = {
                "summary": operation["summary"],
                "request": request,
                "success": int(success),
                "response": schema_name(json_schema(responses[success])),
                "errors": errors,
                "parameters": sorted(
                    (p["name"], p["in"], p.get("required", False))
                    for p in operation.get("parameters", [])
                ),
            }
    in_design = {}
    for endpoint in design.endpoints:
        request = []
        if endpoint.request:
            schema = design.schema_named(endpoint.request)
            request = [(schema.media_type, endpoint.request)]
        in_design[(endpoint.method, endpoint.path)] = {
            "summary": endpoint.summary,
            "request": request,
            "success": endpoint.success_status,
            "response": endpoint.response,
            "errors": {e.status: e.body for e in endpoint.errors},
            "parameters": sorted((p.name, p.location, p.required) for p in endpoint.parameters),
        }
    assert sorted(in_design) == sorted(in_openapi)
    for key, expected in in_openapi.items():
        found = in_design[key]
        if expected["request"] and expected["request"][0][0] != "application/json":
            # A form body has a name FastAPI makes up; its fields are compared below.
            form = expected["request"][0][1]
            assert found["request"][0][0] == expected["request"][0][0], key
            assert set(components[form]["properties"]) == {
                f.name for f in design.schema_named(found["request"][0][1]).fields
            }
            expected = {**expected, "request": found["request"]}
        assert found == expected, key
    # Every named schema the design describes has exactly the fields OpenAPI has.
    described = [s for s in design.schemas if s.name in components]
    assert len(described) > 10
    for schema in described:
        component = components[schema.name]
        assert list(component["properties"]) == [f.name for f in schema.fields], schema.name
        assert set(component.get("required", [])) == {
            f.name for f in schema.fields if f.required
        }, schema.name


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_examples_are_valid_against_the_openapi_schemas(
    venv: Path, projects: dict[str, Path], name: str
) -> None:
    document = openapi_of(venv, projects[name])
    components = document["components"]
    checked = 0
    for endpoint in design_of(name).endpoints:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        request, response = endpoint.example_request, endpoint.example_response
        if request is not None and request.body is not None and endpoint.request:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            Draft202012Validator({**schema, "components": components}).validate(request.body)
            checked += 1
        if response is not None and response.body is not None:
            schema = json_schema(operation["responses"][str(response.status)]) or {}
            Draft202012Validator({**schema, "components": components}).validate(response.body)
            checked += 1
    assert checked > 20


@pytest.mark.postgres
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_schema_matches_the_migrated_postgres_database(
    venv: Path, projects: dict[str, Path], postgres_url: str, name: str
) -> None:
    env = {"DATABASE_URL": postgres_url, "APP_ENV": "test"}
    upgrade = run(venv, projects[name], "alembic", "upgrade", "head", env=env)
    assert upgrade.returncode == 0, upgrade.stderr[-4000:]
    inspected = run(venv, projects[name], "python", "-c", INSPECT, postgres_url)
    assert inspected.returncode == 0, inspected.stderr[-4000:]
    database = json.loads(inspected.stdout)
    database.pop("alembic_version")
    design = design_of(name)
    assert sorted(database) == sorted(t.name for t in design.tables)
    for table in design.tables:
        found = database[table.name]
        assert found["columns"] == [[c.name, c.type, c.nullable] for c in table.columns], table.name
        assert found["primary_key"] == list(table.primary_key)
        assert found["foreign_keys"] == sorted(
            [k.name, [k.column], k.ref_table, [k.ref_column], k.on_delete]
            for k in table.foreign_keys
        )
        assert found["indexes"] == sorted(
            [i.name, list(i.columns), i.unique] for i in table.indexes
        ), table.name
        assert found["checks"] == sorted(c.name for c in table.checks)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_test_counts_match_what_pytest_collects(
    venv: Path, projects: dict[str, Path], name: str
) -> None:
    result = run(venv, projects[name], "pytest", "--collect-only", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout[-4000:]
    collected = Counter(
        line.split("[", 1)[0] for line in result.stdout.splitlines() if "::" in line
    )
    design = design_of(name)
    assert collected == {
        f"{item.path}::{test.name}": test.cases for item in design.test_files for test in item.tests
    }
    assert f"{design.test_total} tests collected" in result.stdout
