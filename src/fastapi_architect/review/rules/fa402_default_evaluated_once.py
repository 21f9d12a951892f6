"""FA402: a default computed once at import time."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, last_name
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
CLOCKS = frozenset(last_name(name) for name in DYNAMIC)
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
    given to `Field`/`Column`/`mapped_column` (or as `onupdate=`), used as a class-level
    field default, or as a function parameter default: the call runs once, at import.

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
    The call is evaluated once by Python's semantics; what the rule weighs is whether the
    frozen value is ever stored. For a field of a class it is an error when some place in
    the project creates the class (or a class built on it) without setting the field,
    information when every such place sets it or hands the new instance to a helper that
    may (the default is dead today, and a trap tomorrow), and a warning when the project
    never shows the class being created.
    A frozen `onupdate=` is a warning (it is stored by every update that leaves the
    column out, if any does); a function parameter's default is always an error.

    ## References
    - [Pydantic: default_factory](https://docs.pydantic.dev/latest/concepts/fields/#default-values)
    """

    id = "FA402"
    slug = "default-evaluated-once"
    severity = Severity.ERROR
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not any(last_name(dotted(c.func)) in CLOCKS for c in ctx.of(ast.Call)):
            return  # no clock or id call in the file: nothing to evaluate once
        fields = _class_fields(ctx)
        for node in ctx.of(ast.Call, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
            candidates: list[ast.expr | None] = []
            if isinstance(node, ast.Call) and last_name(ctx.qualify(node.func)) in FIELD_CALLS:
                candidates.extend(
                    kw.value
                    for kw in node.keywords
                    if kw.arg in {"default", "server_default", "onupdate"}
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
                if name is None or value is None:
                    continue
                message = f"`{name}()` is evaluated once, when the module is imported"
                severity, confidence = Severity.ERROR, Confidence.HIGH
                field = fields.get(id(value))
                if _is_onupdate(node, value):
                    # stored by every update that does not set the column itself; whether
                    # any does is more than the model shows
                    severity, confidence = Severity.WARNING, Confidence.MEDIUM
                    message += ", and stored by every update that leaves the column out"
                elif field is not None:
                    severity, confidence, seen = _evidence(ctx, *field)
                    message += seen
                yield self.finding(
                    ctx,
                    value,
                    message,
                    "pass the function instead: `default_factory=...` (Pydantic/SQLModel), "
                    "`default=func` (SQLAlchemy), or compute it in the function body",
                    severity=severity,
                    confidence=confidence,
                )


def _is_onupdate(node: ast.AST, value: ast.expr) -> bool:
    return isinstance(node, ast.Call) and any(
        kw.arg == "onupdate" and kw.value is value for kw in node.keywords
    )


def _class_fields(ctx: FileContext) -> dict[int, tuple[ast.ClassDef, str]]:
    """Each default given in a class body, by node id: the class and the field it is for."""
    out: dict[int, tuple[ast.ClassDef, str]] = {}
    for cls in ctx.of(ast.ClassDef):
        for stmt in cls.body:
            targets: list[ast.expr]
            if isinstance(stmt, ast.AnnAssign):
                targets, value = [stmt.target], stmt.value
            elif isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            else:
                continue
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if value is None or len(names) != 1:
                continue
            out[id(value)] = (cls, names[0])
            if isinstance(value, ast.Call):
                for arg in [*value.args[:1], *(kw.value for kw in value.keywords)]:
                    out[id(arg)] = (cls, names[0])
    return out


def _evidence(ctx: FileContext, cls: ast.ClassDef, field: str) -> tuple[Severity, Confidence, str]:
    """How sure the frozen default is used: an error when some place creates the class
    without setting the field, information when every place sets it (or hands the new
    instance to a helper that may), a warning when the project never shows it created."""
    fact = next((c for c in ctx.facts.classes if c.line == cls.lineno), None)
    made = ctx.index.constructions(fact) if fact is not None else []
    for path, line, given in made:
        if given is not None and field not in given:
            return (
                Severity.ERROR,
                Confidence.HIGH,
                f"; `{cls.name}(...)` at {path}:{line} leaves `{field}` to it",
            )
    if made:
        return (
            Severity.INFO,
            Confidence.MEDIUM,
            f"; every `{cls.name}(...)` in the project sets `{field}` today, or hands the "
            "instance to code that may",
        )
    return Severity.WARNING, Confidence.MEDIUM, ""
