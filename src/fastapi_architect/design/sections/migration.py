"""Migration plan: the initial revision, step by step, and whether each step is safe online."""

from __future__ import annotations

from fastapi_architect.design.model import MigrationStep
from fastapi_architect.spec.model import ResolvedSpec


def migration(spec: ResolvedSpec) -> tuple[MigrationStep, ...]:
    steps: list[MigrationStep] = []

    def add(operation: str, target: str, detail: str, safe: bool, why: str) -> None:
        steps.append(
            MigrationStep(
                order=len(steps) + 1,
                operation=operation,
                target=target,
                detail=detail,
                online_safe=safe,
                why=why,
            )
        )

    for table in spec.tables:
        parts = [f"{len(table.columns)} columns", f"primary key ({', '.join(table.primary_key)})"]
        if table.foreign_keys:
            parts.append(
                "foreign keys "
                + ", ".join(
                    f"{k.column} -> {k.ref_table} ON DELETE {k.on_delete}"
                    for k in table.foreign_keys
                )
            )
        if table.checks:
            parts.append(f"{len(table.checks)} check constraints")
        add(
            "create table",
            table.name,
            "; ".join(parts),
            True,
            "a new table: no existing row is locked or rewritten",
        )
        for index in table.indexes:
            kind = "create unique index" if index.unique else "create index"
            detail = f"({', '.join(index.columns)})" + (
                f" WHERE {index.where}" if index.where else ""
            )
            add(
                kind,
                f"{index.name} on {table.name}",
                detail,
                True,
                "built on a new, empty table: instant; on a populated table it would need "
                "CREATE INDEX CONCURRENTLY",
            )
    add(
        "downgrade: drop tables",
        ", ".join(t.name for t in reversed(spec.tables)),
        "in reverse order of creation",
        False,
        "destroys every row: for a fresh environment only, never in production",
    )
    return tuple(steps)
