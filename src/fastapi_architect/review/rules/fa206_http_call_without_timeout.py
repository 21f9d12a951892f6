"""FA206: an outbound HTTP call with no timeout while a request is served."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    FunctionNode,
    imported_name,
    request_path_functions,
    value_of,
    walk_body,
)

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
HTTPX_CALLS = VERBS | {"stream", "send", "Client", "AsyncClient"}
REQUESTS_SESSIONS = frozenset({"requests.Session", "requests.session", "requests.sessions.Session"})
HTTPX_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})


def _no_timeout(ctx: FileContext, value: ast.expr) -> bool:
    """`None`, or `httpx.Timeout(None)` with no other limit."""
    if isinstance(value, ast.Constant) and value.value is None:
        return True
    if isinstance(value, ast.Call) and imported_name(ctx, value, "httpx.Timeout"):
        args = [*value.args, *(k.value for k in value.keywords)]
        return bool(args) and all(isinstance(a, ast.Constant) and a.value is None for a in args)
    return False


class HttpCallWithoutTimeout(Rule):
    """## What it does
    Reports, in a route handler, a route dependency, or a function one of them calls
    directly, an outbound HTTP call that can wait forever: `requests.get/post/...`,
    `requests.request` or a method of a `requests.Session` without `timeout=`, and
    `httpx` calls or clients given `timeout=None`.

    ## Why is this bad?
    `requests` has no default timeout: when the upstream service stops answering, the
    call waits forever, and so does the worker thread (or, in `async def`, the whole event
    loop) serving the request. A few hung calls exhaust the thread pool and the API stops
    answering. `httpx` waits 5 seconds by default; `timeout=None` removes that bound.

    ## Example
    ```python
    import requests
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/rates")
    def rates() -> dict[str, float]:
        return requests.get("https://rates.example.com/latest").json()
    ```

    ## Use instead
    ```python
    import requests
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/rates")
    def rates() -> dict[str, float]:
        return requests.get("https://rates.example.com/latest", timeout=5).json()
    ```

    ## Known problems
    Only code that a request runs is checked: handlers, route dependencies and the
    functions they call by name (not methods of objects, and not deeper calls); scripts and
    background jobs are left alone. Calls passing `**kwargs` are assumed to carry a
    timeout. A `requests.Session` subclass or adapter that sets a default timeout is not
    a `requests.Session` and is not reported.

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [HTTPX: Timeouts](https://www.python-httpx.org/advanced/timeouts/)
    - [CWE-400](https://cwe.mitre.org/data/definitions/400.html)
    """

    id = "FA206"
    slug = "http-call-without-timeout"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    cwe = 400

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not any(name in {"requests", "httpx"} for name in map(_root, ctx.imports.values())):
            return
        seen: set[int] = set()
        for fn in request_path_functions(ctx):
            bound = self._bound(ctx, fn)
            for node in walk_body(fn):
                if not isinstance(node, ast.Call) or id(node) in seen:
                    continue
                seen.add(id(node))
                message = self._problem(ctx, node, fn, bound)
                if message is not None:
                    yield self.finding(
                        ctx,
                        node,
                        f"{message} in `{fn.name}`, which runs while a request is served",
                        "pass `timeout=` (e.g. `timeout=10`, or `(3.05, 10)` for connect and "
                        "read) so that a hung upstream cannot hold the worker",
                    )

    def _bound(self, ctx: FileContext, fn: FunctionNode) -> dict[int, str]:
        """Calls on a name bound by `with requests.Session() as s` or `with
        httpx.Client(...) as c` in `fn`, by id, with what `_maker` says the name is."""
        bound: dict[int, str] = {}
        for node in walk_body(fn):
            if not isinstance(node, ast.With | ast.AsyncWith):
                continue
            for item in node.items:
                if not isinstance(item.optional_vars, ast.Name):
                    continue
                kind = self._maker(ctx, item.context_expr)
                if kind is None:
                    continue
                for stmt in node.body:
                    for sub in [stmt, *walk_body(stmt)]:
                        if (
                            isinstance(sub, ast.Call)
                            and isinstance(sub.func, ast.Attribute)
                            and isinstance(sub.func.value, ast.Name)
                            and sub.func.value.id == item.optional_vars.id
                        ):
                            bound.setdefault(id(sub), kind)
        return bound

    @staticmethod
    def _maker(ctx: FileContext, node: ast.expr) -> str | None:
        if not isinstance(node, ast.Call):
            return None
        if imported_name(ctx, node, "requests") in REQUESTS_SESSIONS:
            return "session"
        if imported_name(ctx, node, "httpx") in HTTPX_CLIENTS:
            timeout = keyword(node, "timeout")
            return "client" if timeout is not None and _no_timeout(ctx, timeout) else "httpx"
        return None

    def _problem(
        self,
        ctx: FileContext,
        call: ast.Call,
        fn: FunctionNode,
        bound: dict[int, str],
    ) -> str | None:
        if any(k.arg is None for k in call.keywords):
            return None
        timeout = keyword(call, "timeout")
        name = imported_name(ctx, call, "requests")
        if name is not None:
            verb = last_name(name)
            if name in {f"requests.{verb}", f"requests.api.{verb}"} and verb in VERBS:
                return None if timeout is not None else f"`{name}()` has no timeout"
            return None
        name = imported_name(ctx, call, "httpx")
        if name is not None:
            if last_name(name) in HTTPX_CALLS and timeout is not None and _no_timeout(ctx, timeout):
                return f"`{name}(timeout=None)` can wait forever"
            return None
        if not isinstance(call.func, ast.Attribute) or call.func.attr not in VERBS | {"stream"}:
            return None
        receiver = call.func.value
        if id(call) in bound:
            kind: str | None = bound[id(call)]
            if kind == "client":
                return None  # the client's construction is reported
        else:
            made = value_of(ctx, receiver, fn)
            kind = self._maker(ctx, made)
            if kind == "client" and ctx.scope_of(made) is fn:
                return None
        if kind == "session" and timeout is None and call.func.attr in VERBS:
            return f"`requests.Session.{call.func.attr}()` has no timeout"
        if kind == "client" and (timeout is None or _no_timeout(ctx, timeout)):
            return f"`{call.func.attr}()` on an httpx client built with `timeout=None`"
        if kind == "httpx" and timeout is not None and _no_timeout(ctx, timeout):
            return f"`{call.func.attr}(timeout=None)` can wait forever"
        return None


def _root(name: str) -> str:
    return name.partition(".")[0]
