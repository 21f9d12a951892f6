"""Database: each table of the spec as the document shows it."""

from __future__ import annotations

from fastapi_architect.design.model import (
    CheckDesign,
    ColumnDesign,
    ForeignKeyDesign,
    IndexDesign,
    TableDesign,
)
from fastapi_architect.spec.model import Column, Table


def _column_default(column: Column) -> str | None:
    if column.default_factory == "now":
        return "now (set by the application)"
    if column.default_factory == "uuid4":
        return "a new UUID (set by the application)"
    if column.default is None:
        return None
    if isinstance(column.default, bool):
        return "true" if column.default else "false"
    return str(column.default)


def table_design(table: Table) -> TableDesign:
    unique = {i.columns[0] for i in table.indexes if i.unique and len(i.columns) == 1}
    columns = tuple(
        ColumnDesign(
            name=column.name,
            type=column.sql_type,
            nullable=column.nullable,
            default=_column_default(column),
            primary_key=column.primary_key,
            unique=column.name in unique,
            comment=" ".join(
                part
                for part in (
                    column.comment,
                    "Set to now on every update." if column.on_update_now else "",
                )
                if part
            ),
        )
        for column in table.columns
    )
    return TableDesign(
        name=table.name,
        kind=table.kind,
        resource=table.resource,
        columns=columns,
        primary_key=table.primary_key,
        foreign_keys=tuple(
            ForeignKeyDesign(
                name=key.name,
                column=key.column,
                ref_table=key.ref_table,
                ref_column=key.ref_column,
                on_delete=key.on_delete,
            )
            for key in table.foreign_keys
        ),
        indexes=tuple(
            IndexDesign(
                name=index.name,
                columns=index.columns,
                unique=index.unique,
                where=index.where,
                purpose=index.purpose,
            )
            for index in table.indexes
        ),
        checks=tuple(
            CheckDesign(name=check.name, sql=check.sql, purpose=check.purpose)
            for check in table.checks
        ),
    )
