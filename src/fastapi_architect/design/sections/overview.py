"""Overview: the summary, the technology stack and the resources."""

from __future__ import annotations

from fastapi_architect.design.model import Decision, ResourceSummary
from fastapi_architect.design.sections.prose import names
from fastapi_architect.spec.model import ResolvedSpec, Resource
from fastapi_architect.spec.routes import api_resources


def summary(spec: ResolvedSpec, endpoints: int) -> str:
    description = spec.project.description.rstrip(".")
    lead = f"{spec.project.title}" + (f": {description}." if description else ".")
    listed = names(r.name for r in spec.resources)
    return (
        f"{lead} A FastAPI backend serving {len(spec.resources)} resources ({listed}) over "
        f"{endpoints} endpoints under `{spec.api.prefix or '/'}`, stored in {len(spec.tables)} "
        f"tables. Version {spec.project.version}."
    )


def _auth_choice(spec: ResolvedSpec) -> str:
    auth = spec.auth
    if auth.mode == "builtin":
        return (
            f"built in: register and log in; {auth.access_token_minutes}-minute access JWTs "
            f"(HS256) and {auth.refresh_token_days}-day rotating refresh tokens; roles "
            f"{', '.join(auth.roles)}"
        )
    if auth.mode == "jwks" and auth.jwks is not None:
        return (
            f"external issuer {auth.jwks.issuer}, tokens verified against its JWKS "
            f"({', '.join(auth.jwks.algorithms)}); roles {', '.join(auth.roles)}"
        )
    return "none: a public API"


def stack(spec: ResolvedSpec) -> tuple[Decision, ...]:
    soft = [r.name for r in spec.resources if r.soft_delete]
    audited = [r.name for r in spec.resources if r.audit]
    database = (
        "PostgreSQL (asyncpg) in production"
        if spec.database.engine == "postgresql"
        else "SQLite (aiosqlite) in production"
    ) + "; SQLite (aiosqlite) in development and tests"
    if spec.database.pooler:
        database += "; behind a transaction-mode pooler (no prepared-statement cache)"
    return (
        Decision(topic="Framework", choice="FastAPI, async end to end; Pydantic v2 schemas"),
        Decision(topic="Persistence", choice="SQLModel on SQLAlchemy 2 `AsyncSession`"),
        Decision(topic="Database", choice=database),
        Decision(topic="Migrations", choice="Alembic; the initial revision matches the models"),
        Decision(topic="Authentication", choice=_auth_choice(spec)),
        Decision(
            topic="Identifiers",
            choice="UUID v4" if spec.api.ids == "uuid" else "integer identity",
        ),
        Decision(
            topic="Pagination",
            choice=(
                f"cursor (keyset), {spec.api.default_page_size} rows by default, at most "
                f"{spec.api.max_page_size}"
            ),
        ),
        Decision(topic="Soft delete", choice=names(soft)),
        Decision(topic="Audit log", choice=names(audited)),
        Decision(
            topic="Rate limits",
            choice=(
                f"login {spec.rate_limits.login} per IP and per account; "
                f"{spec.rate_limits.default} per user (per IP when anonymous)"
            ),
        ),
    )


def resource_summary(spec: ResolvedSpec, resource: Resource) -> ResourceSummary:
    traits = [
        name
        for name, on in (
            ("built-in", resource.builtin),
            ("owned", resource.owned),
            ("soft delete", resource.soft_delete),
            ("audit", resource.audit),
            ("search", bool(resource.search)),
        )
        if on
    ]
    served = resource in api_resources(spec)
    return ResourceSummary(
        name=resource.name,
        path=f"{spec.api.prefix}{resource.path}" if served else f"{spec.api.prefix}/users",
        table=resource.table,
        description=resource.description or f"{resource.name} records.",
        traits=tuple(traits),
    )
