"""FA303: a verb in a REST path."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

VERB_SEGMENT = re.compile(
    r"^(get|create|delete|update|fetch|add|remove|list|edit|modify|insert|save)"
    r"([-_][A-Za-z0-9]+|[A-Z][A-Za-z0-9]*)?$"
)


class VerbInPath(Rule):
    """## What it does
    Reports a path segment that repeats what the HTTP method already says:
    `/getUsers`, `/create-task`, `/tasks/delete/{id}`, `/update`.

    ## Why is this bad?
    In REST the method is the verb and the path names the resource. Verbs in paths
    multiply endpoints (`/getTask`, `/fetchTask`), break caching and generated clients,
    and hide which operations exist on a resource.

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.post("/tasks/create")
    def create_task(payload: dict): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.post("/tasks", status_code=201)
    def create_task(payload: dict): ...
    ```

    ## Known problems
    Actions that are not CRUD (`/tasks/{id}/archive`, `/login`) are fine and not
    reported. A resource whose name starts with one of the verbs (`/updates`, `/listings`)
    is a noun and not reported.

    ## References
    - [Microsoft REST API guidelines](https://github.com/microsoft/api-guidelines)
    """

    id = "FA303"
    slug = "verb-in-path"
    severity = Severity.INFO
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            for segment in fact.path.split("/"):
                match = VERB_SEGMENT.match(segment)
                if match is None:
                    continue
                yield self.finding(
                    ctx,
                    (
                        fact.decorator_line,
                        fact.decorator_col,
                        fact.decorator_line,
                        fact.decorator_col,
                    ),
                    f"path segment `{segment}` is a verb; the method already says "
                    f"{'/'.join(fact.methods)}",
                    "name the resource and let the HTTP method carry the action "
                    "(POST /tasks, DELETE /tasks/{id})",
                )
                break
