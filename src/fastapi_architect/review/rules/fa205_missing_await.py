"""FA205: an AsyncSession method called without `await`."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.review.facts import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import awaited, walk_body

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
            sessions = {
                a.arg
                for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]
                if a.annotation is not None and self._async_session(ctx, a.annotation)
            }
            if not sessions:
                continue
            done = awaited(fn)
            passed = {
                id(arg) for node in walk_body(fn) if isinstance(node, ast.Call) for arg in node.args
            }
            for node in walk_body(fn):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in sessions
                    and node.func.attr in ASYNC_METHODS
                    and id(node) not in done
                    and id(node) not in passed
                ):
                    yield self.finding(
                        ctx,
                        node,
                        f"`{node.func.value.id}.{node.func.attr}()` is a coroutine and is "
                        "not awaited",
                        f"write `await {node.func.value.id}.{node.func.attr}(...)`",
                    )

    @staticmethod
    def _async_session(ctx: FileContext, annotation: ast.expr) -> bool:
        node = annotation
        if isinstance(node, ast.Subscript) and last_name(ctx.qualify(node.value)) == "Annotated":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            node = elts[0]
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
