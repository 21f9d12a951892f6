"""The architecture document of an existing codebase, from what `survey` finds in it.

The code shows its routes, models and layering; it does not show request schemas, access
rules, a migration plan or the reasons for its decisions, and the document says so."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from fastapi_architect.codebase import ScanOptions
from fastapi_architect.design.mermaid import FlowEdge, FlowNode, er_diagram, flowchart
from fastapi_architect.design.model import (
    ColumnDesign,
    Design,
    EndpointDesign,
    ForeignKeyDesign,
    LayerDesign,
    ResourceSummary,
    Risk,
    SecurityControl,
    TableDesign,
    UnknownSection,
)
from fastapi_architect.survey.model import Survey, survey

_LAYER_ROLES = {
    "api": "HTTP handlers and routers.",
    "endpoints": "HTTP handlers and routers.",
    "routers": "HTTP handlers and routers.",
    "deps": "Shared dependencies.",
    "services": "Business rules.",
    "repositories": "Queries.",
    "crud": "Queries.",
    "models": "Database models.",
    "schemas": "Request and response schemas.",
    "core": "Configuration and infrastructure.",
}
# Paths where no authentication is expected.
_OPEN_PATHS = ("/login", "/token", "/register", "/refresh", "/health", "/ready", "/signup")


def design_from_code(path: Path | str, config: ScanOptions | None = None) -> Design:
    """The document for the codebase under `path` (parsed, never imported); `config` says
    which paths to skip (the review settings read from pyproject.toml are such a config)."""
    return design_from_survey(survey(path, config))


def _foreign_key(column: str, target: str) -> ForeignKeyDesign:
    table, _, ref = target.strip("'\"").partition(".")
    return ForeignKeyDesign(
        name=None, column=column, ref_table=table, ref_column=ref or "id", on_delete=None
    )


def design_from_survey(found: Survey) -> Design:
    tables = tuple(
        TableDesign(
            name=model.table,
            kind="model",
            resource=model.name,
            columns=tuple(
                ColumnDesign(
                    name=c.name,
                    type=c.type,
                    nullable=None,
                    primary_key=c.primary_key,
                    unique=c.unique,
                    index=c.index,
                )
                for c in model.columns
            ),
            primary_key=tuple(c.name for c in model.columns if c.primary_key),
            foreign_keys=tuple(
                _foreign_key(c.name, c.foreign_key) for c in model.columns if c.foreign_key
            ),
            relations=tuple(
                f"{r.name} -> {r.target}{' (many)' if r.many else ''}" for r in model.relations
            ),
            location=model.location,
        )
        for model in found.models
    )
    endpoints = tuple(
        EndpointDesign(
            group=route.location.rsplit(":", 1)[0],
            method=route.method,
            path=route.path,
            summary=route.handler.replace("_", " "),
            auth=route.auth,
            access="not known",
            response=route.response_model,
            success_status=route.status_code,
            handler=route.handler,
            location=route.location,
        )
        for route in found.routes
    )
    name = Path(found.root).resolve().name or found.root
    imports: dict[str, list[str]] = {}
    for edge in found.edges:
        imports.setdefault(edge.source, []).append(edge.target)
    layers = tuple(
        LayerDesign(
            name=layer,
            path=layer,
            responsibility=_LAYER_ROLES.get(layer, "Modules of this layer."),
            modules=count,
            imports=tuple(sorted(imports.get(layer, []))),
        )
        for layer, count in found.layers
    )
    return Design(
        source="code",
        origin=found.root,
        title=name,
        summary=(
            f"The FastAPI codebase `{found.root}`: {found.files} Python files, "
            f"{len(found.routes)} routes, {len(found.models)} table models, "
            f"{len(found.layers)} layers. Read statically; the code was never imported."
        ),
        stack=(),
        resources=tuple(
            ResourceSummary(name=m.name, path="", table=m.table, description=m.location)
            for m in found.models
        ),
        schemas=(),
        endpoints=endpoints,
        tables=tables,
        er_diagram=er_diagram(tables),
        layers=layers,
        services=(),
        request_flow=_flow(found),
        security=_security(found),
        access=(),
        migration=(),
        test_levels=(),
        test_files=(),
        risks=_risks(found, tables),
        open_questions=(),
        adrs=(),
        unknown=(
            UnknownSection(
                section="api contracts",
                reason=(
                    "request schemas, error statuses, access rules and examples are not "
                    "surveyed; the routes, their auth dependency, response model and declared "
                    "status are."
                ),
            ),
            UnknownSection(
                section="database schema",
                reason=(
                    "nullability, defaults, ON DELETE rules, composite indexes and check "
                    "constraints are not surveyed; the models' columns and keys are."
                ),
            ),
            UnknownSection(
                section="service boundaries",
                reason="which service owns which resource is not surveyed; the layers and "
                "their imports are.",
            ),
            UnknownSection(
                section="security controls",
                reason=(
                    "only which routes declare an auth dependency is surveyed; "
                    "`fastapi-architect review` checks the rest."
                ),
            ),
            UnknownSection(section="migration plan", reason="the migration history is not read."),
            UnknownSection(section="testing strategy", reason="the tests are not surveyed."),
            UnknownSection(
                section="open questions",
                reason="without a spec there are no recorded defaults to list.",
            ),
            UnknownSection(
                section="decisions", reason="the reasons behind the code are not in the code."
            ),
        ),
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _flow(found: Survey) -> str:
    present = [layer for layer, _ in found.layers]
    if not present:
        return flowchart(
            (FlowNode("client", "Client", shape="client"), FlowNode("app", "application")),
            (FlowEdge("client", "app", "HTTP request"),),
        )
    entry = next((x for x in ("api", "endpoints", "routers") if x in present), present[0])
    nodes = [FlowNode("client", "Client", shape="client")]
    nodes += [
        FlowNode(f"layer_{layer}", layer, f"{count} modules") for layer, count in found.layers
    ]
    nodes.append(FlowNode("database", "database", shape="database"))
    edges = [FlowEdge("client", f"layer_{entry}", "HTTP request")]
    edges += [
        FlowEdge(f"layer_{e.source}", f"layer_{e.target}", f"{_count(e.imports, 'module')} import")
        for e in found.edges
    ]
    store = next((x for x in ("repositories", "crud", "models") if x in present), None)
    if store is not None:
        edges.append(FlowEdge(f"layer_{store}", "database", "queries"))
    edges.append(FlowEdge(f"layer_{entry}", "client", "response", back=True))
    return flowchart(nodes, edges)


def _security(found: Survey) -> tuple[SecurityControl, ...]:
    guarded = [r for r in found.routes if r.auth]
    names = sorted({r.auth for r in guarded if r.auth})
    out = [
        SecurityControl(
            area="Authentication",
            control=(
                f"{len(guarded)} of {len(found.routes)} routes declare an auth dependency"
                + (f" ({', '.join(names)})" if names else "")
                + "."
            ),
        )
    ]
    open_routes = [f"{r.method} {r.path}" for r in found.routes if not r.auth]
    if open_routes:
        out.append(
            SecurityControl(
                area="Routes without an auth dependency", control=", ".join(open_routes)
            )
        )
    return tuple(out)


def _risks(found: Survey, tables: tuple[TableDesign, ...]) -> tuple[Risk, ...]:
    out: list[Risk] = []
    unguarded = [
        f"{r.method} {r.path}"
        for r in found.routes
        if not r.auth and not r.path.rstrip("/").endswith(_OPEN_PATHS)
    ]
    if unguarded:
        out.append(
            Risk(
                title="Routes without authentication",
                severity="high",
                detail=f"No auth dependency found on: {', '.join(unguarded)}.",
                mitigation=(
                    "Add the auth dependency (or document why the route is public); "
                    "`fastapi-architect review` reports each one."
                ),
            )
        )
    twice = sorted(
        key for key, n in Counter((r.method, r.path) for r in found.routes).items() if n > 1
    )
    if twice:
        out.append(
            Risk(
                title="Routes declared twice",
                severity="medium",
                detail="Only the first handler ever runs for: "
                + ", ".join(f"{m} {p}" for m, p in twice)
                + ".",
                mitigation="Remove or re-path the shadowed handlers.",
            )
        )
    unindexed = [
        f"{t.name}.{c.name}"
        for t in tables
        for c in t.columns
        if any(k.column == c.name for k in t.foreign_keys) and not (c.index or c.primary_key)
    ]
    if unindexed:
        out.append(
            Risk(
                title="Foreign keys without an index",
                severity="medium",
                detail=(
                    f"{', '.join(unindexed)}: joins, per-parent lists and cascading deletes "
                    "scan the table."
                ),
                mitigation="Index each foreign key column (`index=True`).",
            )
        )
    return tuple(out)
