"""FA402: a default computed once at import time."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

DYNAMIC = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "uuid.uuid4",
        "uuid.uuid1",
    }
)
FIELD_CALLS = frozenset({"Field", "Column", "mapped_column", "Query", "Body", "Header"})


def _dynamic(ctx: FileContext, node: ast.expr | None) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    name = ctx.qualify(node.func)
    if name.startswith("datetime.") and name.count(".") == 1:
        name = f"datetime.{name}"
    return name if name in DYNAMIC else None


class DefaultEvaluatedOnce(Rule):
    """## What it does
    Reports `default=datetime.utcnow()` (or `now()`, `today()`, `uuid4()`, `time.time()`)
    given to `Field`/`Column`/`mapped_column`, used as a class-level field default, or as a
    function parameter default: the call runs once, at import.

    ## Why is this bad?
    Every row created by the process gets the same "now" (the time the module was
    imported), or the same "unique" id. The data looks fine in tests and is wrong in
    production.

    ## Example
    ```python
    from datetime import datetime

    from sqlmodel import Field, SQLModel

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        created_at: datetime = Field(default=datetime.utcnow())
    ```

    ## Use instead
    ```python
    from datetime import UTC, datetime

    from sqlmodel import Field, SQLModel

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    ```

    ## Known problems
    None known: the call is evaluated once by Python's semantics.

    ## References
    - [Pydantic: default_factory](https://docs.pydantic.dev/latest/concepts/fields/#default-values)
    """

    id = "FA402"
    slug = "default-evaluated-once"
    severity = Severity.ERROR
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.of(ast.Call, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
            candidates: list[ast.expr | None] = []
            if isinstance(node, ast.Call) and last_name(ctx.qualify(node.func)) in FIELD_CALLS:
                candidates.extend(
                    kw.value for kw in node.keywords if kw.arg in {"default", "server_default"}
                )
                if (
                    last_name(ctx.qualify(node.func)) in {"Field", "Query", "Body", "Header"}
                    and node.args
                ):
                    candidates.append(node.args[0])
            elif isinstance(node, ast.ClassDef):
                candidates.extend(s.value for s in node.body if isinstance(s, ast.AnnAssign))
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                candidates.extend(node.args.defaults)
                candidates.extend(node.args.kw_defaults)
            for value in candidates:
                name = _dynamic(ctx, value)
                if name is not None and value is not None:
                    yield self.finding(
                        ctx,
                        value,
                        f"`{name}()` is evaluated once, when the module is imported",
                        "pass the function instead: `default_factory=...` (Pydantic/SQLModel), "
                        "`default=func` (SQLAlchemy), or compute it in the function body",
                    )
