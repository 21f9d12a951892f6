"""The endpoint table: the generated routers and the design contracts both say what it says."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from fastapi_architect import load_spec
from fastapi_architect.design import design_from_spec
from fastapi_architect.generate import GENERATOR_VERSION
from fastapi_architect.generate.render import render_project
from fastapi_architect.spec.model import ResolvedSpec
from fastapi_architect.spec.routes import Route, routes
from tests.conftest import EXAMPLES, GENERATED_EXAMPLES

NOTES = """
project: {name: notes}
auth: {mode: none}
resources:
  Note:
    fields: {text: string}
"""


def spec_of(name: str) -> ResolvedSpec:
    return load_spec(EXAMPLES / f"{name}.yaml")


def _literal(node: ast.expr | None) -> object:
    return None if node is None else ast.literal_eval(node)


def generated_routes(files: dict[str, str], api_prefix: str) -> dict[str, dict[str, object]]:
    """Each handler of the generated endpoint modules, read from its decorator."""
    found: dict[str, dict[str, object]] = {}
    for path, source in files.items():
        if not path.startswith("app/api/v1/endpoints/") or path.endswith("__init__.py"):
            continue
        tree = ast.parse(source)
        router = next(
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "router"
            and isinstance(node.value, ast.Call)
        )
        keywords = {k.arg: k.value for k in router.keywords}
        prefix = str(_literal(keywords.get("prefix")) or "")
        base = "" if path.endswith("/health.py") else api_prefix
        for node in tree.body:
            if not isinstance(node, ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                if not (
                    isinstance(decorator, ast.Call)
                    and isinstance(decorator.func, ast.Attribute)
                    and isinstance(decorator.func.value, ast.Name)
                    and decorator.func.value.id == "router"
                ):
                    continue
                options = {k.arg: k.value for k in decorator.keywords}
                responses = options.get("responses")
                if isinstance(responses, ast.Call):
                    errors = tuple(_literal(arg) for arg in responses.args)
                elif isinstance(responses, ast.Dict):
                    errors = tuple(_literal(key) for key in responses.keys if key is not None)
                else:
                    errors = ()
                found[node.name] = {
                    "method": decorator.func.attr.upper(),
                    # A convertor (`{task_id:row_id}`) is not part of the path clients see.
                    "path": re.sub(
                        r"{(\w+):\w+}", r"{\1}", base + prefix + str(_literal(decorator.args[0]))
                    ),
                    "summary": _literal(options.get("summary")),
                    "success_status": _literal(options.get("status_code")) or 200,
                    "errors": errors,
                }
    return found


def expected(route: Route) -> dict[str, object]:
    return {
        "method": route.method,
        "path": route.path,
        "summary": route.summary,
        "success_status": route.success_status,
        "errors": route.errors,
    }


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_generated_routers_serve_the_route_table(name: str) -> None:
    spec = spec_of(name)
    files = render_project(spec, GENERATOR_VERSION)
    table = {route.handler: expected(route) for route in routes(spec)}
    assert generated_routes(files, spec.api.prefix) == table


def test_a_public_api_has_no_auth_or_user_routes(tmp_path: Path) -> None:
    (tmp_path / "architect.yaml").write_text(NOTES)
    spec = load_spec(tmp_path / "architect.yaml")
    table = routes(spec)
    assert {route.group for route in table} == {"health", "notes"}
    assert {route.auth for route in table} == {"none"}
    assert all(401 not in route.errors and 403 not in route.errors for route in table)
    files = render_project(spec, GENERATOR_VERSION)
    assert generated_routes(files, spec.api.prefix) == {
        route.handler: expected(route) for route in table
    }


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_design_contracts_are_the_route_table(name: str) -> None:
    spec = spec_of(name)
    design = design_from_spec(spec)
    labels = {"none": "none", "optional": "bearer (optional)", "bearer": "bearer"}
    table = [
        (
            r.group,
            r.method,
            r.path,
            r.summary,
            labels[r.auth],
            r.success_status,
            r.errors,
            r.request,
            r.response,
        )
        for r in routes(spec)
    ]
    contracts = [
        (
            e.group,
            e.method,
            e.path,
            e.summary,
            e.auth,
            e.success_status,
            tuple(error.status for error in e.errors),
            e.request,
            e.response,
        )
        for e in design.endpoints
    ]
    assert contracts == table
    # Every schema a route names is described.
    described = {schema.name for schema in design.schemas}
    for route in routes(spec):
        for name_ in (route.request, route.response):
            if name_ is not None:
                inner = name_.split("[", 1)[-1].rstrip("]")
                assert inner in described, (route.handler, name_)


def test_summaries_take_the_right_article() -> None:
    summaries = {route.handler: route.summary for route in routes(spec_of("shop"))}
    assert summaries["create_order"] == "Create an order"
    assert summaries["get_order_item"] == "Get an order item"
    assert summaries["create_product"] == "Create a product"
    assert summaries["delete_product"] == "Delete a product (restorable)"


def test_handlers_are_unique() -> None:
    for name in GENERATED_EXAMPLES:
        handlers = [route.handler for route in routes(spec_of(name))]
        assert len(handlers) == len(set(handlers)), name


RESTRICTED = """
project: {name: library}
resources:
  Shelf:
    fields: {label: string}
  Archive:
    soft_delete: true
    fields: {label: string}
  Book:
    fields: {title: string}
    relations:
      shelf: {to: Shelf, on_delete: restrict}
      archive: {to: Archive, required: false, on_delete: restrict}
"""


def test_only_a_hard_delete_that_restrict_keys_can_refuse_is_a_409(tmp_path: Path) -> None:
    (tmp_path / "architect.yaml").write_text(RESTRICTED)
    spec = load_spec(tmp_path / "architect.yaml")
    deletes = {r.resource: r.errors for r in routes(spec) if r.operation == "delete"}
    assert 409 in deletes["Shelf"]  # Book rows still point at it
    assert 409 not in deletes["Archive"]  # soft delete: the row stays
    assert 409 not in deletes["Book"]  # nothing points at a book
    design = design_from_spec(spec)
    shelf = next(e for e in design.endpoints if e.method == "DELETE" and e.group == "shelves")
    assert [e.when for e in shelf.errors if e.status == 409] == [
        "Book rows still point at it (RESTRICT)"
    ]
    files = render_project(spec, GENERATOR_VERSION)
    assert generated_routes(files, spec.api.prefix) == {
        route.handler: expected(route) for route in routes(spec)
    }
