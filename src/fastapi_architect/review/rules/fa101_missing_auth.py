"""FA101: a route with no auth dependency among authenticated siblings."""

from __future__ import annotations

import ast
import re
import weakref
from collections import defaultdict
from collections.abc import Iterator

from fastapi_architect.codebase.index import ProjectIndex, Route
from fastapi_architect.codebase.syntax import last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

PUBLIC_PATH = re.compile(
    r"(login|logout|sign_?in|sign-?in|sign_?up|sign-?up|register|token|refresh|health|ready|"
    r"live|ping|status|version|docs|openapi|public|callback|webhook|oauth|sso|saml|oidc|"
    r"verify|reset|forgot|confirm|invite|metrics|well-known|favicon|static|robots|manifest|"
    r"anonymous|guest|lnurl|redirect|unsubscribe|changelog|opensearch|"
    r"ServiceProviderConfig|ResourceTypes)",
    re.IGNORECASE,
)

CREDENTIAL_PARAM = re.compile(r"(api_?key|authorization|token|credential|signature|secret)", re.I)
# `current_user: CurrentActiveUser`: the usual alias of the auth dependency.
PRINCIPAL = re.compile(r"^current_?(active_?)?(super_?)?(user|principal|account)$", re.I)


AUTH_CLASS_NAME = re.compile(r"(Auth|Member|Permission|Role|User|Token|Owner|Access|Guard)")
MUTATING = frozenset({"PUT", "PATCH", "DELETE"})
# `AuthProviderMiddleware`, `JWTMiddleware`: a middleware that checks who calls every path.
AUTH_MIDDLEWARE = re.compile(r"(auth|jwt|token|api_?key|session_?check|login_?required)", re.I)
# Reading one variable (`os.environ.get("KEY")`, `os.environ["KEY"]`, `"KEY" in os.environ`)
# hands out no environment.
ONE_KEY = frozenset({"get", "pop", "setdefault"})

_MIDDLEWARE: weakref.WeakKeyDictionary[ProjectIndex, str | None] = weakref.WeakKeyDictionary()


def _auth_middleware(index: ProjectIndex) -> str | None:
    """The project's own authentication middleware class, if it has one."""
    if index in _MIDDLEWARE:
        return _MIDDLEWARE[index]
    found = next(
        (
            c.name
            for c in sorted(index.classes.values(), key=lambda c: c.qualname)
            if AUTH_MIDDLEWARE.search(c.name)
            and ("Middleware" in c.name or any("Middleware" in last_name(b) for b in c.bases))
        ),
        None,
    )
    _MIDDLEWARE[index] = found
    return found


def _auth_class(index: ProjectIndex, target: str) -> bool:
    """`Depends(ProjectMember())`: an instance of a callable class that checks who is
    calling, by its name or by the auth dependency its `__call__` takes."""
    cls = index.klass(target.removesuffix("()"))
    if cls is None:
        return False
    if AUTH_CLASS_NAME.search(cls.name):
        return True
    call = index.function(f"{cls.qualname}.__call__")
    return call is not None and any(
        (dep := index.param_dep(p)) is not None and index.is_auth_dep(dep) for p in call.params
    )


def _authed(index: ProjectIndex, route: Route) -> bool:
    """An auth dependency, an auth call in the body, or a credential read by hand."""
    return (
        route.auth
        or route.auth_in_body
        or any(CREDENTIAL_PARAM.search(p.name) for p in route.fact.params)
        or any(
            PRINCIPAL.match(p.name) or PRINCIPAL.match(last_name(p.type_name or ""))
            for p in route.fact.params
        )
        or any(_auth_class(index, d.target) for d in route.deps)
    )


def _exposes(ctx: FileContext, route: Route) -> str | None:
    """What an unauthenticated route hands out that nobody should get for free: the
    process environment, or rows of a table with password or key columns."""
    handler = ctx.handler(route)
    if handler is None:
        return None
    # rows go out through a declared schema: only its fields reach the client
    declared = route.fact.response_model_type or route.fact.return_type
    schema = ctx.index.klass(declared)
    filtered = schema is not None and not schema.is_table and not ctx.index.sensitive_fields(schema)
    nodes = [n for stmt in handler.body for n in walk(stmt)]
    one_key: set[int] = set()
    for node in nodes:
        if isinstance(node, ast.Subscript) or (
            isinstance(node, ast.Attribute) and node.attr in ONE_KEY
        ):
            one_key.add(id(node.value))
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In | ast.NotIn):
            one_key.update(id(c) for c in node.comparators)
    for node in nodes:
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and id(node) not in one_key
            and ctx.qualify(node) == "os.environ"
        ):
            return "the process environment"
        if isinstance(node, ast.Name) and node.id[:1].isupper() and not filtered:
            table = ctx.index.table(ctx.qualify(node))
            if table is None:  # imported through a package that re-exports it
                named = [t for t in ctx.index.tables if t.name == node.id]
                table = named[0] if len(named) == 1 else None
            if table is not None and ctx.index.sensitive_fields(table):
                return f"`{table.name}` rows (with {ctx.index.sensitive_fields(table)[0]})"
    return None


