"""FA501: a route handler that queries the database beside a service layer."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import walk_body

DB_METHODS = frozenset({"execute", "exec", "query", "scalars", "scalar", "add", "delete", "commit"})
SESSION_NAME = re.compile(r"^(db|session|db_session|sess|conn|connection)$")


class DbInHandler(Rule):
    """## What it does
    In a project that has a services or repositories layer, reports a route handler that
    calls the database session itself (`session.execute`, `db.query`, `session.add`,
    `commit`, ...).

    ## Why is this bad?
    Once a project has a layer for business rules and queries, a handler that bypasses it
    splits the same logic across two places: the owner filter, the soft-delete
    condition and the audit entry get applied in one and forgotten in the other.

    ## Example
    ```python
    # file: app/services/tasks.py
    def list_tasks(session):
        return session.query("Task").all()

    # file: app/api/tasks.py
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/tasks")
    def list_tasks(db):
        return db.query("Task").all()
    ```

    ## Use instead
    ```python
    # file: app/services/tasks.py
    def list_tasks(session):
        return session.query("Task").all()

    # file: app/api/tasks.py
    from fastapi import APIRouter

    from app.services import tasks

    router = APIRouter()

    @router.get("/tasks")
    def list_tasks(db):
        return tasks.list_tasks(db)
    ```

    ## Known problems
    The session is recognised by its parameter name (`db`, `session`, ...) or a
    `Session`/`AsyncSession` annotation. Projects without a services or repositories
    folder are not checked: handlers that query directly are fine in a small app.

    ## References
    - [FastAPI: Bigger Applications](https://fastapi.tiangolo.com/tutorial/bigger-applications/)
    """

    id = "FA501"
    slug = "db-in-handler"
    severity = Severity.INFO
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not (ctx.index.has_layer("services") or ctx.index.has_layer("repositories")):
            return
        for route in ctx.routes:
            sessions = {
                p.name
                for p in route.fact.params
                if SESSION_NAME.match(p.name) or "Session" in (p.annotation or "")
            }
            handler = ctx.handler(route)
            if not sessions or handler is None:
                continue
            calls = [
                node
                for node in walk_body(handler)
                if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in sessions
                and node.func.attr in DB_METHODS
            ]
            if calls:
                first = min(calls, key=lambda n: (n.lineno, n.col_offset))
                yield self.finding(
                    ctx,
                    first,
                    f"handler {route.fact.handler} queries the database itself "
                    "while the project has a service/repository layer",
                    "move the query into the repository (or service) and call it here",
                )
