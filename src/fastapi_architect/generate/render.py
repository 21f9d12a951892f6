"""Rendering a project: the resolved spec in, {relative path: file text} out."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from importlib.resources import files
from pathlib import PurePosixPath
from types import SimpleNamespace
from typing import Any

import jinja2
from limits import parse as parse_limit
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from fastapi_architect.evolve.operations import create_table_calls
from fastapi_architect.generate.context import ProjectView, build_context, long_literal, table_args
from fastapi_architect.generate.errors import UnsupportedSpecError
from fastapi_architect.generate.layout import PlannedFile, Value, plan
from fastapi_architect.spec.model import ResolvedSpec, Table
from fastapi_architect.spec.routes import ERROR_CODES, MAX_RELATED_IDS, Route, routes
from fastapi_architect.spec.tools import mcp_tools

TEMPLATES = files("fastapi_architect.generate") / "templates"

# Characters a docstring cannot hold as they are: control, surrogate and line-separating ones.
UNSAFE_IN_SOURCE = frozenset({"Cc", "Cs", "Zl", "Zp"})
COLUMN_COLLECTION_NAMES = frozenset(
    name for name in dir(ReadOnlyColumnCollection) if not name.startswith("_")
)


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: each template is compiled once, however many projects
    (or renderings of one, as a spec change needs) are rendered."""
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["pyrepr"] = repr
    environment.filters["pytuple"] = _pytuple
    environment.filters["optional"] = _optional
    environment.filters["quoted"] = _quoted
    environment.filters["docstring"] = _docstring
    environment.filters["literal"] = long_literal
    environment.globals["column"] = _column
    return environment


def _load(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _pytuple(values: Iterable[object]) -> str:
    items = list(values)
    if len(items) == 1:
        return f"({items[0]!r},)"
    return "(" + ", ".join(repr(item) for item in items) + ")"


def _quoted(text: str) -> str:
    """`text` as a double-quoted string, which Python and TOML read alike."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _docstring(text: str) -> str:
    """`text` inside a triple-quoted string: its backslashes, runs of quotes, control
    characters and trailing spaces (which would end the string, escape or lint) made safe."""
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = text.replace("\\", "\\\\")
    text = "".join(
        char
        if char == "\n" or unicodedata.category(char) not in UNSAFE_IN_SOURCE
        else char.encode("unicode_escape").decode("ascii")
        for char in text
    )
    # A run of three quotes would end the string, and so would quotes at its very end.
    return re.sub(r'"{3,}|"+$', lambda run: '\\"' * len(run.group()), text)


def _column(table: str, name: str) -> str:
    """A column of a Core table: an attribute of its column collection, or an item where the
    name is one of the collection's own (`keys`, `items`, ...)."""
    return f"{table}.c[{name!r}]" if name in COLUMN_COLLECTION_NAMES else f"{table}.c.{name}"


def _optional(annotation: str) -> str:
    return annotation if annotation.endswith("| None") else f"{annotation} | None"


def render_template(template: str, **values: Any) -> str:
    """One template of the package, rendered with `values` (unformatted)."""
    return _environment().get_template(template).render(**values)


def render_project(spec: ResolvedSpec, generator_version: str) -> dict[str, str]:
    """Every file of the generated project, unformatted."""
    return _render(spec, generator_version, plan(spec))


def render_test_modules(spec: ResolvedSpec, generator_version: str) -> dict[str, str]:
    """The generated test modules alone (what pytest collects), unformatted."""
    return _render(
        spec, generator_version, [item for item in plan(spec) if item.file.is_test_module]
    )


def _render(
    spec: ResolvedSpec, generator_version: str, planned: Iterable[PlannedFile]
) -> dict[str, str]:
    """The `planned` files of the project generated from `spec`."""
    project = build_context(spec, generator_version)
    environment = _environment()
    id_sa = "sa.Uuid()" if spec.api.ids == "uuid" else "sa.Integer()"
    tables = {table.name: table for table in spec.tables}

    login_limit = parse_limit(spec.rate_limits.login).amount
    # Each router's routes by operation: `routes.auth.login`, `routes[r.plural].get`.
    by_group: dict[str, dict[str, Route]] = {}
    for route in routes(spec):
        by_group.setdefault(route.group, {})[route.operation] = route
    route_table = {group: SimpleNamespace(**ops) for group, ops in by_group.items()}

    def render(template: str, **values: Any) -> str:
        return environment.get_template(template).render(
            p=project,
            id_sa=id_sa,
            max_ids=MAX_RELATED_IDS,
            login_limit=login_limit,
            routes=route_table,
            error_codes=ERROR_CODES,
            **values,
        )

    model_names = [a.class_name for a in project.associations]
    model_names += ["AuditLog"] if project.audit else []
    model_names += ["RefreshToken"] if project.builtin else []
    model_names += ["AiBudget", "AiUsage"] if spec.ai is not None else []
    model_names += [r.name for r in project.resources]
    values: dict[Value, Callable[[], object]] = {
        "model_names": lambda: sorted(model_names),
        "endpoint_modules": lambda: sorted(
            PurePosixPath(item.path).stem for item in plan(spec) if item.file.api_router
        ),
        "tables": lambda: [_migration_table(t) for t in spec.tables],
        "mcp_tools": lambda: mcp_tools(spec),
    }
    resources = {resource.name: resource for resource in project.resources}
    associations = {association.table: association for association in project.associations}
    out: dict[str, str] = {}
    for item in planned:
        extra: dict[str, Any] = {name: values[name]() for name in item.file.values}
        if item.file.table is not None:
            extra["table_args"] = table_args(tables[item.file.table])
        if item.resource is not None:
            extra["r"] = resources[item.resource]
        if item.association is not None:
            extra["a"] = associations[item.association]
        out[item.path] = render(item.file.template, **extra)
    return out


def _migration_table(table: Table) -> dict[str, Any]:
    return {"name": table.name, "create": create_table_calls(table)}


__all__ = ["ProjectView", "UnsupportedSpecError", "render_project", "render_test_modules"]
