"""The architecture document of a spec: every section derived from the resolved spec."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from fastapi_architect.design.contracts import api_resources, contracts, ids_field
from fastapi_architect.design.mermaid import FlowEdge, FlowNode, er_diagram, flowchart
from fastapi_architect.design.model import (
    AccessRule,
    Adr,
    CheckDesign,
    ColumnDesign,
    Decision,
    Design,
    ForeignKeyDesign,
    IndexDesign,
    LayerDesign,
    MigrationStep,
    Question,
    ResourceSummary,
    Risk,
    SecurityControl,
    ServiceDesign,
    TableDesign,
    TestCount,
    TestFile,
    TestLevel,
    UnknownSection,
)
from fastapi_architect.generate.context import MAX_RELATED_IDS
from fastapi_architect.spec.model import ACTIONS, Column, ResolvedSpec, Resource, Table


def design_from_spec(spec: ResolvedSpec, origin: str = "architect.yaml") -> Design:
    """The whole architecture document of `spec` (`origin` names the spec file)."""
    found = contracts(spec)
    tables = tuple(table_design(table) for table in spec.tables)
    test_files, unknown = _tests(spec)
    resources = api_resources(spec)
    return Design(
        source="spec",
        origin=origin,
        title=spec.project.title,
        summary=_summary(spec, len(found.endpoints)),
        stack=_stack(spec),
        resources=tuple(_resource_summary(spec, r) for r in spec.resources),
        schemas=found.schemas,
        endpoints=found.endpoints,
        tables=tables,
        er_diagram=er_diagram(tables),
        layers=LAYERS,
        services=tuple(_service(spec, r) for r in resources) + _platform_services(spec),
        request_flow=_request_flow(spec),
        security=_security(spec),
        access=_access(spec),
        migration=_migration(spec),
        test_levels=_test_levels(spec),
        test_files=test_files,
        risks=_risks(spec),
        open_questions=tuple(
            Question(location=str(q.location), subject=q.subject, decision=q.decision)
            for q in spec.open_questions
        ),
        adrs=_adrs(spec),
        unknown=unknown,
    )


# ---------------------------------------------------------------- overview


def _words(name: str) -> str:
    return name.replace("_", " ")


def _names(items: Iterable[str]) -> str:
    found = list(items)
    if not found:
        return "none"
    if len(found) == 1:
        return found[0]
    return ", ".join(found[:-1]) + " and " + found[-1]


def _summary(spec: ResolvedSpec, endpoints: int) -> str:
    description = spec.project.description.rstrip(".")
    lead = f"{spec.project.title}" + (f": {description}." if description else ".")
    names = _names(r.name for r in spec.resources)
    return (
        f"{lead} A FastAPI backend serving {len(spec.resources)} resources ({names}) over "
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


def _stack(spec: ResolvedSpec) -> tuple[Decision, ...]:
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
        Decision(topic="Soft delete", choice=_names(soft)),
        Decision(topic="Audit log", choice=_names(audited)),
        Decision(
            topic="Rate limits",
            choice=(
                f"login {spec.rate_limits.login} per IP and per account; "
                f"{spec.rate_limits.default} per user (per IP when anonymous)"
            ),
        ),
    )


def _resource_summary(spec: ResolvedSpec, resource: Resource) -> ResourceSummary:
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
    served = not (resource.name == "User" and spec.auth.enabled)
    return ResourceSummary(
        name=resource.name,
        path=f"{spec.api.prefix}{resource.path}" if served else f"{spec.api.prefix}/users",
        table=resource.table,
        description=resource.description or f"{resource.name} records.",
        traits=tuple(traits),
    )


# ---------------------------------------------------------------- database


def _column_default(column: Column) -> str | None:
    if column.default_factory == "now":
        return "now (set by the application)"
    if column.default_factory == "uuid4":
        return "a new UUID (set by the application)"
    if column.default is None:
        return None
    if isinstance(column.default, bool):
        return "true" if column.default else "false"
    return str(column.default)


def table_design(table: Table) -> TableDesign:
    unique = {i.columns[0] for i in table.indexes if i.unique and len(i.columns) == 1}
    columns = tuple(
        ColumnDesign(
            name=column.name,
            type=column.sql_type,
            nullable=column.nullable,
            default=_column_default(column),
            primary_key=column.primary_key,
            unique=column.name in unique,
            comment=" ".join(
                part
                for part in (
                    column.comment,
                    "Set to now on every update." if column.on_update_now else "",
                )
                if part
            ),
        )
        for column in table.columns
    )
    return TableDesign(
        name=table.name,
        kind=table.kind,
        resource=table.resource,
        columns=columns,
        primary_key=table.primary_key,
        foreign_keys=tuple(
            ForeignKeyDesign(
                name=key.name,
                column=key.column,
                ref_table=key.ref_table,
                ref_column=key.ref_column,
                on_delete=key.on_delete,
            )
            for key in table.foreign_keys
        ),
        indexes=tuple(
            IndexDesign(
                name=index.name,
                columns=index.columns,
                unique=index.unique,
                where=index.where,
                purpose=index.purpose,
            )
            for index in table.indexes
        ),
        checks=tuple(
            CheckDesign(name=check.name, sql=check.sql, purpose=check.purpose)
            for check in table.checks
        ),
    )


# ---------------------------------------------------------------- services


LAYERS = (
    LayerDesign(
        name="endpoints",
        path="app/api/v1/endpoints",
        responsibility=(
            "Thin handlers: parse and validate the request (Pydantic), call one service "
            "method, shape the response and its status."
        ),
        imports=("deps", "schemas", "services"),
    ),
    LayerDesign(
        name="deps",
        path="app/api/deps.py",
        responsibility=(
            "Shared dependencies: settings, the database session, the caller (from the "
            "bearer token), the per-user rate limit."
        ),
        imports=("core", "models"),
    ),
    LayerDesign(
        name="services",
        path="app/services",
        responsibility=(
            "Business rules: access decisions (one module, `access.py`), ownership, links "
            "between rows, soft delete, audit entries, transactions."
        ),
        imports=("repositories", "models", "schemas", "core"),
    ),
    LayerDesign(
        name="repositories",
        path="app/repositories",
        responsibility=("Every query: keyset pages, filters, sorting, search, association tables."),
        imports=("models",),
    ),
    LayerDesign(
        name="models",
        path="app/models",
        responsibility="SQLModel tables: columns, keys, indexes and checks, as migrated.",
    ),
    LayerDesign(
        name="schemas",
        path="app/schemas",
        responsibility="Request and response schemas (Create, Update, Public, list params).",
        imports=("models",),
    ),
    LayerDesign(
        name="core",
        path="app/core",
        responsibility=(
            "Configuration, database engine, security (hashing, tokens), errors, logging, "
            "middleware, rate limiter."
        ),
    ),
)


def _service(spec: ResolvedSpec, resource: Resource) -> ServiceDesign:
    owns = [
        "access: "
        + "; ".join(
            f"{action} {'/'.join(resource.access.for_action(action)) or 'nobody'}"
            for action in ACTIONS
        )
    ]
    if resource.owned:
        owns.append("ownership: sets `owner_id` to the caller; other users' private rows are 404")
    for relation in resource.relations:
        if relation.kind == "many_to_one":
            rule = f"link `{relation.column}` -> {relation.target}: must exist and be readable"
            owns.append(rule + (" and of the same owner" if relation.same_owner else ""))
        elif relation.kind == "many_to_many":
            owns.append(
                f"set `{ids_field(relation)}` -> {relation.target} through "
                f"`{relation.association_table}` (at most {MAX_RELATED_IDS} per request)"
            )
    if resource.unique or any(f.unique for f in resource.fields):
        owns.append("uniqueness: a taken value is a 409")
    if resource.soft_delete:
        owns.append("soft delete: `deleted_at`, the deleted list and restore")
    if resource.audit:
        owns.append("audit: one `audit_log` row per change, in the same transaction")
    return ServiceDesign(
        resource=resource.name,
        endpoints=f"app/api/v1/endpoints/{resource.plural}.py",
        service=f"app/services/{resource.singular}.py: {resource.name}Service",
        repository=f"app/repositories/{resource.singular}.py: {resource.name}Repository",
        model=f"app/models/{resource.singular}.py: {resource.name} (`{resource.table}`)",
        owns=tuple(owns),
    )


def _platform_services(spec: ResolvedSpec) -> tuple[ServiceDesign, ...]:
    out: list[ServiceDesign] = []
    if spec.auth.mode == "builtin":
        out.append(
            ServiceDesign(
                resource="Auth",
                endpoints="app/api/v1/endpoints/auth.py",
                service="app/services/auth.py: AuthService",
                repository="app/repositories/user.py: UserRepository",
                model="app/models/refresh_token.py: RefreshToken (`refresh_tokens`)",
                owns=(
                    "registration with the default role",
                    "login: argon2id verification, equal time for unknown emails",
                    "refresh rotation and reuse detection (a family is revoked at once)",
                    "logout: revokes the token family",
                ),
            )
        )
        out.append(
            ServiceDesign(
                resource="User",
                endpoints="app/api/v1/endpoints/users.py",
                service="app/services/user.py: UserService",
                repository="app/repositories/user.py: UserRepository",
                model="app/models/user.py: User (`users`)",
                owns=(
                    "the caller's own account (`/users/me`)",
                    f"administration by {spec.auth.admin_role or 'nobody'}: role and status",
                ),
            )
        )
    if any(r.audit for r in spec.resources):
        out.append(
            ServiceDesign(
                resource="Audit",
                endpoints="app/api/v1/endpoints/audit.py"
                if spec.auth.enabled
                else "(none: no caller to show it to)",
                service="app/services/audit.py: AuditService",
                repository="app/repositories/audit.py: AuditRepository",
                model="app/models/audit_log.py: AuditLog (`audit_log`)",
                owns=("the append-only audit log", "reading it (administrators)"),
            )
        )
    return tuple(out)


def _request_flow(spec: ResolvedSpec) -> str:
    """A create request of the richest resource, from the client to the database and back."""
    resources = api_resources(spec)
    if not resources:
        return flowchart(
            (FlowNode("client", "Client", shape="client"), FlowNode("health", "health.py")),
            (FlowEdge("client", "health", "GET /health"),),
        )
    resource = max(
        resources,
        key=lambda r: (len([x for x in r.relations if x.declared]), r.soft_delete, r.audit),
    )
    path = f"{spec.api.prefix}{resource.path}"
    rule = "/".join(resource.access.create) or "nobody"
    nodes = [
        FlowNode("client", "Client", shape="client"),
        FlowNode("middleware", "RequestContextMiddleware", "request id, security headers, log"),
        FlowNode(
            "endpoint",
            f"app/api/v1/endpoints/{resource.plural}.py",
            f"create_{resource.singular}",
        ),
        FlowNode("deps", "app/api/deps.py", "session, caller, rate limit"),
        FlowNode(
            "service", f"app/services/{resource.singular}.py", f"{resource.name}Service.create"
        ),
        FlowNode("access", "app/services/access.py", f"create: {rule}"),
        FlowNode(
            "repository",
            f"app/repositories/{resource.singular}.py",
            f"{resource.name}Repository",
        ),
        FlowNode("database", spec.database.engine, resource.table, shape="database"),
    ]
    edges = [
        FlowEdge("client", "middleware", f"POST {path}"),
        FlowEdge("middleware", "endpoint", f"{resource.name}Create validated"),
        FlowEdge("endpoint", "deps", "Depends"),
        FlowEdge("endpoint", "service", "data and caller"),
        FlowEdge("service", "access", "may the caller create?"),
    ]
    linked = [r.name for r in resource.relations if r.declared]
    store = f"check links ({', '.join(linked)}), insert" if linked else "insert"
    edges.append(FlowEdge("service", "repository", store))
    edges.append(FlowEdge("repository", "database", f"INSERT INTO {resource.table}"))
    if resource.audit:
        nodes.append(FlowNode("audit", "app/services/audit.py", "AuditService"))
        edges.append(FlowEdge("service", "audit", "audit row, same transaction"))
        edges.append(FlowEdge("audit", "database", "INSERT INTO audit_log"))
    edges.append(FlowEdge("service", "endpoint", f"{resource.name}Public", back=True))
    edges.append(
        FlowEdge(
            "endpoint",
            "client",
            f"201 Created, Location, ItemResponse[{resource.name}Public]",
            back=True,
        )
    )
    return flowchart(nodes, edges)


# ---------------------------------------------------------------- security


def _security(spec: ResolvedSpec) -> tuple[SecurityControl, ...]:
    auth = spec.auth
    out: list[SecurityControl] = []
    if auth.mode == "builtin":
        out += [
            SecurityControl(
                area="Authentication",
                control=(
                    "Register, then log in (OAuth2 password form or JSON) for an access token "
                    f"of {auth.access_token_minutes} minutes (HS256 JWT; expiry, issuer, "
                    "audience and type always checked) and a refresh token of "
                    f"{auth.refresh_token_days} days."
                ),
            ),
            SecurityControl(
                area="Token rotation",
                control=(
                    "A refresh token works once: each use issues a new pair and revokes the "
                    "old token. A revoked token presented again revokes its whole family "
                    "(theft detection). Logout revokes the family. Only a hash of each "
                    "refresh token is stored."
                ),
            ),
            SecurityControl(
                area="Passwords",
                control=(
                    "argon2id (pwdlib), 8-128 characters; unknown emails take the same time "
                    "as wrong passwords; hashes are never returned."
                ),
            ),
        ]
    elif auth.mode == "jwks" and auth.jwks is not None:
        out.append(
            SecurityControl(
                area="Authentication",
                control=(
                    f"Bearer tokens from {auth.jwks.issuer}, verified against {auth.jwks.url} "
                    f"(keys cached {auth.jwks.cache_minutes} minutes), algorithms "
                    f"{', '.join(auth.jwks.algorithms)} only, audience {auth.jwks.audience}."
                ),
            )
        )
    else:
        out.append(
            SecurityControl(
                area="Authentication",
                control="None: every endpoint is public. Rate limits apply per client IP.",
            )
        )
    if auth.enabled:
        out.append(
            SecurityControl(
                area="Authorization",
                control=(
                    "Every access decision is made in `app/services/access.py` from the rules "
                    f"below; roles {', '.join(auth.roles)} (new users: "
                    f"{auth.default_role or auth.roles[0]}; administrators: "
                    f"{auth.admin_role or 'none'})."
                ),
            )
        )
    owned = [r.name for r in spec.resources if r.owner_scoped]
    if owned:
        out.append(
            SecurityControl(
                area="Isolation",
                control=(
                    f"{_names(owned)}: another user's row is a 404 on read, update and delete "
                    "and never appears in a list; the repository filters by owner before "
                    "anything else."
                ),
            )
        )
    linked = [
        f"{r.name}.{rel.name}" for r in spec.resources for rel in r.relations if rel.same_owner
    ]
    if linked:
        out.append(
            SecurityControl(
                area="Links",
                control=(
                    f"{_names(linked)} may only point at the caller's own rows (422 otherwise); "
                    "every relation id must name a row the caller may read."
                ),
            )
        )
    checks = sum(len(t.checks) for t in spec.tables)
    out += [
        SecurityControl(
            area="Input validation",
            control=(
                "Request schemas refuse unknown fields; every length, range, pattern and enum "
                f"is checked (422 with each field located), and held again by {checks} check "
                "constraints in the database. Validation errors never echo the input."
            ),
        ),
        SecurityControl(
            area="Rate limits",
            control=(
                f"Login {spec.rate_limits.login} per client IP and per account; "
                f"{spec.rate_limits.default} per user (per IP when anonymous); in memory, or "
                "shared through Redis (`REDIS_URL`) across workers. 429 with `Retry-After`."
            ),
        ),
        SecurityControl(
            area="Headers and CORS",
            control=(
                "Every response: X-Content-Type-Options nosniff, X-Frame-Options DENY, "
                "Referrer-Policy no-referrer, Cross-Origin-Opener-Policy, Permissions-Policy, "
                "a deny-all Content-Security-Policy outside the docs, HSTS in production, "
                "X-Request-ID. CORS only for `CORS_ORIGINS`, without credentials."
            ),
        ),
        SecurityControl(
            area="Secrets",
            control=(
                "Settings come from the environment (`.env.example` lists them); outside "
                "development the server refuses to start without a `JWT_SECRET` of at least "
                "32 characters. Nothing secret is in the code or the logs."
            )
            if auth.mode == "builtin"
            else "Settings come from the environment (`.env.example` lists them).",
        ),
        SecurityControl(
            area="Errors",
            control=(
                'One envelope `{"error": {"code", "message", "details", "request_id"}}`; '
                "unexpected errors are logged with the request id and answered 500 without "
                "internals; database outages are 503."
            ),
        ),
    ]
    sensitive = [f"{r.name}.{f.name}" for r in spec.resources for f in r.fields if f.sensitive]
    if sensitive:
        out.append(
            SecurityControl(
                area="Sensitive fields",
                control=f"{_names(sensitive)}: accepted on input, never returned.",
            )
        )
    return tuple(out)


_MEANING = {
    "public": "anyone, without a token",
    "authenticated": "any signed-in user",
    "owner": "the row's owner (others get 404 when they cannot read it, else 403)",
}


def _access(spec: ResolvedSpec) -> tuple[AccessRule, ...]:
    out = []
    for resource in api_resources(spec):
        for action in ACTIONS:
            rule = resource.access.for_action(action)
            meaning = "; ".join(_MEANING.get(p, f"users with role {p}") for p in rule)
            if action == "create" and "owner" in rule:
                meaning = "any signed-in user, who owns the new row"
            out.append(
                AccessRule(
                    resource=resource.name,
                    action=action,
                    principals=rule,
                    meaning=meaning or "nobody",
                )
            )
    return tuple(out)


# ---------------------------------------------------------------- migration


def _migration(spec: ResolvedSpec) -> tuple[MigrationStep, ...]:
    steps: list[MigrationStep] = []

    def add(operation: str, target: str, detail: str, safe: bool, why: str) -> None:
        steps.append(
            MigrationStep(
                order=len(steps) + 1,
                operation=operation,
                target=target,
                detail=detail,
                online_safe=safe,
                why=why,
            )
        )

    for table in spec.tables:
        parts = [f"{len(table.columns)} columns", f"primary key ({', '.join(table.primary_key)})"]
        if table.foreign_keys:
            parts.append(
                "foreign keys "
                + ", ".join(
                    f"{k.column} -> {k.ref_table} ON DELETE {k.on_delete}"
                    for k in table.foreign_keys
                )
            )
        if table.checks:
            parts.append(f"{len(table.checks)} check constraints")
        add(
            "create table",
            table.name,
            "; ".join(parts),
            True,
            "a new table: no existing row is locked or rewritten",
        )
        for index in table.indexes:
            kind = "create unique index" if index.unique else "create index"
            detail = f"({', '.join(index.columns)})" + (
                f" WHERE {index.where}" if index.where else ""
            )
            add(
                kind,
                f"{index.name} on {table.name}",
                detail,
                True,
                "built on a new, empty table: instant; on a populated table it would need "
                "CREATE INDEX CONCURRENTLY",
            )
    add(
        "downgrade: drop tables",
        ", ".join(t.name for t in reversed(spec.tables)),
        "in reverse order of creation",
        False,
        "destroys every row: for a fresh environment only, never in production",
    )
    return tuple(steps)


# ---------------------------------------------------------------- tests


def _test_levels(spec: ResolvedSpec) -> tuple[TestLevel, ...]:
    owned = [r.name for r in spec.resources if r.owner_scoped]
    return (
        TestLevel(
            level="API (generated, per resource)",
            what=(
                "Through the ASGI app with httpx: CRUD and status codes, a 422 for every "
                "constraint, the access rules as a role-by-action matrix, "
                + (f"cross-user isolation ({_names(owned)}), " if owned else "")
                + "pagination walks that see every row once, filters, sorting, search, soft "
                "delete and restore, audit entries."
            ),
        ),
        TestLevel(
            level="Authentication (generated)",
            what=(
                "Every auth failure: no token, malformed, expired, wrong signature, audience, "
                "issuer or type, unsigned; refresh rotation and reuse; login rate limits."
                if spec.auth.mode == "builtin"
                else "Public API: no authentication tests."
                if spec.auth.mode == "none"
                else "Token verification against the issuer's keys."
            ),
        ),
        TestLevel(
            level="Platform (generated)",
            what=(
                "Health and readiness, security headers, request ids, the error envelope, "
                "CORS, rate limits."
            ),
        ),
        TestLevel(
            level="Databases",
            what=(
                "The same suite on SQLite (default) and on PostgreSQL (`TEST_DATABASE_URL`); "
                "the migration is compared with the models (Alembic autogenerate finds no "
                "difference)."
            ),
        ),
        TestLevel(
            level="Static",
            what="ruff, mypy --strict and `fastapi-architect review` with no findings.",
        ),
    )


def _parametrize_cases(decorator: ast.expr, constants: dict[str, int]) -> int:
    if not (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "parametrize"
        and len(decorator.args) >= 2
    ):
        return 1
    values = decorator.args[1]
    if isinstance(values, ast.List | ast.Tuple):
        return len(values.elts)
    if isinstance(values, ast.Name):
        return constants.get(values.id, 1)
    return 1


def count_tests(source: str) -> tuple[TestCount, ...]:
    """Each test function of a pytest module and how many cases it runs."""
    tree = ast.parse(source)
    constants = {
        target.id: len(node.value.elts)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            cases = 1
            for decorator in node.decorator_list:
                cases *= _parametrize_cases(decorator, constants)
            out.append(TestCount(name=node.name, cases=cases))
    return tuple(out)


def _tests(spec: ResolvedSpec) -> tuple[tuple[TestFile, ...], tuple[UnknownSection, ...]]:
    from fastapi_architect.generate import GENERATOR_VERSION
    from fastapi_architect.generate.context import SampleError
    from fastapi_architect.generate.render import UnsupportedSpecError, render_project

    try:
        files = render_project(spec, GENERATOR_VERSION)
    except (UnsupportedSpecError, SampleError) as exc:
        return (), (UnknownSection(section="test counts", reason=f"not generated: {exc}"),)
    by_module = {r.plural: r.name for r in api_resources(spec)}
    out = []
    for path in sorted(files):
        if not (path.startswith("tests/test_") and path.endswith(".py")):
            continue
        stem = path.removeprefix("tests/test_").removesuffix(".py")
        subject = by_module.get(stem) or {"auth": "Authentication", "platform": "Platform"}.get(
            stem, stem
        )
        counts = count_tests(files[path])
        out.append(
            TestFile(path=path, subject=subject, tests=counts, total=sum(c.cases for c in counts))
        )
    return tuple(out), ()


# ---------------------------------------------------------------- risks


def _risks(spec: ResolvedSpec) -> tuple[Risk, ...]:
    out: list[Risk] = []
    for resource in spec.resources:
        if resource.search:
            scope = (
                "each caller's own rows (the owner index narrows the scan)"
                if resource.owner_scoped
                else "every readable row"
            )
            out.append(
                Risk(
                    title=f"Unindexed text search on {resource.name}",
                    severity="medium" if resource.owner_scoped else "high",
                    detail=(
                        f"`q` matches {_names(resource.search)} with ILIKE '%...%': no index "
                        f"serves it, so each search scans {scope} of `{resource.table}`."
                    ),
                    mitigation=(
                        "`q` is 1-100 characters and pages are bounded; when the table grows, "
                        "add a pg_trgm GIN index on the searched columns or a tsvector column."
                    ),
                )
            )
    for resource in spec.resources:
        for relation in resource.relations:
            if relation.kind == "many_to_many" and relation.declared:
                out.append(
                    Risk(
                        title=f"Many-to-many fan-out: {resource.name}.{relation.name}",
                        severity="medium",
                        detail=(
                            f"Each {resource.name} links any number of {relation.target} rows "
                            f"through `{relation.association_table}`; lists load the links of "
                            "a whole page, and a popular target is linked from many rows."
                        ),
                        mitigation=(
                            f"At most {MAX_RELATED_IDS} ids per request; the links of a page "
                            "load in one query (no N+1); the association table's primary key "
                            "and its reverse index serve both directions."
                        ),
                    )
                )
    cascades = [
        f"{t.name}.{k.column}"
        for t in spec.tables
        for k in t.foreign_keys
        if k.on_delete == "CASCADE" and t.kind == "resource"
    ]
    if cascades:
        out.append(
            Risk(
                title="Cascading deletes",
                severity="medium",
                detail=(
                    f"Deleting a parent deletes its children in the same transaction "
                    f"({_names(cascades)}): deleting a busy user or parent locks many rows."
                ),
                mitigation=(
                    "Every cascading key is indexed, so the cascade finds its rows without a "
                    "scan; deactivate users (`is_active`) rather than deleting them; prefer "
                    "soft delete for parents with many children."
                ),
            )
        )
    restricted = [
        f"{t.name}.{k.column} -> {k.ref_table}"
        for t in spec.tables
        for k in t.foreign_keys
        if k.on_delete == "RESTRICT"
    ]
    if restricted:
        out.append(
            Risk(
                title="Deletes refused by RESTRICT keys",
                severity="low",
                detail=(
                    f"{_names(restricted)}: a row still referenced cannot be deleted (409), "
                    "which clients must handle."
                ),
                mitigation=(
                    "The 409 is documented on each DELETE; soft delete keeps referenced rows "
                    "restorable and their history intact."
                ),
            )
        )
    hot = [
        f"{r.name}.{f.name}"
        for r in spec.resources
        for f in r.fields
        if f.read_only and f.type in {"integer", "float", "decimal"}
    ]
    if hot:
        out.append(
            Risk(
                title="Hot rows: server-maintained totals",
                severity="medium",
                detail=(
                    f"{_names(hot)} are set by the server; if they are kept as running totals, "
                    "concurrent requests write the same row and contend for its lock."
                ),
                mitigation=(
                    "Compute them in the transaction that changes their inputs, with the row "
                    "locked (SELECT ... FOR UPDATE), or derive them on read."
                ),
            )
        )
    if any(r.audit for r in spec.resources):
        out.append(
            Risk(
                title="Audit log growth",
                severity="low",
                detail=(
                    "Every change of an audited resource appends a row with the fields before "
                    "and after; the table only grows."
                ),
                mitigation=(
                    "Indexed for the history of one row and by actor; keep a retention "
                    "policy (archive, or partition by month) before it dominates backups."
                ),
            )
        )
    public = [r.name for r in api_resources(spec) if "public" in r.access.read]
    if public:
        enumerable = spec.api.ids == "integer"
        out.append(
            Risk(
                title="Public listing and scraping",
                severity="medium" if enumerable else "low",
                detail=(
                    f"{_names(public)} can be read without a token"
                    + (
                        "; integer ids are sequential, so rows can be enumerated and counted."
                        if enumerable
                        else "."
                    )
                ),
                mitigation=(
                    f"Per-IP rate limit ({spec.rate_limits.default}), pages of at most "
                    f"{spec.api.max_page_size}; soft-deleted rows are never public"
                    + ("; consider UUIDs or opaque slugs for public URLs." if enumerable else ".")
                ),
            )
        )
    out.append(
        Risk(
            title="Rate limits per process",
            severity="low",
            detail=(
                "Without Redis the limiter counts in memory: each worker allows the full rate."
            ),
            mitigation="Set `REDIS_URL` in production so every worker shares the counters.",
        )
    )
    if spec.auth.mode == "jwks":
        out.append(
            Risk(
                title="Issuer availability",
                severity="medium",
                detail="Tokens cannot be verified while the issuer's JWKS cannot be fetched.",
                mitigation="Keys are cached; an unknown key id triggers one refetch.",
            )
        )
    order = {"high": 0, "medium": 1, "low": 2}
    return tuple(sorted(out, key=lambda r: order[r.severity]))


# ---------------------------------------------------------------- decisions


def _adrs(spec: ResolvedSpec) -> tuple[Adr, ...]:
    auth = spec.auth
    if auth.mode == "builtin":
        auth_decision = (
            "The backend authenticates its users itself: register and log in with email and "
            f"password (argon2id), {auth.access_token_minutes}-minute HS256 access tokens and "
            f"{auth.refresh_token_days}-day refresh tokens that rotate on use, with reuse "
            f"detection and revocation. Roles: {', '.join(auth.roles)}."
        )
        auth_consequences: tuple[str, ...] = (
            "No third party is needed to sign in; the backend holds password hashes and "
            "must protect `JWT_SECRET`.",
            "A stolen access token works until it expires (at most "
            f"{auth.access_token_minutes} minutes); refresh tokens can be revoked at once.",
            "Password reset and email verification are not included and would be added here.",
        )
    elif auth.mode == "jwks" and auth.jwks is not None:
        auth_decision = (
            f"Tokens are issued by {auth.jwks.issuer} and verified against its JWKS "
            f"({', '.join(auth.jwks.algorithms)}); the backend stores no password."
        )
        auth_consequences = (
            "Sign-in, reset and multi-factor belong to the issuer.",
            "The backend depends on the issuer's keys being reachable (cached "
            f"{auth.jwks.cache_minutes} minutes).",
        )
    else:
        auth_decision = "The API is public: no authentication, no users."
        auth_consequences = (
            "Anyone can read and write every resource; rate limits are per client IP.",
            "Adding authentication later changes every endpoint's contract.",
        )
    soft = [r.name for r in spec.resources if r.soft_delete]
    if soft:
        soft_decision = (
            f"{_names(soft)} are soft deleted: DELETE sets `deleted_at`; deleted rows leave "
            "every list and lookup, appear under `/deleted`, and can be restored. Unique "
            "indexes are partial (`WHERE deleted_at IS NULL`) so a deleted row does not block "
            "reuse of its values."
        )
        soft_consequences: tuple[str, ...] = (
            "Mistaken deletes can be undone and history stays intact.",
            "Deleted rows still occupy the table; purging them is a separate job.",
            "Every query filters `deleted_at IS NULL`; the repositories do this in one place.",
        )
    else:
        soft_decision = "Every resource is deleted for real (hard delete)."
        soft_consequences = (
            "Tables hold only live rows and queries need no extra filter.",
            "A delete cannot be undone; related rows follow their keys' ON DELETE rules.",
        )
    integer = spec.api.ids == "integer"
    database = spec.database
    return (
        Adr(
            number=1,
            slug="authentication",
            title=f"Authentication: {auth.mode}",
            context=(
                "Every endpoint needs to know who calls it, and the access rules of the spec "
                "depend on roles and on row ownership."
            ),
            decision=auth_decision,
            consequences=auth_consequences,
        ),
        Adr(
            number=2,
            slug="identifiers",
            title=f"Identifiers: {'integer identity' if integer else 'UUID v4'}",
            context=(
                "Every table needs a primary key, and ids appear in URLs, foreign keys and cursors."
            ),
            decision=(
                "Primary keys are integer identities."
                if integer
                else "Primary keys are random UUIDs (v4), generated by the application."
            ),
            consequences=(
                (
                    "Compact keys and indexes, ordered by insertion.",
                    "Ids are sequential: they reveal counts and can be enumerated, so access "
                    "rules (not obscurity) protect every row.",
                )
                if integer
                else (
                    "Ids cannot be guessed or enumerated and can be made before insert.",
                    "Keys are 16 bytes and random, so indexes on them are larger and "
                    "insertions land anywhere in the index.",
                )
            ),
        ),
        Adr(
            number=3,
            slug="pagination",
            title="Pagination: cursor (keyset)",
            context=(
                "Lists grow without bound; OFFSET pagination rescans skipped rows and COUNT "
                "on every request gets slower as tables grow."
            ),
            decision=(
                "Lists are paginated by an opaque cursor holding the last row's sort key and "
                f"id; `limit` defaults to {spec.api.default_page_size} and is capped at "
                f"{spec.api.max_page_size}. Each sort key has an index ending in `id`."
            ),
            consequences=(
                "Every page costs the same, and rows inserted during a walk are neither "
                "skipped nor repeated.",
                "Clients cannot jump to page N or get a total count.",
            ),
        ),
        Adr(
            number=4,
            slug="soft-delete",
            title="Soft delete: " + (_names(soft) if soft else "none"),
            context="Deleting rows loses history and cannot be undone.",
            decision=soft_decision,
            consequences=soft_consequences,
        ),
        Adr(
            number=5,
            slug="database",
            title=f"Database: {database.engine}",
            context=(
                "The backend needs transactions, constraints and indexes in production, and a "
                "database that needs no setup in development and tests."
            ),
            decision=(
                (
                    "PostgreSQL through asyncpg in production"
                    if database.engine == "postgresql"
                    else "SQLite through aiosqlite in production"
                )
                + "; SQLite in development and tests. Migrations by Alembic; check constraints "
                "and partial indexes work on both."
                + (
                    " Connections go through a transaction-mode pooler, so prepared-statement "
                    "caching is off."
                    if database.pooler
                    else ""
                )
            ),
            consequences=(
                "Pre-ping and a recycle time keep pooled connections healthy (Neon-ready).",
                "The test suite runs on both databases, so no PostgreSQL-only feature is "
                "used without a SQLite equivalent.",
            ),
        ),
    )
