"""FA204: a limit parameter with no upper bound."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

LIMIT_PARAM = re.compile(
    r"^(limit|page_?size|per_?page|size|take|max_?results|top|count|n)$", re.IGNORECASE
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

    ## Known problems
    A bound enforced in the handler body (`min(limit, 100)`) is not seen.

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
            for param in route.fact.params:
                if param.kind in {"path", "depends", "body"} or param.upper_bound is not False:
                    continue
                if not LIMIT_PARAM.match(param.name) or param.type_name != "int":
                    continue
                if re.search(rf"min\([^)]*\b{param.name}\b", body):
                    continue
                yield self.finding(
                    ctx,
                    (param.line, param.col, param.line, param.col + len(param.name)),
                    f"`{param.name}` has no upper bound",
                    f"declare `{param.name}: Annotated[int, Query(ge=1, le=100)]`",
                )
