"""FA307: the same method and path registered twice."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule


class DuplicateRoute(Rule):
    """## What it does
    Reports a route whose method and full path (prefixes included) were already
    registered by an earlier route of the same application.

    ## Why is this bad?
    Starlette matches routes in order: the second handler is never called. The bug is
    silent until someone wonders why their change has no effect.

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(task_id: int): ...

    @router.get("/tasks/{task_id}")
    def read_task_v2(task_id: int): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(task_id: int): ...
    ```

    ## Known problems
    Routes registered under conditions (`if settings.feature:`) are all counted.
    Paths that differ only in parameter names (`/{id}` and `/{task_id}`) are duplicates
    and are reported. Prefixes computed at run time (`prefix=settings.v1_prefix`) are
    compared as written: the same expression is the same prefix, two different ones
    are taken to differ. A path computed in the decorator itself (`f"/bulk/{op.name}"`,
    routes made by a factory function or a loop) is not compared: its values are only
    known at run time.

    ## References
    - [Starlette: Routing](https://www.starlette.io/routing/)
    """

    id = "FA307"
    slug = "duplicate-route"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        mine = ctx.routes
        if not mine:
            return
        first: dict[tuple[str, str], Route] = {}
        for route in sorted(ctx.index.routes, key=lambda r: (r.path, r.fact.line)):
            for method in route.fact.methods:
                for path in route.full_paths:
                    if "{…}" in path:
                        continue  # `f"/bulk/{op.name}"`: a path computed at run time
                    key = (method, _shape(path, route.dynamic_prefix))
                    earlier = first.setdefault(key, route)
                    if earlier is route or route.path != ctx.path:
                        continue
                    if earlier.router != route.router and not (route.mounted and earlier.mounted):
                        continue
                    if route.apps and earlier.apps and not set(route.apps) & set(earlier.apps):
                        continue  # two applications, two route tables
                    if earlier.path == route.path and earlier.fact.line == route.fact.line:
                        continue  # two decorators stacked on one handler
                    if earlier.path == route.path and _alternatives(
                        ctx.tree, earlier.fact.decorator_line, route.fact.decorator_line
                    ):
                        continue  # defined in the two branches of an if/else or try/except
                    fact = route.fact
                    yield self.finding(
                        ctx,
                        (
                            fact.decorator_line,
                            fact.decorator_col,
                            fact.decorator_line,
                            fact.decorator_col,
                        ),
                        f"{method} {path} is already handled by {earlier.fact.handler} "
                        f"({earlier.path}:{earlier.fact.line}); this handler is never reached",
                        "remove one of the two routes or give them different paths",
                    )


def _shape(path: str, dynamic: tuple[str, ...] = ()) -> str:
    """Path parameters erased; a prefix computed at run time (`{settings.prefix}`) kept
    as written, so that two different expressions do not look like one path. A trailing
    slash is kept: `/tasks` and `/tasks/` are two routes, each reached."""
    for part in dynamic:
        path = path.replace(part, f"<{part[1:-1]}>")
    return re.sub(r"{[^}]*}", "{}", path) or "/"


def _within(block: list[ast.stmt], line: int) -> bool:
    return any(_first_line(s) <= line <= (s.end_lineno or s.lineno) for s in block)


def _first_line(stmt: ast.stmt) -> int:
    """Where the statement starts: a decorated definition starts at its first decorator."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", None) or []
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _alternatives(tree: ast.Module, first: int, second: int) -> bool:
    """Whether the two lines sit in branches of one `if`/`try` that exclude each other."""
    for node in walk(tree):
        if isinstance(node, ast.If):
            branches = [node.body, node.orelse]
        elif isinstance(node, ast.Try | ast.TryStar):
            branches = [node.body + node.orelse, *(h.body for h in node.handlers)]
        else:
            continue
        hits = [i for i, b in enumerate(branches) if _within(b, first) or _within(b, second)]
        held = [(i, _within(b, first), _within(b, second)) for i, b in enumerate(branches)]
        if any(a and b for _, a, b in held):
            continue  # both in one branch: look deeper
        if len(hits) == 2:
            return True
    return False
