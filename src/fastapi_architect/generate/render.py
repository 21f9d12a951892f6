"""Rendering a project: the resolved spec in, {relative path: file text} out."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from typing import Any

import jinja2
from limits import parse as parse_limit

from fastapi_architect.generate.context import (
    MAX_RELATED_IDS,
    ROUTE_ERRORS,
    ProjectView,
    build_context,
    column_type_source,
    route_error_statuses,
    table_args,
)
from fastapi_architect.generate.errors import UnsupportedSpecError
from fastapi_architect.spec.model import Index, ResolvedSpec, Resource, Table

TEMPLATES = files("fastapi_architect.generate") / "templates"


def _environment() -> jinja2.Environment:
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
    return environment


def _load(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def _pytuple(values: Iterable[object]) -> str:
    items = list(values)
    if len(items) == 1:
        return f"({items[0]!r},)"
    return "(" + ", ".join(repr(item) for item in items) + ")"


def _optional(annotation: str) -> str:
    return annotation if annotation.endswith("| None") else f"{annotation} | None"


def render_project(spec: ResolvedSpec, generator_version: str) -> dict[str, str]:
    """Every file of the generated project, unformatted."""
    project = build_context(spec, generator_version)
    environment = _environment()
    id_sa = "sa.Uuid()" if spec.api.ids == "uuid" else "sa.Integer()"
    tables = {table.name: table for table in spec.tables}

    login_limit = parse_limit(spec.rate_limits.login).amount

    def render(template: str, **values: Any) -> str:
        return environment.get_template(template).render(
            p=project, id_sa=id_sa, max_ids=MAX_RELATED_IDS, login_limit=login_limit, **values
        )

    out: dict[str, str] = {}
    static = {
        "pyproject.toml": "pyproject.toml.j2",
        "Makefile": "Makefile.j2",
        ".env.example": "env.example.j2",
        ".gitignore": "gitignore.j2",
        "alembic.ini": "alembic.ini.j2",
        "README.md": "README.md.j2",
        "app/__init__.py": "app/__init__.py.j2",
        "app/main.py": "app/main.py.j2",
        "app/core/__init__.py": "app/core/__init__.py.j2",
        "app/core/config.py": "app/core/config.py.j2",
        "app/core/types.py": "app/core/types.py.j2",
        "app/core/database.py": "app/core/database.py.j2",
        "app/core/errors.py": "app/core/errors.py.j2",
        "app/core/logging.py": "app/core/logging.py.j2",
        "app/core/middleware.py": "app/core/middleware.py.j2",
        "app/core/rate_limit.py": "app/core/rate_limit.py.j2",
        "app/api/__init__.py": "app/api/__init__.py.j2",
        "app/api/deps.py": "app/api/deps.py.j2",
        "app/api/v1/__init__.py": "app/api/v1/__init__.py.j2",
        "app/api/v1/endpoints/__init__.py": "app/api/v1/endpoints/__init__.py.j2",
        "app/api/v1/endpoints/health.py": "app/api/v1/endpoints/health.py.j2",
        "app/models/base.py": "app/models/base.py.j2",
        "app/schemas/__init__.py": "app/schemas/__init__.py.j2",
        "app/schemas/common.py": "app/schemas/common.py.j2",
        "app/repositories/__init__.py": "app/repositories/__init__.py.j2",
        "app/repositories/pagination.py": "app/repositories/pagination.py.j2",
        "app/services/__init__.py": "app/services/__init__.py.j2",
        "app/services/access.py": "app/services/access.py.j2",
        "migrations/env.py": "migrations/env.py.j2",
        "migrations/script.py.mako": "migrations/script.py.mako.j2",
        "tests/__init__.py": "tests/__init__.py.j2",
        "tests/conftest.py": "tests/conftest.py.j2",
        "tests/factories.py": "tests/factories.py.j2",
        "tests/test_platform.py": "tests/test_platform.py.j2",
    }
    builtin = spec.auth.mode == "builtin"
    if spec.auth.enabled:
        static |= {
            "app/schemas/user.py": "app/schemas/user.py.j2",
            "app/repositories/user.py": "app/repositories/user.py.j2",
            "app/services/user.py": "app/services/user.py.j2",
            "app/api/v1/endpoints/users.py": "app/api/v1/endpoints/users.py.j2",
        }
    if spec.auth.mode == "jwks":
        static |= {
            "app/core/jwks.py": "app/core/jwks.py.j2",
            "tests/issuer.py": "tests/issuer.py.j2",
            "tests/test_tokens.py": "tests/test_tokens.py.j2",
        }
    if builtin:
        static |= {
            "app/core/security.py": "app/core/security.py.j2",
            "app/services/auth.py": "app/services/auth.py.j2",
            "app/api/v1/endpoints/auth.py": "app/api/v1/endpoints/auth.py.j2",
            "app/models/refresh_token.py": "app/models/refresh_token.py.j2",
            "tests/test_auth.py": "tests/test_auth.py.j2",
        }
    if project.audit:
        static |= {
            "app/services/audit.py": "app/services/audit.py.j2",
            "app/models/audit_log.py": "app/models/audit_log.py.j2",
        }
        if spec.auth.enabled:
            static |= {
                "app/api/v1/endpoints/audit.py": "app/api/v1/endpoints/audit.py.j2",
                "app/schemas/audit.py": "app/schemas/audit.py.j2",
                "app/repositories/audit.py": "app/repositories/audit.py.j2",
            }
    for target, template in static.items():
        extra: dict[str, Any] = {}
        if target == "app/models/refresh_token.py":
            extra["table_args"] = table_args(tables["refresh_tokens"])
        if target == "app/models/audit_log.py":
            extra["table_args"] = table_args(tables["audit_log"])
        out[target] = render(template, **extra)

    model_names = [a.class_name for a in project.associations]
    model_names += ["AuditLog"] if project.audit else []
    model_names += ["RefreshToken"] if builtin else []
    model_names += [r.name for r in project.resources]
    out["app/models/__init__.py"] = render(
        "app/models/__init__.py.j2", model_names=sorted(model_names)
    )
    for association in project.associations:
        out[f"app/models/{association.module}.py"] = render(
            "app/models/association.py.j2", a=association
        )
    endpoint_modules: list[str] = []
    if builtin:
        endpoint_modules.append("auth")
    if spec.auth.enabled:
        endpoint_modules.append("users")
    if project.audit and spec.auth.enabled:
        endpoint_modules.append("audit")
    for resource in project.resources:
        out[f"app/models/{resource.module}.py"] = render("app/models/resource.py.j2", r=resource)
        if resource.name == "User" and spec.auth.enabled:
            continue
        endpoint_modules.append(resource.plural)
        out[f"app/schemas/{resource.module}.py"] = render("app/schemas/resource.py.j2", r=resource)
        out[f"app/repositories/{resource.module}.py"] = render(
            "app/repositories/resource.py.j2", r=resource
        )
        out[f"app/services/{resource.module}.py"] = render(
            "app/services/resource.py.j2", r=resource
        )
        out[f"app/api/v1/endpoints/{resource.plural}.py"] = render(
            "app/api/v1/endpoints/resource.py.j2",
            r=resource,
            **_error_statuses(spec, spec.resource(resource.name)),
        )
        out[f"tests/test_{resource.plural}.py"] = render("tests/test_resource.py.j2", r=resource)
    out["app/api/v1/router.py"] = render(
        "app/api/v1/router.py.j2", endpoint_modules=sorted(endpoint_modules)
    )
    out["migrations/versions/0001_initial.py"] = render(
        "migrations/versions/0001_initial.py.j2", tables=[_migration_table(t) for t in spec.tables]
    )
    return out


def _error_statuses(spec: ResolvedSpec, resource: Resource) -> dict[str, str]:
    return {
        f"{route}_errors": ", ".join(map(str, route_error_statuses(spec, resource, route)))
        for route in ROUTE_ERRORS
    }


def _index_call(table: Table, index: Index) -> str:
    columns = ", ".join(repr(c) for c in index.columns)
    text = f"{index.name!r}, {table.name!r}, [{columns}], unique={index.unique}"
    if index.where:
        text += (
            f", postgresql_where=sa.text({index.where!r}), sqlite_where=sa.text({index.where!r})"
        )
    return text


def _migration_table(table: Table) -> dict[str, Any]:
    constraints = [
        f"sa.ForeignKeyConstraint([{key.column!r}], [{f'{key.ref_table}.{key.ref_column}'!r}], "
        f"name={key.name!r}, ondelete={key.on_delete!r})"
        for key in table.foreign_keys
    ]
    constraints += [f"sa.CheckConstraint({c.sql!r}, name={c.name!r})" for c in table.checks]
    return {
        "name": table.name,
        "columns": [
            {
                "name": column.name,
                "sa_type": column_type_source(column),
                "nullable": column.nullable,
                "autoincrement": column.primary_key and column.kind == "integer",
            }
            for column in table.columns
        ],
        "primary_key": table.primary_key,
        "constraints": constraints,
        "indexes": [_index_call(table, index) for index in table.indexes],
    }


__all__ = ["ProjectView", "UnsupportedSpecError", "render_project"]
