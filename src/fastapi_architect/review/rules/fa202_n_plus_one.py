"""FA202: relationship access in a loop over query results (N+1)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.syntax import last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name, walk_body

QUERY_CALLS = frozenset({"all", "scalars", "exec", "execute", "query", "fetchall", "unique"})
EAGER = frozenset({"selectinload", "joinedload", "subqueryload", "contains_eager", "immediateload"})


ENTITY_CALLS = frozenset({"select", "query"})


def _all_assignments(fn: ast.AST) -> dict[str, list[ast.expr]]:
    """Every value assigned to each plain name in a function body (a query is often built
    in steps: `query = select(X)`, `query = query.where(...)`)."""
    out: dict[str, list[ast.expr]] = {}
    for node in walk_body(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            out.setdefault(node.target.id, []).append(node.value)
    return out


def _query_parts(node: ast.expr, assigned: dict[str, list[ast.expr]]) -> list[ast.expr]:
    """The loop's source and every value the names in it were built from."""
    out: list[ast.expr] = []
    todo, seen = [node], set()
    while todo and len(out) < 40:
        current = todo.pop()
        out.append(current)
        for sub in walk(current):
            if isinstance(sub, ast.Name) and sub.id not in seen and sub.id in assigned:
                seen.add(sub.id)
                todo.extend(assigned[sub.id])
    return out


def _is_query(parts: list[ast.expr]) -> bool:
    """A query that loads no relationship eagerly: one that does was written with its
    loading in mind (the loads may be built elsewhere, `.options(*loaders)`)."""
    calls = {last_name(call_name(n)) for p in parts for n in walk(p) if isinstance(n, ast.Call)}
    return bool(calls & QUERY_CALLS) and not calls & EAGER


def _eager_names(fn: ast.AST) -> set[str]:
    """Relationships the function loads eagerly: `selectinload(Task.owner)`,
    `joinedload(Task.owner).joinedload(User.team)`, `selectinload("owner")`."""
    out: set[str] = set()
    for node in walk_body(fn):
        if isinstance(node, ast.Call) and last_name(call_name(node)) in EAGER:
            for arg in node.args:
                if isinstance(arg, ast.Attribute):
                    out.add(arg.attr)
                elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    out.add(arg.value.rpartition(".")[2])
    return out


def _entities(ctx: FileContext, parts: list[ast.expr]) -> list[ClassFact]:
    """The table models a query selects (`select(Task)`, `session.query(Task)`), when every
    entity it names is a known table."""
    out: list[ClassFact] = []
    for part in parts:
        for node in walk(part):
            if not (
                isinstance(node, ast.Call)
                and last_name(call_name(node)) in ENTITY_CALLS
                and node.args
            ):
                continue
            for arg in node.args:
                table = ctx.index.table(ctx.qualify(arg)) if isinstance(arg, ast.Name) else None
                if table is None:
                    return []
                out.append(table)
    return out


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

    The query is followed through the local names it is built in (`query = select(Task)`,
    `query = query.where(...)`, `rows = session.scalars(query)`). A relationship loaded
    eagerly anywhere in the function (`selectinload(Task.owner)`, also chained), declared
    with `lazy="selectin"`, `"joined"`, `"raise"` or `"noload"`, or assigned rather than
    read (`task.owner = user`) is not reported.

    ## Known problems
    When the query selects known table models (`select(Task)`), only their relationships
    count; otherwise (rows from a helper, a column tuple) relationship names are matched
    across all table models, so an attribute that shares a relationship's name on an
    unrelated object can be reported. Comprehensions are not checked.

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
        # the loops of each function (not of the functions nested in it)
        loops: dict[int, tuple[ast.AST, list[ast.For | ast.AsyncFor]]] = {}
        every: list[ast.For | ast.AsyncFor] = [*ctx.of(ast.For), *ctx.of(ast.AsyncFor)]
        for node in every:
            scope = ctx.scope_of(node)
            if scope is not ctx.tree:
                loops.setdefault(id(scope), (scope, []))[1].append(node)
        for fn, fn_loops in loops.values():
            assigned: dict[str, list[ast.expr]] | None = None
            eager: set[str] | None = None
            for loop in fn_loops:
                if not isinstance(loop.target, ast.Name):
                    continue
                if assigned is None:
                    assigned = _all_assignments(fn)
                parts = _query_parts(loop.iter, assigned)
                if not _is_query(parts):
                    continue
                if eager is None:
                    eager = _eager_names(fn)
                lazy = relations - eager
                entities = _entities(ctx, parts)
                if entities:
                    # the rows are of known models: only their own lazy relationships load
                    lazy &= {
                        r.name for t in entities for r in ctx.index.all_relations(t) if not r.eager
                    }
                var = loop.target.id
                for stmt in loop.body:
                    hit = next(
                        (
                            n
                            for n in walk(stmt)
                            if isinstance(n, ast.Attribute)
                            and isinstance(n.value, ast.Name)
                            and n.value.id == var
                            and n.attr in lazy
                            # `row.owner = other` sets the relationship, it loads nothing
                            and not isinstance(n.ctx, ast.Store | ast.Del)
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
