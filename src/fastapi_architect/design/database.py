"""The resolved spec's tables as SQLAlchemy metadata: the one description of the database
that migrations are rendered from and compared against."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from fastapi_architect.spec.columns import COLUMN_TYPES
from fastapi_architect.spec.model import Column, ResolvedSpec, Table


def to_metadata(spec: ResolvedSpec) -> sa.MetaData:
    """SQLAlchemy `MetaData` with every table, key, index and check of the spec."""
    metadata = sa.MetaData()
    for table in spec.tables:
        _table(metadata, table)
    return metadata


def _table(metadata: sa.MetaData, table: Table) -> sa.Table:
    elements: list[sa.schema.SchemaItem] = [_column(column) for column in table.columns]
    elements.append(sa.PrimaryKeyConstraint(*table.primary_key, name=f"pk_{table.name}"))
    elements.extend(
        sa.ForeignKeyConstraint(
            [key.column],
            [f"{key.ref_table}.{key.ref_column}"],
            name=key.name,
            ondelete=key.on_delete,
        )
        for key in table.foreign_keys
    )
    elements.extend(sa.CheckConstraint(check.sql, name=check.name) for check in table.checks)
    result = sa.Table(table.name, metadata, *elements)
    for index in table.indexes:
        where = sa.text(index.where) if index.where else None
        sa.Index(
            index.name,
            *(result.c[name] for name in index.columns),
            unique=index.unique,
            postgresql_where=where,
            sqlite_where=where,
        )
    return result


def column_type(column: Column) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type of a resolved column."""
    storage = COLUMN_TYPES[column.kind]
    type_: sa.types.TypeEngine[Any] = getattr(sa, storage.sa_name)(**storage.sa_arguments(column))
    return type_


def _column(column: Column) -> sa.Column[Any]:
    return sa.Column(
        column.name,
        column_type(column),
        nullable=column.nullable,
        autoincrement=column.primary_key and column.kind == "integer",
        comment=column.comment or None,
    )
