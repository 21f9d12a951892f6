"""FA405: a string column with no length."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule


class StringWithoutLength(Rule):
    """## What it does
    Reports a string column of a table model with no maximum length: a SQLModel `str`
    field without `max_length` (or with `sa_type=String` and no length),
    `Column(String)` without a length, or `mapped_column()` typed `str` with no
    `String(n)`.

    ## Why is this bad?
    The length limit is the input bound: without it a client can store megabytes in a
    name field. MySQL refuses `VARCHAR` without a length, and on PostgreSQL the
    migration autogenerates an unbounded column that no validation mirrors.

    ## Example
    ```python
    from sqlmodel import Field, SQLModel

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        title: str
    ```

    ## Use instead
    ```python
    from sqlmodel import Field, SQLModel

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        title: str = Field(max_length=200)
    ```

    ## Known problems
    Long free text belongs in `Text`, which is not reported. Any other explicit column
    type (`sa_type=`, `sa_column=`, a custom `TypeDecorator`, a type held in a variable)
    is taken as a deliberate choice and not reported either. A length checked only in
    the request schema is not seen.

    ## References
    - [SQLModel: Field](https://sqlmodel.tiangolo.com/)
    """

    id = "FA405"
    slug = "string-without-length"
    severity = Severity.INFO
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for cls in ctx.facts.classes:
            if not ctx.index.is_table_part(cls):
                continue
            for col in cls.columns:
                if col.is_string and not col.has_length and not col.foreign_key:
                    yield self.finding(
                        ctx,
                        (col.line, col.col, col.end_line, col.end_col),
                        f"string column {cls.name}.{col.name} has no maximum length",
                        "set `max_length=` (SQLModel) or `String(n)`; use `Text` for long text",
                    )
