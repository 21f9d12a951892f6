"""FA205: an AsyncSession method called without `await`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    awaited,
    method_call,
    params_typed,
    walk_body,
)

ASYNC_METHODS = frozenset(
    {
        "commit",
        "rollback",
        "execute",
        "exec",
        "scalar",
        "scalars",
        "get",
        "flush",
        "refresh",
        "delete",
        "merge",
        "close",
        "stream",
        "run_sync",
    }
)


class MissingAwait(Rule):
    """## What it does
    Reports a call of a coroutine method of an `AsyncSession` parameter (`commit`,
    `execute`, `get`, `refresh`, `delete`, ...) that is not awaited.

    ## Why is this bad?
    Without `await` the coroutine is created and dropped: the commit never happens, the
    query never runs, and Python only warns "coroutine was never awaited" in a log.

    ## Example
    ```python
    from sqlalchemy.ext.asyncio import AsyncSession

    async def save(session: AsyncSession, task) -> None:
        session.add(task)
        session.commit()
    ```

    ## Use instead
    ```python
    from sqlalchemy.ext.asyncio import AsyncSession

    async def save(session: AsyncSession, task) -> None:
        session.add(task)
        await session.commit()
    ```

    ## Known problems
    Only parameters annotated `AsyncSession` (directly, or through an `Annotated` alias
    defined in the project) are followed. A coroutine deliberately handed to
    `asyncio.gather` or `create_task` is passed, not called on its own, and is not reported.

    ## References
    - [SQLAlchemy: Asynchronous I/O](https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html)
    """

    id = "FA205"
    slug = "missing-await"
    severity = Severity.ERROR
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for fn in ctx.functions().values():
            if not isinstance(fn, ast.AsyncFunctionDef):
                continue
            sessions = params_typed(ctx, fn, lambda t: self._async_session(ctx, t))
            if not sessions:
                continue
            done = awaited(fn)
            passed = {
                id(arg) for node in walk_body(fn) if isinstance(node, ast.Call) for arg in node.args
            }
            for node in walk_body(fn):
                called = method_call(node, sessions, ASYNC_METHODS)
                if called is None or id(node) in done or id(node) in passed:
                    continue
                receiver, method = called
                yield self.finding(
                    ctx,
                    node,
                    f"`{receiver}.{method}()` is a coroutine and is not awaited",
                    f"write `await {receiver}.{method}(...)`",
                )

    @staticmethod
    def _async_session(ctx: FileContext, node: ast.expr) -> bool:
        if isinstance(node, ast.Name | ast.Attribute):
            if last_name(ctx.qualify(node)) == "AsyncSession":
                return True
            alias = ctx.index.alias(
                ctx.qualify(node)
                if "." in ctx.qualify(node)
                else f"{ctx.facts.module}.{ctx.qualify(node)}"
            )
            return alias is not None and last_name(alias.type_name) == "AsyncSession"
        return False