class MissingAuth(Rule):
    """## What it does
    Reports a route that has no authentication dependency while most routes of the same
    router do (at least three, and at least two in three of them).

    ## Why is this bad?
    When every other route of a router checks who is calling, the one that does not is
    usually a forgotten `Depends(get_current_user)`: anyone can call it (CWE-306).

    ## Example
    ```python
    from fastapi import APIRouter, Depends

    from app.deps import get_current_user

    router = APIRouter(prefix="/tasks")

    @router.get("/")
    def list_tasks(user=Depends(get_current_user)): ...

    @router.post("/")
    def create_task(user=Depends(get_current_user)): ...

    @router.get("/{task_id}")
    def read_task(task_id: int, user=Depends(get_current_user)): ...

    @router.delete("/{task_id}")
    def delete_task(task_id: int): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends

    from app.deps import get_current_user

    router = APIRouter(prefix="/tasks", dependencies=[Depends(get_current_user)])

    @router.get("/")
    def list_tasks(): ...

    @router.post("/")
    def create_task(): ...

    @router.get("/{task_id}")
    def read_task(task_id: int): ...

    @router.delete("/{task_id}")
    def delete_task(task_id: int): ...
    ```

    ## Known problems
    Authentication is recognised by dependency names (`get_current_user`, `require_*`,
    `verify_*`, OAuth2/HTTP bearer schemes, ...), by what those dependencies depend on,
    by dependencies of the router or of `include_router(..., dependencies=[...])`, and by
    instances of callable classes (`Depends(ProjectMember())`) named like a check or
    whose `__call__` takes an auth dependency; a parameter named like a credential
    (`x_api_key`, `authorization`, `token`) or like the principal (`current_user`)
    counts as a check done in the handler. A project with its own authentication
    middleware (a class named like `AuthMiddleware`, `JWTMiddleware`) may check the path
    there: the finding is then information of low confidence.
    Paths that are usually public (login, register, health, webhooks, a changelog, SCIM
    discovery, ...) are not reported. A read or an action among authenticated siblings
    that hands out nothing sensitive is often public by design (a catalogue, a
    utility): it is information; an unauthenticated `PUT`/`PATCH`/`DELETE`, or a route
    that returns the process environment or rows of a table with password or key
    columns (unless a declared response schema without such fields filters them), is a
    warning. Routers made by `APIRouter` subclasses (`VersionedAPIRouter`,
    `PrefectRouter`) count as routers, their `dependencies=[Security(...)]` included.
    Such a route is also reported when most routes of the whole
    application are authenticated, even if its own router has none (a forgotten legacy
    or debug router).

    ## References
    - [FastAPI: Security](https://fastapi.tiangolo.com/tutorial/security/)
    - [CWE-306](https://cwe.mitre.org/data/definitions/306.html)
    """

    id = "FA101"
    slug = "missing-auth"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 306

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        mine = ctx.routes
        if not mine:
            return
        index = ctx.index
        groups: dict[str, list[Route]] = defaultdict(list)
        wanted = {r.router for r in mine}
        for route in index.routes:
            if route.router in wanted:
                groups[route.router].append(route)
        app_total = len(index.routes)
        app_authed = sum(1 for r in index.routes if _authed(index, r))
        for route in mine:
            if _authed(index, route) or "WEBSOCKET" in route.fact.methods:
                continue
            if PUBLIC_PATH.search(route.full_path) or PUBLIC_PATH.search(route.fact.handler):
                continue
            siblings = groups[route.router]
            authed = sum(1 for r in siblings if _authed(index, r))
            among_siblings = authed >= 3 and authed * 3 >= len(siblings) * 2
            exposes = _exposes(ctx, route)
            # the application as a whole checks who calls it, and this route hands out
            # the environment or user rows to anyone
            among_app = app_authed >= 5 and app_authed * 2 >= app_total and exposes
            if not (among_siblings or among_app):
                continue
            fact = route.fact
            where = (
                f"{authed} of {len(siblings)} routes of its router"
                if among_siblings
                else f"{app_authed} of {app_total} routes of the application"
            )
            message = f"{'/'.join(fact.methods)} {route.full_path} has no auth dependency"
            if exposes:
                message += f" and returns {exposes}"
            severity, confidence = Severity.WARNING, self.confidence
            if not exposes and not set(fact.methods) & MUTATING:
                # a read or an action with nothing sensitive in sight: often public by
                # design (a catalogue, a discovery document, a utility)
                severity = Severity.INFO
            note, middleware = "", _auth_middleware(index)
            if middleware is not None:
                # the middleware may well check this path; which paths it skips is in
                # its code, not in the route
                severity, confidence = Severity.INFO, Confidence.LOW
                note = f"; the project's `{middleware}` may check it"
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"{message}, while {where} have one{note}",
                "add the router's auth dependency (e.g. `user: CurrentUser`) or move it to "
                "`APIRouter(dependencies=[...])`; suppress with a reason if it is public",
                severity=severity,
                confidence=confidence,
            )
