"""FA201: a blocking call inside `async def`."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name, method_call, params_typed, walk_body

BLOCKING = {
    "time.sleep": "asyncio.sleep",
    "requests.get": "httpx.AsyncClient",
    "requests.post": "httpx.AsyncClient",
    "requests.put": "httpx.AsyncClient",
    "requests.patch": "httpx.AsyncClient",
    "requests.delete": "httpx.AsyncClient",
    "requests.head": "httpx.AsyncClient",
    "requests.request": "httpx.AsyncClient",
    "httpx.get": "httpx.AsyncClient",
    "httpx.post": "httpx.AsyncClient",
    "httpx.put": "httpx.AsyncClient",
    "httpx.patch": "httpx.AsyncClient",
    "httpx.delete": "httpx.AsyncClient",
    "httpx.request": "httpx.AsyncClient",
    "urllib.request.urlopen": "httpx.AsyncClient",
    "subprocess.run": "asyncio.create_subprocess_exec",
    "subprocess.call": "asyncio.create_subprocess_exec",
    "subprocess.check_call": "asyncio.create_subprocess_exec",
    "subprocess.check_output": "asyncio.create_subprocess_exec",
    "os.system": "asyncio.create_subprocess_shell",
}
SYNC_SESSION_METHODS = frozenset(
    {"query", "execute", "exec", "commit", "flush", "refresh", "scalars", "scalar", "get"}
)


class BlockingCallInAsync(Rule):
    """## What it does
    Reports, directly inside an `async def`, calls that block the thread: `time.sleep`,
    `requests.*`, sync `httpx.*`, `urllib.request.urlopen`, `subprocess.*`, `os.system`,
    and queries on a synchronous SQLAlchemy/SQLModel `Session` parameter.

    ## Why is this bad?
    An `async def` handler runs on the event loop. A blocking call stops every other
    request the worker is serving until it returns: one slow call, and latency climbs for
    everyone.

    ## Example
    ```python
    import time

    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/slow")
    async def slow() -> dict[str, str]:
        time.sleep(1)
        return {"status": "done"}
    ```

    ## Use instead
    ```python
    import asyncio

    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(1)
        return {"status": "done"}
    ```

    A synchronous session in a project whose only database URLs are SQLite's is
    information: an in-process database file blocks the loop only briefly.

    ## Known problems
    Blocking work hidden in another function that the handler calls is not followed.
    Calls in nested functions and lambdas (often handed to `run_in_threadpool`) are not
    reported. A blocking call in a start-up or shutdown hook (`@app.on_event(...)`, a
    function named for the lifespan, start-up, shutdown or migrations, or in a migrations
    module) is information: no request is being served while it runs.

    ## References
    - [FastAPI: Concurrency and async / await](https://fastapi.tiangolo.com/async/)
    """

    id = "FA201"
    slug = "blocking-call-in-async"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for fn in ctx.functions().values():
            if not isinstance(fn, ast.AsyncFunctionDef):
                continue
            sessions = params_typed(ctx, fn, lambda t: self._sync_session(ctx, t))
            # an awaited call returns a coroutine: whatever the annotation says, the
            # session is async (`session: Session` given an AsyncSession at run time)
            awaited = {id(n.value) for n in walk_body(fn) if isinstance(n, ast.Await)}
            # a start-up or shutdown hook runs while no request is served
            hook = _lifecycle_hook(fn) or bool(MIGRATIONS.search(ctx.path))
            for node in walk_body(fn):
                if not isinstance(node, ast.Call):
                    continue
                name = ctx.qualify(node.func)
                if name in BLOCKING:
                    yield self.finding(
                        ctx,
                        node,
                        f"`{name}()` blocks the event loop inside `async def {fn.name}`"
                        + (" (a start-up or shutdown hook)" if hook else ""),
                        f"use `{BLOCKING[name]}`, or make the function a plain `def` so "
                        "FastAPI runs it in a thread",
                        severity=Severity.INFO if hook else None,
                        confidence=Confidence.MEDIUM if hook else None,
                    )
                elif id(node) not in awaited and (
                    called := method_call(node, sessions, SYNC_SESSION_METHODS)
                ):
                    # an in-process SQLite file answers in microseconds: the loop
                    # stalls, but briefly
                    local = ctx.index.sqlite_only
                    yield self.finding(
                        ctx,
                        node,
                        f"synchronous `Session.{called[1]}()` inside `async def {fn.name}`"
                        + (" (SQLite)" if local else ""),
                        "use an AsyncSession (`await session.execute(...)`) or a plain `def`",
                        severity=Severity.INFO if local else None,
                        confidence=Confidence.MEDIUM if local else None,
                    )

    @staticmethod
    def _sync_session(ctx: FileContext, node: ast.expr) -> bool:
        name = ctx.qualify(node)
        return last_name(name) == "Session" and name.split(".")[0] in {
            "sqlalchemy",
            "sqlmodel",
        }


LIFECYCLE = re.compile(
    r"(^|_)(startup|start_up|shutdown|lifespan|teardown|migrate|migrations?)(_|$)"
)


MIGRATIONS = re.compile(r"(^|/)migrations?(/|\.py$)")


def _lifecycle_hook(fn: ast.AsyncFunctionDef) -> bool:
    """`@app.on_event("startup")`, `lifespan`, `cleanup_after_shutdown`, `migrate_db`: a
    function named or registered for the application's start or end."""
    if LIFECYCLE.search(fn.name.lower()):
        return True
    return any(
        isinstance(d, ast.Call) and last_name(call_name(d)) == "on_event" for d in fn.decorator_list
    )
