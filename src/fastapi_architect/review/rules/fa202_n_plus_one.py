"""FA202: relationship access in a loop over query results (N+1)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import assignments, call_name, walk_body

QUERY_CALLS = frozenset({"all", "scalars", "exec", "execute", "query", "fetchall", "unique"})
EAGER = frozenset({"selectinload", "joinedload", "subqueryload", "contains_eager", "immediateload"})


def _is_query(node: ast.expr) -> bool:
    calls = {last_name(call_name(n)) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return bool(calls & QUERY_CALLS) and not calls & EAGER


class NPlusOne(Rule):
    """## What it does
    Reports a `for` loop over query results whose body reads a lazy relationship of the
    loop variable (`task.owner`, `user.tasks`), when the query loads no relationship
    eagerly.

    ## Why is this bad?
    Each iteration issues one more query: a list of 100 rows costs 101 round trips. With
    an AsyncSession the lazy load raises `MissingGreenlet` instead.

    ## Example
    ```python
    from sqlmodel import Field, Relationship, SQLModel, select

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)
        owner: "User" = Relationship(back_populates="tasks")

    def emails(session) -> list[str]:
        out = []
        for task in session.exec(select(Task)).all():
            out.append(task.owner.email)
        return out
    ```

    ## Use instead
    ```python
    from sqlalchemy.orm import selectinload
    from sqlmodel import Field, Relationship, SQLModel, select

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)
        owner: "User" = Relationship(back_populates="tasks")

    def emails(session) -> list[str]:
        out = []
        for task in session.exec(select(Task).options(selectinload(Task.owner))).all():
            out.append(task.owner.email)
        return out
    ```

    ## Known problems
    Relationship names are matched across all table models, so an attribute that shares
    a relationship's name on an unrelated object can be reported. Relationships declared
    with `lazy="selectin"` or `"joined"` are never reported. Comprehensions are not checked.

    ## References
    - [SQLAlchemy: Relationship loading techniques](https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html)
    """

    id = "FA202"
    slug = "n-plus-one"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        relations = ctx.index.relation_names
        if not relations:
            return
        for fn in ctx.functions().values():
            assigned = assignments(fn)
            for loop in walk_body(fn):
                if not isinstance(loop, ast.For | ast.AsyncFor):
                    continue
                if not isinstance(loop.target, ast.Name):
                    continue
                source = loop.iter
                if isinstance(source, ast.Name):
                    source = assigned.get(source.id, source)
                if not _is_query(source):
                    continue
                var = loop.target.id
                for stmt in loop.body:
                    hit = next(
                        (
                            n
                            for n in ast.walk(stmt)
                            if isinstance(n, ast.Attribute)
                            and isinstance(n.value, ast.Name)
                            and n.value.id == var
                            and n.attr in relations
                        ),
                        None,
                    )
                    if hit is not None:
                        yield self.finding(
                            ctx,
                            hit,
                            f"`{var}.{hit.attr}` loads a relationship once per row of the query",
                            f"load it with the query: `.options(selectinload(Model.{hit.attr}))`",
                        )
                        break
