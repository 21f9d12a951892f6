"""FA306: a route with no response model and no return type."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name, walk_body


class MissingResponseModel(Rule):
    """## What it does
    Reports a route that declares neither `response_model=` nor a return annotation and
    does not return a `Response`.

    ## Why is this bad?
    Without a response type FastAPI sends whatever the handler returns, unfiltered: the
    OpenAPI document says nothing about the answer, clients are generated untyped, and a
    field added to a model silently reaches clients.

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(task_id: int):
        return {"id": task_id}
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter
    from pydantic import BaseModel

    class TaskOut(BaseModel):
        id: int

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(task_id: int) -> TaskOut:
        return TaskOut(id=task_id)
    ```

    ## Known problems
    Routes with `status_code=204`, a `response_class`, or `response_model=None` are not
    reported.

    ## References
    - [FastAPI: Response Model - Return Type](https://fastapi.tiangolo.com/tutorial/response-model/)
    """

    id = "FA306"
    slug = "missing-response-model"
    severity = Severity.INFO
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            if fact.response_model or fact.return_annotation or fact.response_class:
                continue
            if fact.status_code == 204 or "WEBSOCKET" in fact.methods:
                continue
            handler = ctx.handler(route)
            if handler is not None and self._returns_response(handler):
                continue
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"{'/'.join(fact.methods)} {route.full_path} declares no response model "
                "or return type",
                "annotate the return type with a Pydantic model (or set `response_model=`)",
            )

    @staticmethod
    def _returns_response(handler: ast.AST) -> bool:
        for node in walk_body(handler):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
                name = last_name(call_name(node.value))
                if "Response" in name or name in {"redirect", "FileResponse"}:
                    return True
        return False
