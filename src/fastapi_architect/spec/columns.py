"""Column kinds: how a column is stored, as SQL per dialect and as a SQLAlchemy type.

Several field types share a kind (email, url and enum values are stored as strings; see
`spec.types`), and the backend's own tables use the kinds directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from fastapi_architect.spec.model import Column

ColumnKind = Literal[
    "uuid", "integer", "float", "decimal", "boolean", "date", "datetime", "string", "text", "json"
]
Dialect = Literal["postgresql", "sqlite"]


@dataclass(frozen=True)
class ColumnType:
    """How a column kind is stored: its SQL per dialect and its SQLAlchemy type."""

    kind: ColumnKind
    postgresql: str  # `{length}`, `{precision}` and `{scale}` name the column's own
    sqlite: str
    sa_name: str  # the SQLAlchemy type class, `sa.<name>`
    sa_params: tuple[str, ...] = ()  # column attributes passed to it, by name
    sa_fixed: tuple[tuple[str, object], ...] = ()  # arguments every column of the kind passes
    # The generated models' type, when it differs from the migrations'.
    model_source: str | None = None
    # The SQL type caps a value's length (VARCHAR(n)); otherwise a check constraint does.
    bounds_length: bool = False

    def sa_arguments(self, column: Column) -> dict[str, object]:
        return {name: getattr(column, name) for name in self.sa_params} | dict(self.sa_fixed)

    def sa_source(self, column: Column) -> str:
        """The SQLAlchemy type as Python source, as migrations spell it."""
        arguments = ", ".join(f"{k}={v!r}" for k, v in self.sa_arguments(column).items())
        return f"sa.{self.sa_name}({arguments})"

    def model_type_source(self, column: Column) -> str:
        return self.model_source or self.sa_source(column)

    def sql(self, column: Column, dialect: Dialect = "postgresql") -> str:
        template = self.postgresql if dialect == "postgresql" else self.sqlite
        return template.format(length=column.length, precision=column.precision, scale=column.scale)


COLUMN_TYPES: dict[ColumnKind, ColumnType] = {
    column.kind: column
    for column in (
        ColumnType("uuid", "UUID", "CHAR(32)", "Uuid"),
        ColumnType("integer", "INTEGER", "INTEGER", "Integer"),
        ColumnType("float", "DOUBLE PRECISION", "DOUBLE", "Double"),
        ColumnType(
            "decimal",
            "NUMERIC({precision}, {scale})",
            "NUMERIC({precision}, {scale})",
            "Numeric",
            sa_params=("precision", "scale"),
        ),
        ColumnType("boolean", "BOOLEAN", "BOOLEAN", "Boolean"),
        ColumnType("date", "DATE", "DATE", "Date"),
        ColumnType(
            "datetime",
            "TIMESTAMP WITH TIME ZONE",
            "DATETIME",
            "DateTime",
            sa_fixed=(("timezone", True),),
            # Models read timestamps back as aware UTC datetimes on every database.
            model_source="UTCDateTime()",
        ),
        ColumnType(
            "string",
            "VARCHAR({length})",
            "VARCHAR({length})",
            "String",
            sa_params=("length",),
            bounds_length=True,
        ),
        ColumnType("text", "TEXT", "TEXT", "Text"),
        ColumnType("json", "JSON", "JSON", "JSON"),
    )
}
