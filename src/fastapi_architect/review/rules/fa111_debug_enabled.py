"""FA111: debug mode turned on in code."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, is_true, keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name

DEBUG_SWITCH = re.compile(r"debug|develop|\bdev\b|local|testing", re.IGNORECASE)


class DebugEnabled(Rule):
    """## What it does
    Reports `FastAPI(debug=True)` and `Starlette(debug=True)`; with lower confidence, a
    settings default of `DEBUG = True` / `debug: bool = True`.

    ## Why is this bad?
    In debug mode an unhandled error answers with the full traceback and local source:
    paths, queries and secrets in variables reach the client (CWE-489).

    ## Example
    ```python
    from fastapi import FastAPI

    app = FastAPI(debug=True)
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI

    from app.config import settings

    app = FastAPI(debug=settings.debug)
    ```

    ## Known problems
    A settings default of `True` that every deployment overrides is harmless; it is
    reported as a warning with low confidence. `FastAPI(debug=True)` under an `if` whose
    condition names debugging or development (`if in_debug_mode():`, `if settings.ENV ==
    "development":`) is taken as switched on only there, whatever the switch reads. When
    the module also has an HTTP middleware that answers every exception itself (`try:
    return await call_next(request)` / `except Exception:`), the traceback page is never
    drawn: information, as it is when the application serves no route of its own (its
    API is an application mounted under it, which answers its own errors).

    ## References
    - [Starlette: Applications](https://www.starlette.io/applications/)
    - [CWE-489](https://cwe.mitre.org/data/definitions/489.html)
    """

    id = "FA111"
    slug = "debug-enabled"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 489

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        debug_apps = [
            node
            for node in ctx.of(ast.Call)
            if is_true(keyword(node, "debug"))
            and last_name(call_name(node)) in {"FastAPI", "Starlette"}
        ]
        # `if in_debug_mode(): app = FastAPI(debug=True)`: debug only where it is asked for
        switched = {
            id(inner)
            for node in (ctx.of(ast.If) if debug_apps else ())
            if DEBUG_SWITCH.search(ast.unparse(node.test))
            for stmt in node.body
            for inner in walk(stmt)
        }
        for node in [*debug_apps, *ctx.of(ast.ClassDef)]:
            if isinstance(node, ast.Call):
                if id(node) not in switched:
                    caught = _middleware_catches_all(ctx)
                    idle = _serves_no_route(ctx, node)
                    yield self.finding(
                        ctx,
                        node,
                        "the application runs in debug mode: tracebacks reach clients"
                        + (" unless its middleware answers first" if caught else "")
                        + (" (it serves no route itself: mounted apps answer)" if idle else ""),
                        "read `debug` from settings, off unless explicitly enabled",
                        severity=Severity.INFO if caught or idle else None,
                        confidence=Confidence.MEDIUM if caught or idle else None,
                    )
            elif isinstance(node, ast.ClassDef) and any(
                "Settings" in last_name(b.id if isinstance(b, ast.Name) else getattr(b, "attr", ""))
                for b in node.bases
            ):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.AnnAssign)
                        and isinstance(stmt.target, ast.Name)
                        and stmt.target.id.lower() == "debug"
                        and is_true(stmt.value)
                    ):
                        yield self.finding(
                            ctx,
                            stmt,
                            "settings default to debug mode",
                            "default `debug` to False and enable it per environment",
                            severity=Severity.WARNING,
                            confidence=Confidence.LOW,
                        )


def _middleware_catches_all(ctx: FileContext) -> bool:
    """The module has an HTTP middleware that answers every exception itself
    (`try: return await call_next(request)` / `except Exception:`): debug's traceback
    page, drawn outside it, is never reached."""
    for node in ctx.of(ast.Try):
        if not any(
            isinstance(n, ast.Call) and last_name(call_name(n)) == "call_next"
            for stmt in node.body
            for n in walk(stmt)
        ):
            continue
        for handler in node.handlers:
            kinds = walk(handler.type) if handler.type is not None else []
            names = {last_name(dotted(t) or "") for t in kinds if isinstance(t, ast.expr)}
            if handler.type is None or names & {"Exception", "BaseException"}:
                return True
    return False


def _serves_no_route(ctx: FileContext, call: ast.Call) -> bool:
    """The debug application declares no route of its own: its API lives in applications
    mounted under it, whose own error middleware (without debug) answers their errors."""
    app = next(
        (r.qualname for r in ctx.facts.routers if r.kind == "app" and r.line == call.lineno),
        None,
    )
    if app is None or not any(r.apps for r in ctx.index.routes):
        return False
    return not any(app in r.apps for r in ctx.index.routes)
