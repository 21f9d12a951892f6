"""FA301: a POST that creates without answering 201."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name, walk
from fastapi_architect.review.fix import add_keyword
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

CREATE_HANDLER = re.compile(r"^(create|add|new|register|insert)(_|$)", re.IGNORECASE)
# handlers that act on or look at resources rather than make one
NOT_A_CREATE = re.compile(
    r"(^|_)(dry_?run|search|query|validate|validation|preview|check|test|bulk|batch|"
    r"upsert|filters?|reactions?|login|token)(_|$)",
    re.IGNORECASE,
)
# a path parameter before the last segment: the route works under an existing parent
ADD_TO_PARENT = re.compile(r"}/[^{}]+/?$")
PAGE_RESPONSES = frozenset({"HTMLResponse", "RedirectResponse", "PlainTextResponse"})


class CreateWithout201(Rule):
    """## What it does
    Reports a `POST` route whose handler is named like a create (`create_*`, `add_*`,
    `new_*`, `register*`) and declares no `status_code`, so it answers 200.

    ## Why is this bad?
    `201 Created` tells clients and caches that a resource now exists (with its
    `Location`); a 200 reads as "done, nothing new". Generated clients and API
    guidelines rely on the distinction.

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.post("/tasks")
    def create_task(payload: dict) -> dict:
        return payload
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, status

    router = APIRouter()

    @router.post("/tasks", status_code=status.HTTP_201_CREATED)
    def create_task(payload: dict) -> dict:
        return payload
    ```

    It is a warning when most creates of the project answer 201, and information only
    when the project's creates answer 200 as a convention. APIs where every route is a
    `POST` (RPC style), actions named like a search, query, validation, preview, bulk or
    batch operation, and routes answering an HTML page or a redirect are not reported.
    An `add_*` under an existing parent (`POST /tasks/{task_id}/dependencies`) often
    appends to the parent and answers it, an update: it is information.

    ## Known problems
    A handler that sets the status on a `Response` it returns is recognised only when
    its body mentions 201 or `CREATED` (`HTTPStatus.CREATED`). A handler that returns a
    redirect, itself or through a project helper (`return back(request, url)`: a form's
    Post/Redirect/Get), is not reported. Handlers named otherwise are not checked.

    ## References
    - [RFC 9110, 201 Created](https://www.rfc-editor.org/rfc/rfc9110#name-201-created)
    """

    id = "FA301"
    slug = "create-without-201"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not ctx.routes:
            return
        routes = ctx.index.routes
        if len(routes) > 2 and all(r.fact.methods == ("POST",) for r in routes):
            return  # an RPC-style API: every call is a POST
        # the project's own convention: do most of its creates answer 201?
        creates = [
            r.fact.status_code
            for r in routes
            if r.fact.methods == ("POST",) and CREATE_HANDLER.match(r.fact.handler)
        ]
        answered_201 = sum(1 for code in creates if code == 201)
        uses_201 = answered_201 > 0 and answered_201 * 2 >= len(creates)
        seen: set[int] = set()
        for route in ctx.routes:
            fact = route.fact
            if fact.methods != ("POST",) or fact.status_code is not None:
                continue
            if fact.line in seen:
                continue  # `""` and `"/"` stacked on one handler: one finding
            seen.add(fact.line)
            if not CREATE_HANDLER.match(fact.handler) or NOT_A_CREATE.search(fact.handler):
                continue
            if fact.response_class and fact.response_class.rsplit(".", 1)[-1] in PAGE_RESPONSES:
                continue
            body = "\n".join(ctx.lines[fact.line - 1 : fact.end_line])
            if "201" in body or re.search(r"\bCREATED\b", body):
                continue  # `status.HTTP_201_CREATED`, `HTTPStatus.CREATED` in a response
            if _answers_redirect(ctx, ctx.handler(route)):
                continue  # a form's Post/Redirect/Get
            decorator = _decorator(ctx, fact.line, fact.decorator_line)
            edit = None if decorator is None else add_keyword(decorator, "status_code=201")
            message = f"POST {route.full_path} creates a resource but answers 200"
            # a project whose creates all answer 200 has chosen that convention
            convention = uses_201
            if ADD_TO_PARENT.search(route.full_path) and fact.handler.lower().startswith("add"):
                # `POST /tasks/{task_id}/dependencies` `add_dependency`: often appends to
                # the existing task and answers it, an update
                message += " (it may add to an existing parent and answer it)"
                convention = False
            yield self.finding(
                ctx,
                (fact.decorator_line, fact.decorator_col, fact.decorator_line, fact.decorator_col),
                message,
                "add `status_code=status.HTTP_201_CREATED` (and a Location header)",
                severity=None if convention else Severity.INFO,
                confidence=None if convention else Confidence.LOW,
                edits=() if edit is None else (edit,),
            )


def _answers_redirect(ctx: FileContext, handler: ast.AST | None) -> bool:
    """The handler returns a redirect: `RedirectResponse(...)`, or a call to a project
    function that builds one (`return back(request, url)`)."""
    for node in walk(handler) if handler is not None else ():
        if not isinstance(node, ast.Return) or not isinstance(node.value, ast.Call):
            continue
        name = ctx.qualify(node.value.func)
        helper = ctx.function(node.value.func)
        calls = [name, *(helper.calls if helper is not None else ())]
        if any("redirect" in last_name(c).lower() for c in calls):
            return True
    return False


def _decorator(ctx: FileContext, def_line: int, line: int) -> ast.Call | None:
    handler = ctx.functions().get(def_line)
    if handler is None:
        return None
    calls = [d for d in handler.decorator_list if isinstance(d, ast.Call) and d.lineno == line]
    return calls[0] if calls else None
