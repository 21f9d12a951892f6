"""FA302: a 204 route that declares or returns a body."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name, walk_body


def _response_call(ctx: FileContext, call: ast.Call) -> bool:
    """`JSONResponse(...)`, `error_response(...)`, or a project helper that builds a
    response (`return _error(exc)`)."""
    if "response" in last_name(call_name(call)).lower():
        return True
    helper = ctx.function(call.func)
    return helper is not None and any("Response" in last_name(c) for c in helper.calls)


def _checked_responses(nodes: list[ast.AST]) -> set[int]:
    """`if isinstance(outcome, Response): return outcome`: returns of a value the code
    has just checked to be a response."""
    out: set[int] = set()
    for node in nodes:
        if not isinstance(node, ast.If):
            continue
        test = node.test
        if not (
            isinstance(test, ast.Call)
            and last_name(call_name(test)) == "isinstance"
            and len(test.args) == 2
            and isinstance(test.args[0], ast.Name)
            and "Response" in ast.unparse(test.args[1])
        ):
            continue
        name = test.args[0].id
        for stmt in node.body:
            for sub in [stmt, *walk_body(stmt)]:
                if (
                    isinstance(sub, ast.Return)
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id == name
                ):
                    out.add(id(sub))
    return out


class NoContentWithBody(Rule):
    """## What it does
    Reports a route declared with `status_code=204` that also declares a response model
    or returns a value other than `None` or a `Response`.

    ## Why is this bad?
    A 204 answer has no body by definition. The declared model shows up in the OpenAPI
    document as a body clients will never receive, and the returned value is computed
    and thrown away (older servers even fail on the stray bytes).

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.delete("/tasks/{task_id}", status_code=204)
    def delete_task(task_id: int) -> dict:
        return {"deleted": task_id}
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.delete("/tasks/{task_id}", status_code=204)
    def delete_task(task_id: int) -> None:
        return None
    ```

    ## Known problems
    Only `return` statements in the handler itself are read. A returned response is
    allowed: a call named like one (`JSONResponse(...)`, `error_response(...)`) or of a
    project helper that builds one (`return _error(exc)`), a
    variable named like one, or a value returned under `if isinstance(x, Response)`;
    so is the result of a project function that returns nothing (`return crud.delete(id)`).

    ## References
    - [RFC 9110, 204 No Content](https://www.rfc-editor.org/rfc/rfc9110#name-204-no-content)
    """

    id = "FA302"
    slug = "no-content-with-body"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            if fact.status_code != 204:
                continue
            if fact.response_model and not fact.response_model_none:
                yield self.finding(
                    ctx,
                    (
                        fact.decorator_line,
                        fact.decorator_col,
                        fact.decorator_line,
                        fact.decorator_col,
                    ),
                    f"{route.full_path} answers 204 but declares response_model "
                    f"{fact.response_model}",
                    "drop the response_model (or answer 200 with the body)",
                )
                continue
            handler = ctx.handler(route)
            if handler is None:
                continue
            nodes = list(walk_body(handler))
            responses = _checked_responses(nodes)
            for node in nodes:
                if not isinstance(node, ast.Return) or node.value is None:
                    continue
                value = node.value
                if isinstance(value, ast.Constant) and value.value is None:
                    continue
                # `return JSONResponse(...)`, `return error_response(...)`
                if isinstance(value, ast.Await):
                    value = value.value
                if isinstance(value, ast.Call) and _response_call(ctx, value):
                    continue
                helper = ctx.function(value.func) if isinstance(value, ast.Call) else None
                if helper is not None and not helper.returns_value:
                    continue  # `return crud.delete(db, id)`, a helper that returns nothing
                if id(node) in responses:
                    continue
                if isinstance(value, ast.Name) and "response" in value.id.lower():
                    continue
                yield self.finding(
                    ctx,
                    node,
                    f"{route.full_path} answers 204 but returns a value",
                    "return None (or answer 200 with the body)",
                )
                break
