"""The file layout of a generated project, declared once.

Each file is listed with the template it is rendered from, what it is generated for (the
project, each resource, each resource served by its own endpoints, each association table),
the feature of the spec under which it exists, its layer and what it holds. `render.py`
renders what `plan` lists for a spec; the design document reads the layers, the module of a
resource in each layer and the test modules from here.

Two files are not rendered from templates and are not listed: the copy of the spec that
`render_files` adds, and the lock file the writer keeps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Literal

from fastapi_architect.spec.model import ResolvedSpec, Resource
from fastapi_architect.spec.routes import api_resources

# What a file is generated for: the project once, every resource, every resource served by
# its own endpoints (not the built-in User when there is auth), every association table.
Scope = Literal["project", "resource", "api_resource", "association"]

# The code layers of the app, then the other parts of a project: its configuration files,
# the app's wiring, migrations and tests.
LayerName = Literal[
    "endpoints",
    "deps",
    "services",
    "repositories",
    "models",
    "schemas",
    "core",
    "ai",
    "app",
    "migrations",
    "tests",
    "project",
]

# Values a template needs besides the project view, supplied by the renderer by name.
Value = Literal["model_names", "endpoint_modules", "tables", "mcp_tools"]


@dataclass(frozen=True)
class Layer:
    name: LayerName
    path: str
    responsibility: str
    # The layers its modules may import.
    imports: tuple[LayerName, ...] = ()


LAYERS = (
    Layer(
        name="endpoints",
        path="app/api/v1/endpoints",
        responsibility=(
            "Thin handlers: parse and validate the request (Pydantic), call one service "
            "method, shape the response and its status."
        ),
        imports=("deps", "schemas", "services"),
    ),
    Layer(
        name="deps",
        path="app/api/deps.py",
        responsibility=(
            "Shared dependencies: settings, the database session, the caller (from the "
            "bearer token), the per-user rate limit."
        ),
        imports=("core", "models"),
    ),
    Layer(
        name="services",
        path="app/services",
        responsibility=(
            "Business rules: access decisions (one module, `access.py`), ownership, links "
            "between rows, soft delete, audit entries, transactions."
        ),
        imports=("repositories", "models", "schemas", "core", "ai"),
    ),
    Layer(
        name="repositories",
        path="app/repositories",
        responsibility="Every query: keyset pages, filters, sorting, search, association tables.",
        imports=("models",),
    ),
    Layer(
        name="models",
        path="app/models",
        responsibility="SQLModel tables: columns, keys, indexes and checks, as migrated.",
    ),
    Layer(
        name="schemas",
        path="app/schemas",
        responsibility="Request and response schemas (Create, Update, Public, list params).",
        imports=("models",),
    ),
    Layer(
        name="core",
        path="app/core",
        responsibility=(
            "Configuration, database engine, security (hashing, tokens), errors, logging, "
            "middleware, rate limiter."
        ),
    ),
    Layer(
        name="ai",
        path="app/ai",
        responsibility=(
            "Language-model calls: providers in fallback order, prompts built from rows with "
            "their values delimited, the answer cache."
        ),
        imports=("core", "schemas"),
    ),
)


@dataclass(frozen=True)
class Feature:
    """A condition on the spec under which some files exist."""

    name: str
    when: str  # the condition, in words
    applies: Callable[[ResolvedSpec], bool]


ALWAYS = Feature("always", "every project", lambda spec: True)
USERS = Feature("users", "auth is on (built in or an external issuer)", lambda s: s.auth.enabled)
BUILTIN_AUTH = Feature("builtin-auth", "auth.mode is builtin", lambda s: s.auth.mode == "builtin")
JWKS = Feature("jwks", "auth.mode is jwks", lambda s: s.auth.mode == "jwks")
AUDIT = Feature("audit", "a resource is audited", lambda s: any(r.audit for r in s.resources))
AUDIT_API = Feature(
    "audit-api",
    "a resource is audited and auth is on (someone may read the log)",
    lambda s: s.auth.enabled and any(r.audit for r in s.resources),
)
MCP = Feature(
    "mcp",
    "mcp is true and some resource is served as tools",
    lambda s: any(r.mcp for r in s.resources),
)

AI = Feature("ai", "some resource declares AI actions", lambda s: s.ai is not None)


@dataclass(frozen=True)
class GeneratedFile:
    # Per resource or association, with `{module}` (the resource's singular, or the table)
    # and `{plural}` filled in.
    path: str
    layer: LayerName
    description: str
    feature: Feature = ALWAYS
    scope: Scope = "project"
    # The template under generate/templates; by default the path with `.j2` appended.
    template: str = ""
    values: tuple[Value, ...] = ()
    # A system table this file models: the renderer passes its `table_args`.
    table: str | None = None
    # An endpoints module whose router is included under the API prefix.
    api_router: bool = False
    # A test module: what it tests, as the design names it.
    subject: str | None = None

    def __post_init__(self) -> None:
        if not self.template:
            object.__setattr__(self, "template", self.path + ".j2")

    def path_for(self, resource: Resource) -> str:
        """The path of this per-resource file for `resource`."""
        return self.path.format(module=resource.singular, plural=resource.plural)

    @property
    def is_test_module(self) -> bool:
        """A module pytest collects."""
        return self.layer == "tests" and self.path.startswith("tests/test_")


_file = GeneratedFile


# ---------------------------------------------------------------- files named elsewhere

DEPS = _file("app/api/deps.py", "deps", "Settings, session, caller and rate-limit dependencies.")
ACCESS = _file(
    "app/services/access.py", "services", "Every access decision, from the spec's rules."
)
USER_SCHEMAS = _file("app/schemas/user.py", "schemas", "User schemas.", USERS)
USER_REPOSITORY = _file("app/repositories/user.py", "repositories", "User queries.", USERS)
USER_SERVICE = _file(
    "app/services/user.py", "services", "The caller's account; user administration.", USERS
)
USER_ENDPOINTS = _file(
    "app/api/v1/endpoints/users.py", "endpoints", "`/users` routes.", USERS, api_router=True
)
AUTH_SERVICE = _file(
    "app/services/auth.py",
    "services",
    "Registration, login, refresh rotation, logout.",
    BUILTIN_AUTH,
)
AUTH_ENDPOINTS = _file(
    "app/api/v1/endpoints/auth.py", "endpoints", "`/auth` routes.", BUILTIN_AUTH, api_router=True
)
REFRESH_TOKEN_MODEL = _file(
    "app/models/refresh_token.py",
    "models",
    "Refresh tokens (hashed), by family.",
    BUILTIN_AUTH,
    table="refresh_tokens",
)
AUDIT_SERVICE = _file("app/services/audit.py", "services", "Audit entries; reading the log.", AUDIT)
AUDIT_MODEL = _file(
    "app/models/audit_log.py", "models", "The audit log table.", AUDIT, table="audit_log"
)
AUDIT_ENDPOINTS = _file(
    "app/api/v1/endpoints/audit.py",
    "endpoints",
    "`/audit` routes (administrators).",
    AUDIT_API,
    api_router=True,
)
AUDIT_REPOSITORY = _file("app/repositories/audit.py", "repositories", "Audit queries.", AUDIT_API)

RESOURCE_MODEL = _file(
    "app/models/{module}.py",
    "models",
    "The resource's table model.",
    scope="resource",
    template="app/models/resource.py.j2",
)
RESOURCE_SCHEMAS = _file(
    "app/schemas/{module}.py",
    "schemas",
    "Create, Update, Public and list parameters.",
    scope="api_resource",
    template="app/schemas/resource.py.j2",
)
RESOURCE_REPOSITORY = _file(
    "app/repositories/{module}.py",
    "repositories",
    "Pages, filters, sorting, search, links.",
    scope="api_resource",
    template="app/repositories/resource.py.j2",
)
RESOURCE_SERVICE = _file(
    "app/services/{module}.py",
    "services",
    "Access, ownership, links, soft delete, audit.",
    scope="api_resource",
    template="app/services/resource.py.j2",
)
RESOURCE_ENDPOINTS = _file(
    "app/api/v1/endpoints/{plural}.py",
    "endpoints",
    "The resource's routes.",
    scope="api_resource",
    template="app/api/v1/endpoints/resource.py.j2",
    api_router=True,
)
RESOURCE_TESTS = _file(
    "tests/test_{plural}.py",
    "tests",
    "The resource's API tests.",
    scope="api_resource",
    template="tests/test_resource.py.j2",
)

# ---------------------------------------------------------------- every file, in order

# The first revision: every table (each spec change adds a revision of its own: `evolve`).
INITIAL_MIGRATION = "migrations/versions/0001_initial.py"

FILES: tuple[GeneratedFile, ...] = (
    _file("pyproject.toml", "project", "Package, dependencies and tool settings."),
    _file("Makefile", "project", "Install, run, test, lint, migrate."),
    _file(".env.example", "project", "Every setting.", template="env.example.j2"),
    _file(".gitignore", "project", "Files git ignores.", template="gitignore.j2"),
    _file("alembic.ini", "project", "Alembic settings."),
    _file("README.md", "project", "How to run, test and deploy."),
    _file("Dockerfile", "project", "The production image: multi-stage, non-root, migrates."),
    _file("compose.yaml", "project", "The app with PostgreSQL and Redis, for Docker Compose."),
    _file(
        ".dockerignore", "project", "What the image build leaves out.", template="dockerignore.j2"
    ),
    _file("app/__init__.py", "app", "The app package."),
    _file("app/main.py", "app", "The application factory: middleware, errors, routers."),
    _file("app/asgi.py", "app", "The app `fastapi run` serves, from the environment."),
    _file("app/core/__init__.py", "core", "The core package."),
    _file("app/core/config.py", "core", "Settings from the environment."),
    _file("app/core/types.py", "core", "Column types shared by the models."),
    _file("app/core/database.py", "core", "Engine and sessions."),
    _file("app/core/errors.py", "core", "Errors and the error envelope."),
    _file("app/core/logging.py", "core", "Structured logs with request ids."),
    _file("app/core/middleware.py", "core", "Request ids, security headers, access log."),
    _file("app/core/rate_limit.py", "core", "The rate limiter (memory or Redis)."),
    _file("app/api/__init__.py", "app", "The API package."),
    DEPS,
    _file("app/api/v1/__init__.py", "app", "The versioned API package."),
    _file("app/api/v1/endpoints/__init__.py", "endpoints", "The endpoints package."),
    _file("app/api/v1/endpoints/health.py", "endpoints", "Health and readiness."),
    _file("app/models/base.py", "models", "Shared model base and id type."),
    _file("app/schemas/__init__.py", "schemas", "The schemas package."),
    _file("app/schemas/common.py", "schemas", "Envelopes, pages and errors."),
    _file("app/repositories/__init__.py", "repositories", "The repositories package."),
    _file("app/repositories/pagination.py", "repositories", "Keyset cursors."),
    _file("app/services/__init__.py", "services", "The services package."),
    ACCESS,
    _file("migrations/env.py", "migrations", "Alembic environment."),
    _file("migrations/script.py.mako", "migrations", "Template of new revisions."),
    _file("tests/__init__.py", "tests", "The tests package."),
    _file("tests/conftest.py", "tests", "App, database and accounts for the tests."),
    _file("tests/factories.py", "tests", "Row factories."),
    _file(
        "tests/test_platform.py",
        "tests",
        "Health, headers, errors, CORS, rate limits.",
        subject="Platform",
    ),
    USER_SCHEMAS,
    USER_REPOSITORY,
    USER_SERVICE,
    USER_ENDPOINTS,
    _file("app/core/cache.py", "core", "Accounts trusted for a bounded time.", USERS),
    _file("app/core/jwks.py", "core", "The issuer's keys, cached.", JWKS),
    _file("tests/issuer.py", "tests", "A test issuer and its keys.", JWKS),
    _file("tests/test_tokens.py", "tests", "Token verification.", JWKS),
    _file("app/core/security.py", "core", "Password hashing and tokens.", BUILTIN_AUTH),
    AUTH_SERVICE,
    AUTH_ENDPOINTS,
    REFRESH_TOKEN_MODEL,
    _file(
        "tests/test_auth.py",
        "tests",
        "Every authentication failure; rotation.",
        BUILTIN_AUTH,
        subject="Authentication",
    ),
    AUDIT_SERVICE,
    AUDIT_MODEL,
    AUDIT_ENDPOINTS,
    _file("app/schemas/audit.py", "schemas", "Audit entries and their filters.", AUDIT_API),
    AUDIT_REPOSITORY,
    _file(
        "app/models/__init__.py",
        "models",
        "Imports every table model.",
        values=("model_names",),
    ),
    _file(
        "app/models/{module}.py",
        "models",
        "An association table.",
        scope="association",
        template="app/models/association.py.j2",
    ),
    RESOURCE_MODEL,
    RESOURCE_SCHEMAS,
    RESOURCE_REPOSITORY,
    RESOURCE_SERVICE,
    RESOURCE_ENDPOINTS,
    RESOURCE_TESTS,
    _file(
        "app/api/mcp.py",
        "app",
        "The MCP endpoint: a tool per resource and action, on the same services.",
        MCP,
        values=("mcp_tools",),
    ),
    _file(
        "tests/test_mcp.py",
        "tests",
        "MCP tools: isolation, refusals, roles, audit.",
        MCP,
        values=("mcp_tools",),
        subject="MCP",
    ),
    _file("app/ai/__init__.py", "ai", "The AI runtime: providers and cache, made once.", AI),
    _file("app/ai/providers.py", "ai", "Providers in fallback order: whole or streamed.", AI),
    _file("app/ai/prompts.py", "ai", "Each action's messages, the row's values delimited.", AI),
    _file("app/ai/cache.py", "ai", "Answers by user, action and row version.", AI),
    _file("app/ai/moderation.py", "ai", "The one place prompts and answers are screened.", AI),
    _file("app/models/ai_usage.py", "models", "One row per AI call.", AI, table="ai_usage"),
    _file("app/models/ai_budget.py", "models", "Daily token budgets.", AI, table="ai_budgets"),
    _file("app/schemas/ai.py", "schemas", "Structured answers; the usage report.", AI),
    _file("app/repositories/ai.py", "repositories", "Budget holds, usage rows.", AI),
    _file("app/services/ai.py", "services", "AI actions: access, budget, cache, usage.", AI),
    _file(
        "app/api/v1/endpoints/ai.py",
        "endpoints",
        "AI action routes (streamed or structured) and `/ai/usage`.",
        AI,
        api_router=True,
    ),
    _file("tests/fake_provider.py", "tests", "An OpenAI-compatible provider for the tests.", AI),
    _file(
        "tests/test_ai.py",
        "tests",
        "AI actions: streaming, structured output, fallback, budgets, cache, isolation.",
        AI,
        subject="AI",
    ),
    _file(
        "app/api/v1/router.py",
        "app",
        "Includes every versioned router.",
        values=("endpoint_modules",),
    ),
    _file(
        INITIAL_MIGRATION,
        "migrations",
        "The initial revision: every table.",
        values=("tables",),
    ),
)


# The template of each revision a spec change adds (`evolve`), beside the first revision.
REVISION_TEMPLATE = "migrations/versions/revision.py.j2"

# ---------------------------------------------------------------- a spec's files


@dataclass(frozen=True)
class PlannedFile:
    """One file of the project generated from a spec."""

    path: str
    file: GeneratedFile
    resource: str | None = None  # the resource it is generated for
    association: str | None = None  # the association table it is generated for


def plan(spec: ResolvedSpec) -> tuple[PlannedFile, ...]:
    """Every file generated from `spec`, in the order of FILES; consecutive per-resource
    files are generated resource by resource."""
    return tuple(_plan(spec))


def _group(item: GeneratedFile) -> str:
    return "resource" if item.scope == "api_resource" else item.scope


def _plan(spec: ResolvedSpec) -> Iterator[PlannedFile]:
    for scope, group in groupby(FILES, key=_group):
        items = [item for item in group if item.feature.applies(spec)]
        if scope == "project":
            yield from (PlannedFile(item.path, item) for item in items)
        elif scope == "association":
            for table in spec.tables:
                if table.kind == "association":
                    for item in items:
                        path = item.path.format(module=table.name)
                        yield PlannedFile(path, item, association=table.name)
        else:
            served = {resource.name for resource in api_resources(spec)}
            for resource in spec.resources:
                for item in items:
                    if item.scope == "resource" or resource.name in served:
                        yield PlannedFile(item.path_for(resource), item, resource=resource.name)
