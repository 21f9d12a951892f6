"""FA203: a list route with no limit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi_architect.codebase.index import ProjectIndex, Route
from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import lists_growing_data

PAGING = re.compile(
    r"^(limit|offset|skip|page|page_?size|per_?page|size|cursor|after|before|take|first|last|"
    r"start|count|max_?results|top|pagination|paging|params|page_params|paginator)$",
    re.IGNORECASE,
)
PAGING_DEP = re.compile(r"(pagin|page|limit|cursor)", re.IGNORECASE)
# a result count chosen by the caller: `n=5`, `top_k=10`, `max_items=...`
COUNT = re.compile(r"^(n|k|top_?[kn]|num_\w+|max_\w+|\w+_limit|limit_\w+)$", re.IGNORECASE)
PATH_PARAM = re.compile(r"\{[^}]+\}")


def _paged(route: Route, index: ProjectIndex) -> bool:
    """The route takes a limit: a parameter, a paging dependency, or a parameter or
    dependency whose model carries a `limit`-like field (a `Filters` object)."""
    fact = route.fact
    if any(PAGING.match(p.name) or COUNT.match(p.name) for p in fact.params):
        return True
    if any(PAGING_DEP.search(d.target) for d in route.deps):
        return True
    for param in fact.params:
        dep = index.param_dep(param)
        if dep is not None:
            fn = index.function(dep.target)
            if fn is not None and any(PAGING.match(p.name) for p in fn.params):
                return True
            cls = index.klass(dep.target)
        else:
            cls = index.klass(param.type_name)
        if cls is not None and any(PAGING.match(f) for f in index.all_fields(cls)):
            return True
    return False


QUERIES = frozenset(
    {"execute", "exec", "query", "scalars", "fetch", "fetchall", "fetch_all", "find", "to_list"}
)


def _queries(route: Route, index: ProjectIndex) -> bool:
    """The handler reads the database, itself or through a function it calls (one level
    down): a static or in-memory list is not a query to page."""
    handler = index.function(route.fact.qualname)
    if handler is None:
        return True
    for callee in (handler.qualname, *handler.calls):
        fn = handler if callee == handler.qualname else index.function(callee)
        if fn is None:
            continue
        if any(last_name(c) in QUERIES for c in fn.calls):
            return True
    return False


def _is_list(route: Route) -> bool:
    fact = route.fact
    if "GET" not in fact.methods:
        return False
    return fact.response_model_is_list if fact.response_model else fact.return_is_list


class UnpaginatedList(Rule):
    """## What it does
    Reports a `GET` route that answers a list (its response model or return type is a
    list) and takes no limit, page, cursor or pagination parameter.

    ## Why is this bad?
    The answer grows with the table: one day the endpoint returns a million rows, times
    out, and takes the database with it (CWE-770).

    ## Example
    ```python
    from fastapi import APIRouter
    from pydantic import BaseModel

    class TaskOut(BaseModel):
        id: int

    router = APIRouter()

    @router.get("/tasks", response_model=list[TaskOut])
    def list_tasks(): ...
    ```

    ## Use instead
    ```python
    from typing import Annotated

    from fastapi import APIRouter, Query
    from pydantic import BaseModel

    class TaskOut(BaseModel):
        id: int

    router = APIRouter()

    @router.get("/tasks", response_model=list[TaskOut])
    def list_tasks(limit: Annotated[int, Query(ge=1, le=100)] = 50, cursor: str | None = None):
        ...
    ```

    It is a warning when the project pages most of its other lists, and information only
    otherwise, when the list holds the children of one parent named in the path, or when
    neither the handler nor a function it calls queries the database. A
    limit carried by a dependency or a query model (a `Filters` object with a `limit`
    field) counts as paging.

    ## Known problems
    The rule cannot tell how many rows a list can hold, so it reads it from the name: a
    warning when the list names data that grows with use (runs, messages, events, logs,
    items...), information for lists that stay small by nature (projects, roles,
    templates, enum values). Pagination applied by a response
    wrapper (fastapi-pagination's `Page[T]`) is not a list and is not reported.

    ## References
    - [CWE-770](https://cwe.mitre.org/data/definitions/770.html)
    """

    id = "FA203"
    slug = "unpaginated-list"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 770

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        lists: list[Route] | None = None
        convention: bool | None = None
        seen: set[int] = set()
        for route in ctx.routes:
            fact = route.fact
            if not _is_list(route) or _paged(route, ctx.index) or fact.line in seen:
                continue
            seen.add(fact.line)  # `""` and `"/"` stacked on one handler: one finding
            if convention is None:
                # does the project page most of its lists? then this one is an oversight
                lists = [r for r in ctx.index.routes if _is_list(r)]
                paged = sum(1 for r in lists if _paged(r, ctx.index))
                convention = paged > 0 and paged * 2 >= len(lists)
            # the children of one parent (`/runs/{id}/states`) are bounded by that parent
            under_parent = bool(PATH_PARAM.search(route.full_path))
            # and a list of what grows with use (runs, messages, events) needs a page;
            # projects, roles or templates stay few
            grows = lists_growing_data(route)
            loud = convention and grows and not under_parent and _queries(route, ctx.index)
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"GET {route.full_path} returns a list with no limit or cursor",
                "add `limit: Annotated[int, Query(ge=1, le=100)] = 50` and a cursor (or "
                "offset), and apply them to the query",
                severity=None if loud else Severity.INFO,
                confidence=None if loud else Confidence.LOW,
            )
