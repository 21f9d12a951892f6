"""FA401: a foreign key with no index."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.index import ProjectIndex
from fastapi_architect.review.fix import add_keyword
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import names_growing_data


class ForeignKeyWithoutIndex(Rule):
    """## What it does
    Reports a foreign-key column of a table model that is neither indexed, unique, part
    of the primary key, nor the first column of an index in `__table_args__`.

    ## Why is this bad?
    PostgreSQL and SQLite do not index foreign keys on their own. Every "tasks of this
    user" query and every delete of a parent row then scans the whole child table.

    ## Example
    ```python
    from sqlmodel import Field, SQLModel

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id")
    ```

    ## Use instead
    ```python
    from sqlmodel import Field, SQLModel

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)
    ```

    It is a warning when a query of the project filters on the column (`Model.column` in
    `where()`/`filter()`, or the column's name in `filter_by()`) and the referenced table
    is not an enum-like lookup table (at most three columns, none a foreign key);
    otherwise (a lookup table of a few rows, a parent rarely deleted) it is information
    only.

    ## Known problems
    Indexes created only in migrations are not seen; declare them on the model too so
    that the model and the database agree. How many rows a table holds is not known, so
    the rule reads it from the name: a warning when queries filter on the column and the
    table names data that grows with use (runs, messages, events, logs, jobs, items...),
    information otherwise (members, roles, projects, settings: tables that stay small,
    where the index may not pay for itself).

    ## References
    - [PostgreSQL: Foreign keys](https://www.postgresql.org/docs/current/ddl-constraints.html#DDL-CONSTRAINTS-FK)
    """

    id = "FA401"
    slug = "foreign-key-without-index"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        index = ctx.index
        for cls in ctx.facts.classes:
            if not index.is_table_part(cls):
                continue
            tables = [t for t in index.tables if cls in index.ancestors(t)]
            indexed = {name for t in tables for c in index.ancestors(t) for name in c.indexed}
            for col in cls.columns:
                if col.foreign_key is None or col.index or col.unique or col.primary_key:
                    continue
                if col.name in indexed:
                    continue
                # a lookup by the column scans the table; otherwise (a small lookup table,
                # a parent rarely deleted) the index may not pay for itself
                filtered = bool({f"{c.name}.{col.name}" for c in [cls, *tables]} & index.filtered)
                by_keyword = f"*.{col.name}" in index.filtered  # some table's column of that name
                # a lookup table of a few columns (`team(name)`, `status(id, label)`)
                # holds few rows: its deletes are rare and a join to it is cheap
                # and a table that grows with use (runs, messages, logs) makes every
                # delete of a parent and every listing under it a scan that keeps growing
                grows = names_growing_data(f"{cls.name} {cls.tablename or ''}") or any(
                    names_growing_data(f"{t.name} {t.tablename or ''}") for t in tables
                )
                loud = (
                    (filtered or by_keyword) and grows and not _lookup_table(index, col.foreign_key)
                )
                call = _column_call(ctx, col.line, col.col, col.end_line, col.end_col)
                edit = None if call is None else add_keyword(call, "index=True")
                yield self.finding(
                    ctx,
                    (col.line, col.col, col.end_line, col.end_col),
                    f"foreign key {cls.name}.{col.name} -> {col.foreign_key} has no index",
                    "add `index=True` to the column (and a migration creating the index)",
                    severity=None if loud else Severity.INFO,
                    confidence=None if loud else Confidence.LOW,
                    edits=() if edit is None else (edit,),
                )


def _lookup_table(index: ProjectIndex, foreign_key: str) -> bool:
    """The referenced table is enum-like: at most three columns, none a foreign key."""
    name = foreign_key.rpartition(".")[0] or foreign_key
    targets = [t for t in index.tables if name in {t.tablename, t.name}]
    if len(targets) != 1:
        return False
    columns = index.all_columns(targets[0])
    return 0 < len(columns) <= 3 and all(c.foreign_key is None for c in columns)


COLUMN_CALLS = frozenset({"Field", "mapped_column", "Column"})


def _column_call(
    ctx: FileContext, line: int, col: int, end_line: int, end_col: int
) -> ast.Call | None:
    """The outermost `Field(...)`, `mapped_column(...)` or `Column(...)` in the column's span."""
    for node in ctx.of(ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if isinstance(node.func, ast.Name):
            name = node.func.id
        start, end = (node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)
        if name in COLUMN_CALLS and (line, col) <= start and end <= (end_line, end_col):
            return node
    return None
