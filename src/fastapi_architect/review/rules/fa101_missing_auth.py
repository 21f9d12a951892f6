"""FA101: a route with no auth dependency among authenticated siblings."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from fastapi_architect.codebase.index import Route
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

PUBLIC_PATH = re.compile(
    r"(login|logout|sign_?in|sign-?in|sign_?up|sign-?up|register|token|refresh|health|ready|"
    r"live|ping|status|version|docs|openapi|public|callback|webhook|oauth|sso|saml|oidc|"
    r"verify|reset|forgot|confirm|invite|metrics|well-known|favicon|static|robots|manifest|"
    r"anonymous|guest|lnurl|redirect|unsubscribe)",
    re.IGNORECASE,
)

CREDENTIAL_PARAM = re.compile(r"(api_?key|authorization|token|credential|signature|secret)", re.I)


def _authed(route: Route) -> bool:
    """An auth dependency, an auth call in the body, or a credential read by hand."""
    return (
        route.auth
        or route.auth_in_body
        or any(CREDENTIAL_PARAM.search(p.name) for p in route.fact.params)
    )


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
    `verify_*`, OAuth2/HTTP bearer schemes, ...) and by what those dependencies depend
    on; a parameter named like a credential (`x_api_key`, `authorization`, `token`) counts
    as a check done in the handler. Checks done by middleware are not seen. Paths that
    are usually public (login, register, health, webhooks, ...) are not reported, but a
    route that is public by design (a changelog, a discovery document) is: suppress it
    with the reason. That is why the rule is a warning.

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
        groups: dict[str, list[Route]] = defaultdict(list)
        wanted = {r.router for r in mine}
        for route in ctx.index.routes:
            if route.router in wanted:
                groups[route.router].append(route)
        for route in mine:
            siblings = groups[route.router]
            authed = sum(1 for r in siblings if _authed(r))
            if authed < 3 or authed * 3 < len(siblings) * 2:
                continue
            if _authed(route) or "WEBSOCKET" in route.fact.methods:
                continue
            if PUBLIC_PATH.search(route.full_path) or PUBLIC_PATH.search(route.fact.handler):
                continue
            fact = route.fact
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"{'/'.join(fact.methods)} {route.full_path} has no auth dependency, "
                f"while {authed} of {len(siblings)} routes of its router have one",
                "add the router's auth dependency (e.g. `user: CurrentUser`) or move it to "
                "`APIRouter(dependencies=[...])`; suppress with a reason if it is public",
            )
