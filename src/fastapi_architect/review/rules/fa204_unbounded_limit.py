"""FA204: a limit parameter with no upper bound."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.extract import PARAM_FUNCS
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

LIMIT_PARAM = re.compile(
    r"^(limit|page_?size|per_?page|size|take|max_?results|top|count|n)$", re.IGNORECASE
)


def _defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef | None) -> dict[str, ast.expr]:
    """Each parameter's default, and the `Annotated[...]` metadata calls, by name."""
    if fn is None:
        return {}
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    pairs: list[tuple[ast.arg, ast.expr | None]] = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs.extend(zip(args.kwonlyargs, args.kw_defaults, strict=False))
    out: dict[str, ast.expr] = {}
    for arg, default in pairs:
        if default is not None:
            out[arg.arg] = default
    for arg in [*positional, *args.kwonlyargs]:
        ann = arg.annotation
        if (
            arg.arg not in out
            and isinstance(ann, ast.Subscript)
            and isinstance(ann.slice, ast.Tuple)
            and len(ann.slice.elts) > 1
        ):
            out[arg.arg] = ann.slice.elts[1]
    return out


def _project_factory(ctx: FileContext, node: ast.expr | None) -> bool:
    """`limit: int = dependencies.LimitBody()`: the project's own Query/Body factory,
    which is where it puts its cap."""
    if not isinstance(node, ast.Call):
        return False
    name = ctx.qualify(node.func)
    return name.rsplit(".", 1)[-1] not in PARAM_FUNCS and ctx.index.function(name) is not None


def _checked(name: str, body: str) -> bool:
    """The handler caps or rejects the value itself: `min(limit, MAX)`, `if limit > MAX`."""
    return bool(
        re.search(rf"min\([^)]*\b{name}\b", body)
        or re.search(rf"\b{name}\s*(>|>=|<=)\s*\w", body)
        or re.search(rf"\w\s*(<|<=|>=)\s*{name}\b", body)
    )


class UnboundedLimit(Rule):
    """## What it does
    Reports an integer route parameter named like a page size (`limit`, `page_size`,
    `per_page`, `size`, ...) declared without an upper bound (`le=` / `lt=`).

    ## Why is this bad?
    The client picks the page size: `?limit=10000000` loads the whole table into memory
    in one request (CWE-770).

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/tasks")
    def list_tasks(limit: int = 100): ...
    ```

    ## Use instead
    ```python
    from typing import Annotated

    from fastapi import APIRouter, Query

    router = APIRouter()

    @router.get("/tasks")
    def list_tasks(limit: Annotated[int, Query(ge=1, le=100)] = 50): ...
    ```

    A bound enforced in the handler body (`min(limit, 100)`, `if limit > MAX: raise`) or
    by the project's own parameter factory (`limit: int = LimitBody()`) is recognised.

    ## Known problems
    A bound enforced further down (in the service the handler calls) is not seen.

    ## References
    - [FastAPI: Query parameters and string validations](https://fastapi.tiangolo.com/tutorial/query-params-str-validations/)
    - [CWE-770](https://cwe.mitre.org/data/definitions/770.html)
    """

    id = "FA204"
    slug = "unbounded-limit"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    cwe = 770

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            handler = ctx.handler(route)
            body = (
                ""
                if handler is None
                else "\n".join(
                    ctx.lines[handler.lineno - 1 : (handler.end_lineno or handler.lineno)]
                )
            )
            defaults = _defaults(handler)
            for param in route.fact.params:
                if param.kind in {"path", "depends", "body"} or param.upper_bound is not False:
                    continue
                if not LIMIT_PARAM.match(param.name) or param.type_name != "int":
                    continue
                if _checked(param.name, body) or _project_factory(ctx, defaults.get(param.name)):
                    continue
                yield self.finding(
                    ctx,
                    (param.line, param.col, param.line, param.col + len(param.name)),
                    f"`{param.name}` has no upper bound",
                    f"declare `{param.name}: Annotated[int, Query(ge=1, le=100)]`",
                )
