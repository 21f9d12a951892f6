"""FA112: a login route with no rate limit."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import FunctionNode, call_name, walk_body

LOGIN_PATH = re.compile(r"/(login|sign-?in|signin|token|access-token|authenticate)/?$", re.I)
LIMIT_WORDS = re.compile(r"(limit|throttl)", re.IGNORECASE)
LIMIT_MODULES = re.compile(r"(slowapi|fastapi_limiter|ratelimit|rate_limit|limiter)", re.I)
LIMITER_OBJECT = re.compile(r"(limiter|throttl)", re.IGNORECASE)


def _limits_in_body(handler: FunctionNode) -> bool:
    """A call in the handler body to `limit_login(...)`, `rate_limit(...)`,
    `limiter.hit(...)` and the like. A bare `.limit(n)` is a query, not a rate limit."""
    for node in walk_body(handler):
        if not isinstance(node, ast.Call):
            continue
        receiver, _, name = call_name(node).rpartition(".")
        if name != "limit" and LIMIT_WORDS.search(name):
            return True
        if LIMITER_OBJECT.search(last_name(receiver)):
            return True
    return False


class LoginWithoutRateLimit(Rule):
    """## What it does
    Reports a `POST` login or token route with no rate limit: no limit decorator or
    dependency, and no call in the handler body to a function named like a limit
    (`limit_login(...)`, `check_rate_limit(...)`) or to a method of a limiter
    (`request.app.state.rate_limiter.hit(...)`).

    ## Why is this bad?
    Without a limit, an attacker can try passwords as fast as the server answers:
    credential stuffing and brute force (CWE-307).

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.post("/auth/login")
    def login(form: dict): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends

    from app.limits import login_rate_limit

    router = APIRouter()

    @router.post("/auth/login", dependencies=[Depends(login_rate_limit)])
    def login(form: dict): ...
    ```

    ## Known problems
    Limits applied by middleware, a gateway or a reverse proxy are invisible, and so is
    a limit applied deeper than the handler body (inside the service it calls); when
    the project uses a rate-limit library anywhere the finding is reported with low
    confidence. A call is taken on its name: it is not checked that its result is used.

    ## References
    - [OWASP Authentication Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html)
    - [CWE-307](https://cwe.mitre.org/data/definitions/307.html)
    """

    id = "FA112"
    slug = "login-without-rate-limit"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 307

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not ctx.routes:
            return
        limited_project = any(LIMIT_MODULES.search(m) for m in ctx.index.imported_modules)
        for route in ctx.routes:
            fact = route.fact
            if "POST" not in fact.methods or not LOGIN_PATH.search(route.full_path):
                continue
            if fact.rate_limited or any(LIMIT_WORDS.search(d.target) for d in route.deps):
                continue
            handler = ctx.handler(route)
            if handler is not None and _limits_in_body(handler):
                continue
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"login route {route.full_path} has no rate limit",
                "limit attempts per client and per account (e.g. slowapi or a "
                "`Depends(rate_limit)` backed by Redis)",
                confidence=Confidence.LOW if limited_project else None,
            )
