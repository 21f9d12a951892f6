"""FA203: a list route with no limit."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

PAGING = re.compile(
    r"^(limit|offset|skip|page|page_?size|per_?page|size|cursor|after|before|take|first|last|"
    r"start|count|max_?results|top|pagination|paging|params|page_params|paginator)$",
    re.IGNORECASE,
)
PAGING_DEP = re.compile(r"(pagin|page|limit|cursor)", re.IGNORECASE)


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

    ## Known problems
    Lists that are small by nature (enum values, a user's roles) are reported too; the
    rule cannot tell how many rows a list can hold. Pagination applied by a response
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
        for route in ctx.routes:
            fact = route.fact
            if "GET" not in fact.methods:
                continue
            is_list = fact.response_model_is_list if fact.response_model else fact.return_is_list
            if not is_list:
                continue
            if any(PAGING.match(p.name) for p in fact.params):
                continue
            if any(PAGING_DEP.search(d.target) for d in route.deps):
                continue
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"GET {route.full_path} returns a list with no limit or cursor",
                "add `limit: Annotated[int, Query(ge=1, le=100)] = 50` and a cursor (or "
                "offset), and apply them to the query",
            )
