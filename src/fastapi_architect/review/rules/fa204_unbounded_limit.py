"""FA204: a limit parameter with no upper bound."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.extract import PARAM_FUNCS
from fastapi_architect.codebase.index import ProjectIndex, Route
from fastapi_architect.codebase.syntax import last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import lists_growing_data

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


def _shared(ctx: FileContext, node: ast.expr | None) -> tuple[bool, bool] | None:
    """A default that names a parameter declaration shared by many routes: (it has an
    upper bound, its default is None)."""
    if not isinstance(node, ast.Name | ast.Attribute):
        return None
    name = ctx.qualify(node)
    local = next((p for p in ctx.facts.shared_params if p[0] == name), None)
    return (local[1], local[2]) if local is not None else ctx.index.shared_param(name)


def _checked(name: str, body: str) -> bool:
    """The handler caps or rejects the value itself: `min(limit, MAX)`, `if limit > MAX`."""
    return bool(
        re.search(rf"min\([^)]*\b{name}\b", body)
        or re.search(rf"\b{name}\s*(>|>=|<=)\s*\w", body)
        or re.search(rf"\w\s*(<|<=|>=)\s*{name}\b", body)
    )


ADMIN = re.compile(r"(admin|superuser|super_user|staff)", re.IGNORECASE)


def _capped_below(index: ProjectIndex, qualname: str, name: str) -> bool:
    """The handler hands the value to a function that bounds it (`min(limit, MAX)` in
    the service), one or two calls down."""
    fn = index.functions.get(qualname)
    todo = [(fn, name, 0)] if fn is not None else []
    seen: set[str] = set()
    while todo:
        current, param, depth = todo.pop()
        for given, callee, arg in current.forwards:
            if given != param or depth >= 2:
                continue
            target = index.callee(callee)
            if target is None or target.qualname in seen:
                continue
            seen.add(target.qualname)
            if arg.isdigit() and int(arg) >= len(target.params):
                continue
            key = target.params[int(arg)].name if arg.isdigit() else arg
            if key in target.capped:
                return True
            todo.append((target, key, depth + 1))
    return False


def _admin_only(ctx: FileContext, route: Route, handler: ast.AST | None, name: str) -> bool:
    """Only administrators choose the value: an admin/superuser dependency on the route,
    or the value read only under an admin check (`if user.role == "admin" and limit`)."""
    if any(ADMIN.search(last_name(d.target)) for d in route.deps):
        return True
    for node in walk(handler) if handler is not None else ():
        if isinstance(node, ast.If | ast.IfExp):
            test = ast.unparse(node.test)
            if re.search(rf"\b{name}\b", test) and ADMIN.search(test):
                return True
    return False


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

    A bound enforced in the handler body (`min(limit, 100)`, `if limit > MAX: raise`), in
    a function the handler hands the value to (one or two calls down), or by the
    project's own parameter factory (`limit: int = LimitBody()`) is recognised. It is a
    warning when the route lists something that grows with use without bound (messages,
    events, logs, runs, tasks, jobs, conversations, comments, documents, orders,
    search results, ...: the last literal path segment or the handler's name says so).
    A list of what stays small (users, projects, tags, settings), a limit that defaults
    to `None` (omitting it returns every row anyway) or one only administrators choose
    (an admin/superuser dependency, or a value read only under an admin check) is
    information.

    ## Known problems
    A bound enforced further down than two calls, or through a value renamed on the way,
    is not seen. Internal APIs for trusted workers are not told apart from public ones.
    What grows is read from names: a list of few rows named like one that grows (the
    steps of one run) is a warning, and a growing one with an unusual name is
    information.

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
                if _capped_below(ctx.index, route.fact.qualname, param.name):
                    continue
                default = defaults.get(param.name)
                shared = _shared(ctx, default)
                if shared is not None and shared[0]:
                    continue  # `limit: int = LimitParam`, declared once with `le=`
                if shared is not None and shared[1]:
                    default = ast.Constant(None)
                if isinstance(default, ast.Call) and default.args:
                    default = default.args[0]  # `Query(None)`
                elif isinstance(default, ast.Call):
                    default = next((k.value for k in default.keywords if k.arg == "default"), None)
                # omitting the value returns every row anyway (that is FA203's concern), or
                # only administrators pick it: information
                quiet = (
                    (isinstance(default, ast.Constant) and default.value is None)
                    or _admin_only(ctx, route, handler, param.name)
                    or not lists_growing_data(route)
                )
                yield self.finding(
                    ctx,
                    (param.line, param.col, param.line, param.col + len(param.name)),
                    f"`{param.name}` has no upper bound",
                    f"declare `{param.name}: Annotated[int, Query(ge=1, le=100)]`",
                    severity=Severity.INFO if quiet else None,
                    confidence=Confidence.LOW if quiet else None,
                )
