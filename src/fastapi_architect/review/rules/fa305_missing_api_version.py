"""FA305: an API with no version prefix."""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

VERSION = re.compile(r"/v\d+(\.\d+)?(/|$)|/api/\d+(/|$)")


class MissingApiVersion(Rule):
    """## What it does
    Reports an application none of whose mounted routes (at least three) carries a version
    segment such as `/v1` or `/api/v1`.

    ## Why is this bad?
    Without a version in the path, the first incompatible change breaks every client at
    once; with one, `/api/v2` can live beside `/api/v1` while clients move.

    ## Example
    ```python
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/tasks")
    def list_tasks(): ...

    @app.post("/tasks")
    def create_task(): ...

    @app.get("/tasks/{task_id}")
    def read_task(task_id: int): ...
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/api/v1/tasks")
    def list_tasks(): ...

    @app.post("/api/v1/tasks")
    def create_task(): ...

    @app.get("/api/v1/tasks/{task_id}")
    def read_task(task_id: int): ...
    ```

    ## Known problems
    Versioning by header or media type is not seen. When any route is mounted under a
    prefix computed at run time (`prefix=settings.api_prefix`), the version may be in it,
    and nothing is reported.

    ## References
    - [Microsoft REST API guidelines: versioning](https://github.com/microsoft/api-guidelines)
    """

    id = "FA305"
    slug = "missing-api-version"
    severity = Severity.INFO
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        apps = [r for r in ctx.facts.routers if r.kind == "app"]
        if not apps:
            return
        mounted = [r for r in ctx.index.routes if r.mounted]
        if len(mounted) < 3 or any(r.dynamic_prefix for r in mounted):
            return
        if any(VERSION.search(p) for r in mounted for p in r.full_paths):
            return
        for app in apps:
            yield self.finding(
                ctx,
                (app.line, app.col, app.line, app.col),
                f"none of the {len(mounted)} routes has a version prefix",
                'mount the API under a version: `app.include_router(api, prefix="/api/v1")`',
            )
