"""FA301: a POST that creates without answering 201."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

CREATE_HANDLER = re.compile(r"^(create|add|new|register|insert)(_|$)", re.IGNORECASE)


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

    ## Known problems
    A handler that sets the status on a `Response` it returns is recognised only when
    its body mentions 201. Handlers named otherwise are not checked.

    ## References
    - [RFC 9110, 201 Created](https://www.rfc-editor.org/rfc/rfc9110#name-201-created)
    """

    id = "FA301"
    slug = "create-without-201"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            if fact.methods != ("POST",) or fact.status_code is not None:
                continue
            if not CREATE_HANDLER.match(fact.handler):
                continue
            body = "\n".join(ctx.lines[fact.line - 1 : fact.end_line])
            if "201" in body:
                continue
            yield self.finding(
                ctx,
                (fact.decorator_line, fact.decorator_col, fact.decorator_line, fact.decorator_col),
                f"POST {route.full_path} creates a resource but answers 200",
                "add `status_code=status.HTTP_201_CREATED` (and a Location header)",
            )
