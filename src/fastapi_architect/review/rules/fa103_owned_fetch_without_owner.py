"""FA103: an owned model fetched by id with no owner condition."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    auth_params,
    call_name,
    is_privileged,
    mentions,
    walk_body,
)


class OwnedFetchWithoutOwner(Rule):
    """## What it does
    In a route with an authenticated user, reports `session.get(Model, id)` (or a
    `select(Model)` filtered on its id) where `Model` has an owner column (`owner_id`,
    `user_id`, ...) and the handler never looks at that column.

    ## Why is this bad?
    Any logged-in user can fetch another user's row by guessing its id (IDOR, CWE-639).
    An owned row must be looked up together with its owner, and a row of another owner
    must be answered as a 404.

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(
        task_id: int, user=Depends(get_current_user), session: Session = Depends(get_session)
    ):
        return session.get(Task, task_id)
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends, HTTPException
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(
        task_id: int, user=Depends(get_current_user), session: Session = Depends(get_session)
    ):
        task = session.get(Task, task_id)
        if task is None or task.owner_id != user.id:
            raise HTTPException(status_code=404)
        return task
    ```

    ## Known problems
    Only fetches written in the handler itself are checked; when the handler passes the
    user to another function (a service or repository), the rule assumes that function
    filters and stays silent. Admin-, role- and scope-guarded routes are skipped.

    ## References
    - [OWASP API1:2023 Broken Object Level Authorization](https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/)
    - [CWE-639](https://cwe.mitre.org/data/definitions/639.html)
    """

    id = "FA103"
    slug = "owned-fetch-without-owner"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    cwe = 639

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            users = auth_params(ctx, route)
            handler = ctx.handler(route)
            if not users or handler is None or is_privileged(route):
                continue
            fetches: list[tuple[ast.Call, ClassFact, str]] = []
            delegated = False
            for node in walk_body(handler):
                if not isinstance(node, ast.Call):
                    continue
                hit = self._fetch(ctx, node)
                if hit is not None:
                    fetches.append((node, *hit))
                elif any(any(mentions(a, u) for u in users) for a in [*node.args, *node.keywords]):
                    delegated = True
            if delegated:
                continue
            for call, model, owner in fetches:
                if self._mentions_owner(handler, owner):
                    continue
                yield self.finding(
                    ctx,
                    call,
                    f"{model.name} is owned (`{owner}`) but is fetched by id with no owner "
                    "condition",
                    f"filter on `{model.name}.{owner} == {users[0]}.id` and answer 404 "
                    "when the row belongs to someone else",
                )

    @staticmethod
    def _mentions_owner(handler: ast.AST, owner: str) -> bool:
        for node in ast.walk(handler):
            if isinstance(node, ast.Attribute) and node.attr == owner:
                return True
            if isinstance(node, ast.keyword) and node.arg == owner:
                return True
            if isinstance(node, ast.Constant) and node.value == owner:
                return True
        return False

    @staticmethod
    def _fetch(ctx: FileContext, call: ast.Call) -> tuple[ClassFact, str] | None:
        name = call_name(call)
        if last_name(name) == "get" and len(call.args) >= 2 and "." in name:
            model = ctx.index.table(ctx.qualify(call.args[0]))
        elif last_name(name) in {"where", "filter", "filter_by"} and isinstance(
            call.func, ast.Attribute
        ):
            model = None
            for inner in ast.walk(call.func.value):
                if isinstance(inner, ast.Call) and last_name(call_name(inner)) in {
                    "select",
                    "query",
                }:
                    model = ctx.index.table(ctx.qualify(inner.args[0])) if inner.args else None
            if model is None or not any(
                isinstance(n, ast.Attribute) and n.attr == "id"
                for a in call.args
                for n in ast.walk(a)
            ):
                return None
        else:
            return None
        if model is None:
            return None
        owner = ctx.index.owner_column(model)
        return (model, owner) if owner is not None else None
