"""Plan a spec change: the schema steps between two resolved specs, in a safe order, each
classified, with the API impact beside them.

Tables and columns are matched by name after the renames the new spec declares
(`renamed_from`); indexes, checks and foreign keys by what they are (columns, condition,
target), so that a rename carries its constraints along instead of rebuilding them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from fastapi_architect.evolve.model import Plan, Safety, Step
from fastapi_architect.evolve.operations import (
    AddCheck,
    AddColumn,
    AddForeignKey,
    AddIndex,
    AlterType,
    CreateTable,
    DropCheck,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropNotNull,
    DropTable,
    FillColumn,
    Operation,
    RenameColumn,
    RenameConstraint,
    RenameIndex,
    RenameTable,
    SetNotNull,
)
from fastapi_architect.spec import SpecError
from fastapi_architect.spec.loader import check_text_located
from fastapi_architect.spec.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    ResolvedField,
    ResolvedSpec,
    Resource,
    Scalar,
    Table,
)
from fastapi_architect.spec.problems import Location, Problem
from fastapi_architect.spec.source import DocPath, SourceMap
from fastapi_architect.spec.types import lossless

Side = str  # "old" or "new"
T = TypeVar("T", Index, CheckConstraint, ForeignKey)
Locator = Callable[[Side, DocPath], Location | None]


def _nowhere(side: Side, path: DocPath) -> Location | None:
    return None


@dataclass
class _Renames:
    tables: dict[str, str] = field(default_factory=dict)  # old table -> new table
    # (new table, old column) -> new column
    columns: dict[tuple[str, str], str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)  # refusals found while reading them

    def column(self, new_table: str, old_column: str) -> str:
        return self.columns.get((new_table, old_column), old_column)

    def sql(self, new_table: str, old_table: str, text: str) -> str:
        """A check's condition with the old column names replaced by the new ones."""
        for (table, old), new in self.columns.items():
            if table == new_table:
                text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        return text


def plan_change(
    old_text: str, new_text: str, *, old_file: str = "<old>", new_file: str = "<new>"
) -> Plan:
    """The plan between two spec texts; SpecError when either has problems."""
    return plan_with_operations(old_text, new_text, old_file=old_file, new_file=new_file).plan


@dataclass(frozen=True)
class Change:
    """A spec change: both specs resolved, the plan, and the operations that carry it out."""

    old: ResolvedSpec
    new: ResolvedSpec
    plan: Plan
    operations: tuple[Operation, ...]


def plan_with_operations(
    old_text: str, new_text: str, *, old_file: str = "<old>", new_file: str = "<new>"
) -> Change:
    """The change between two spec texts; SpecError lists the problems of either."""
    specs: dict[Side, ResolvedSpec] = {}
    sources: dict[Side, SourceMap] = {}
    problems: list[Problem] = []
    for side, text, file in (("old", old_text, old_file), ("new", new_text, new_file)):
        result, source = check_text_located(text, file)
        problems += result.problems
        if result.spec is not None and not result.problems:
            specs[side], sources[side] = result.spec, source
    if problems or len(specs) != 2:
        raise SpecError(tuple(problems))

    def locate(side: Side, path: DocPath) -> Location | None:
        try:
            return sources[side].key(path)
        except (KeyError, IndexError, TypeError):
            return None

    plan, ops = operations(specs["old"], specs["new"], locate=locate)
    return Change(old=specs["old"], new=specs["new"], plan=plan, operations=ops)


def plan_specs(old: ResolvedSpec, new: ResolvedSpec, *, locate: Locator = _nowhere) -> Plan:
    """The plan between two resolved specs."""
    return operations(old, new, locate=locate)[0]


def operations(
    old: ResolvedSpec, new: ResolvedSpec, *, locate: Locator = _nowhere
) -> tuple[Plan, tuple[Operation, ...]]:
    """The plan and the migration operations that carry it out, in the order they run."""
    from fastapi_architect.evolve.api import api_changes

    planner = _Planner(old, new, locate)
    ops = planner.run()
    plan = Plan(
        steps=tuple(op.step for op in ops) + tuple(planner.renames.steps),
        api=api_changes(old, new),
        notes=tuple(planner.notes),
    )
    return plan, ops


# Operations run in this order: what frees names and loosens constraints first, new
# structure next, data and tightening after it, and the index builds that must leave the
# transaction (CONCURRENTLY) last.
_ORDER: tuple[type[Operation], ...] = (
    RenameTable,
    RenameColumn,
    RenameIndex,
    RenameConstraint,
    DropForeignKey,
    DropIndex,
    DropCheck,
    DropNotNull,
    CreateTable,
    AddColumn,
    AlterType,
    FillColumn,
    SetNotNull,
    AddCheck,
    AddForeignKey,
    DropColumn,
    DropTable,
    AddIndex,
)


class _Planner:
    def __init__(self, old: ResolvedSpec, new: ResolvedSpec, locate: Locator) -> None:
        self.old, self.new, self.locate = old, new, locate
        self.old_tables = {table.name: table for table in old.tables}
        self.new_tables = {table.name: table for table in new.tables}
        self.old_by_table = {r.table: r for r in old.resources}
        self.new_by_table = {r.table: r for r in new.resources}
        self.renames = _Renames()
        self.notes: list[str] = []
        self.ops: list[Operation] = []

    # ------------------------------------------------------------ entry

    def run(self) -> tuple[Operation, ...]:
        self._read_renames()
        self._switches()
        mapped = {self.renames.tables.get(name, name): name for name in self.old_tables}
        for name, table in self.new_tables.items():
            old_name = mapped.get(name)
            if old_name is None:
                self.ops.append(CreateTable(self._step_table(table, "create-table"), table))
                continue
            old_table = self.old_tables[old_name]
            if old_name != name:
                self.ops.append(
                    RenameTable(self._rename_table_step(old_table, table), old_name, name)
                )
            self._columns(old_table, table)
            self._constraints(old_table, table)
        for old_name, table in self.old_tables.items():
            if self.renames.tables.get(old_name, old_name) not in self.new_tables:
                self.ops.append(DropTable(self._step_table(table, "drop-table"), table))
        rank = {kind: position for position, kind in enumerate(_ORDER)}
        return tuple(sorted(self.ops, key=lambda op: rank[type(op)]))

    # ------------------------------------------------------------ renames and switches

    def _read_renames(self) -> None:
        old_resources = {r.name: r for r in self.old.resources}
        new_names = {r.name for r in self.new.resources}
        for resource in self.new.resources:
            previous = resource.renamed_from
            old_resource = old_resources.get(resource.name)
            if previous is not None and old_resource is None:
                if previous not in old_resources:
                    self._refuse_rename(
                        resource.name,
                        ("resources", resource.name, "renamed_from"),
                        f"resource {resource.name} is renamed from {previous}, which the "
                        "previous spec does not have",
                        "remove renamed_from, or name a resource of the previous spec",
                    )
                    continue
                if previous in new_names:
                    self._refuse_rename(
                        resource.name,
                        ("resources", resource.name, "renamed_from"),
                        f"resource {resource.name} is renamed from {previous}, which the new "
                        "spec still has",
                        f"rename or remove the other {previous}",
                    )
                    continue
                old_resource = old_resources[previous]
                self.renames.tables[old_resource.table] = resource.table
            if old_resource is not None:
                self._field_renames(old_resource, resource)
                self._association_renames(old_resource, resource)
        # A table renamed without a resource rename (an explicit `table:` change) is a new
        # table to the plan: only `renamed_from` says that rows move.

    def _association_renames(self, old: Resource, new: Resource) -> None:
        """A many-to-many link's table and key columns are named after its resources: a
        rename of either renames them too."""
        old_links = {r.name: r for r in old.relations}
        for relation in new.relations:
            before = old_links.get(relation.name)
            if before is None or not (before.association_table and relation.association_table):
                continue
            table = relation.association_table
            if before.association_table != table:
                self.renames.tables[before.association_table] = table
            for previous, column in zip(
                before.association_columns or (), relation.association_columns or (), strict=True
            ):
                if previous != column:
                    self.renames.columns[(table, previous)] = column

    def _field_renames(self, old: Resource, new: Resource) -> None:
        old_names = {item.name for item in old.fields}
        new_names = {item.name for item in new.fields}
        for item in new.fields:
            previous = item.renamed_from
            if previous is None or item.name in old_names:
                continue  # no rename, or one an earlier change already made
            path = ("resources", new.name, "fields", item.name, "renamed_from")
            if previous not in old_names:
                self._refuse_rename(
                    f"{new.name}.{item.name}",
                    path,
                    f"field {new.name}.{item.name} is renamed from {previous}, which "
                    f"{old.name} does not have in the previous spec",
                    f"remove renamed_from, or name one of: {', '.join(sorted(old_names))}",
                )
            elif previous in new_names:
                self._refuse_rename(
                    f"{new.name}.{item.name}",
                    path,
                    f"field {new.name}.{item.name} is renamed from {previous}, which the new "
                    "spec still has",
                    f"remove the field {previous}, or drop renamed_from",
                )
            else:
                self.renames.columns[(new.table, previous)] = item.name

    def _refuse_rename(self, subject: str, path: DocPath, message: str, hint: str) -> None:
        self.renames.steps.append(
            Step(
                id="rename-unknown",
                table="",
                subject=subject,
                safety=Safety.SAFE,
                reason=message,
                recipe="nothing: the rename cannot be made",
                cause=message,
                location=self.locate("new", path),
                refused=message,
                hint=hint,
            )
        )

    def _switches(self) -> None:
        old_resources = {r.name: r for r in self.old.resources}
        for resource in self.new.resources:
            before = old_resources.get(resource.renamed_from or resource.name) or (
                old_resources.get(resource.name)
            )
            if before is None:
                continue
            for switch in ("owned", "soft_delete", "audit"):
                was, now = getattr(before, switch), getattr(resource, switch)
                if was != now:
                    state = "on" if now else "off"
                    self.notes.append(f"{switch} switched {state} for {resource.name}")

    # ------------------------------------------------------------ columns

    def _columns(self, old_table: Table, table: Table) -> None:
        old_columns = {self.renames.column(table.name, c.name): c for c in old_table.columns}
        for column in table.columns:
            before = old_columns.get(column.name)
            if before is None:
                self._add_column(table, column)
                continue
            if before.name != column.name:
                self.ops.append(
                    RenameColumn(
                        self._rename_column_step(table, before, column),
                        table.name,
                        before.name,
                        column.name,
                    )
                )
            self._change_column(table, before, column)
        new_names = {c.name for c in table.columns}
        for name, column in old_columns.items():
            if name not in new_names:
                self.ops.append(
                    DropColumn(self._drop_column_step(old_table, column), table.name, column)
                )

    def _add_column(self, table: Table, column: Column) -> None:
        if column.nullable:
            step = self._column_step(
                table,
                column,
                "add-column",
                Safety.SAFE,
                reason="a nullable column without a stored default is a catalog change only",
                recipe="ADD COLUMN ... NULL",
                cause_verb="added",
            )
            self.ops.append(AddColumn(step, table.name, column))
            return
        item = self._field(self.new_by_table, table.name, column.name)
        # A column no field declares (the audit log's channel) fills with its own default.
        value = _fill_value(item) if item is not None else column.default
        if value is None:
            self._refuse_fill(table, column, item, "added as required")
            return
        source = "backfill" if item is not None and item.backfill is not None else "default"
        owner = "field" if item is not None else "column"
        step = self._column_step(
            table,
            column,
            "add-required-column",
            Safety.SAFE,
            reason=f"existing rows take {_sql_literal(value)} (the {owner}'s {source}) from a "
            "constant server default, which PostgreSQL 11+ and SQLite keep in the catalog: no "
            "rewrite, no scan; the default stays, so that code still running the previous "
            "version inserts valid rows",
            recipe=f"ADD COLUMN ... NOT NULL DEFAULT {_sql_literal(value)}",
            cause_verb="added",
        )
        self.ops.append(AddColumn(step, table.name, column, value))

    def _refuse_fill(
        self, table: Table, column: Column, item: ResolvedField | None, how: str
    ) -> None:
        subject = f"column {table.name}.{column.name}"
        what = f"field {self._field_name(table, column)}" if item else subject
        hint = (
            "add `default:` or `backfill:` to the field"
            if item is not None
            else "make it optional first (required: false), fill it, then make it required"
        )
        self.ops.append(
            FillColumn(
                Step(
                    id="backfill-missing",
                    table=table.name,
                    subject=subject,
                    safety=Safety.BACKFILL,
                    reason=f"existing rows have no value for {subject}",
                    recipe="nothing: no value is known for existing rows",
                    cause=f"{what} {how}",
                    location=self._field_location(table, column, "new"),
                    refused=f"{what} is {how}, but existing rows have no value for it",
                    hint=hint,
                ),
                table.name,
                column,
                None,
            )
        )

    def _fill_and_tighten(self, table: Table, column: Column, how: str) -> None:
        """Rows holding NULL get the field's backfill (or default), then NOT NULL is set
        without a long lock."""
        item = self._field(self.new_by_table, table.name, column.name)
        value = _fill_value(item)
        subject = f"column {table.name}.{column.name}"
        if value is None:
            self._refuse_fill(table, column, item, how)
            return
        source = "backfill" if item is not None and item.backfill is not None else "default"
        fill = FillColumn(
            Step(
                id="backfill-column",
                table=table.name,
                subject=subject,
                safety=Safety.BACKFILL,
                reason=f"every row holding NULL is written once (SET {column.name} = "
                f"{_sql_literal(value)}, the field's {source}) after the schema change "
                "commits, in batches of rows in key order, each locked until its batch "
                "commits",
                recipe=f"UPDATE {table.name} SET {column.name} = {_sql_literal(value)} "
                f"WHERE {column.name} IS NULL, in batches",
                cause=f"field {self._field_name(table, column)} {how}",
                location=self._field_location(table, column, "new"),
            ),
            table.name,
            column,
            value,
            key=table.primary_key[0],
        )
        self.ops.append(fill)
        self.ops.append(
            SetNotNull(
                Step(
                    id="set-not-null",
                    table=table.name,
                    subject=subject,
                    safety=Safety.SAFE,
                    reason="PostgreSQL proves NOT NULL from a validated CHECK instead of "
                    "scanning the table under an exclusive lock; SQLite rebuilds the table "
                    "(batch mode)",
                    recipe=f"CHECK ({column.name} IS NOT NULL) NOT VALID, the backfill again "
                    "for rows written NULL meanwhile, VALIDATE, SET NOT NULL, DROP CHECK",
                    cause=f"field {self._field_name(table, column)} {how}",
                    location=self._field_location(table, column, "new"),
                ),
                table.name,
                column,
                fill,
            )
        )

    def _change_column(self, table: Table, before: Column, column: Column) -> None:
        shape = ("kind", "length", "precision", "scale")
        if any(getattr(before, key) != getattr(column, key) for key in shape):
            self._alter_type(table, before, column)
        if before.nullable and not column.nullable:
            self._fill_and_tighten(table, column, "made required")
        elif column.nullable and not before.nullable:
            step = self._column_step(
                table,
                column,
                "drop-not-null",
                Safety.SAFE,
                reason="dropping NOT NULL is a catalog change only",
                recipe="ALTER COLUMN ... DROP NOT NULL",
                cause_verb="made optional",
            )
            self.ops.append(DropNotNull(step, table.name, column))
        if before.default != column.default or before.default_factory != column.default_factory:
            self.notes.append(
                f"default of {table.name}.{column.name} changed: applied by the application "
                "on new rows, no migration step"
            )

    def _alter_type(self, table: Table, before: Column, column: Column) -> None:
        old_item = self._field(self.old_by_table, self._old_table_name(table.name), before.name)
        new_item = self._field(self.new_by_table, table.name, column.name)
        safe = (
            old_item is not None and new_item is not None and lossless(old_item, new_item)
        ) or _wider(before, column)
        subject = f"column {table.name}.{column.name}"
        change = f"{before.sql_type} to {column.sql_type}"
        if before.sql_type == column.sql_type:
            return  # same storage (e.g. a string type becoming email): nothing to migrate
        if safe and _wider(before, column):
            step = Step(
                id="alter-column-type",
                table=table.name,
                subject=subject,
                safety=Safety.SAFE,
                reason=f"{change} keeps every value and PostgreSQL changes the catalog only, "
                "without rewriting the table",
                recipe=f"ALTER COLUMN ... TYPE {column.sql_type}",
                cause=f"field {self._field_name(table, column)} type changed",
                location=self._field_location(table, column, "new"),
            )
        else:
            why = (
                "rewrites the whole table under an exclusive lock"
                if safe
                else "may fail, or change values, for rows that exist"
            )
            step = Step(
                id="alter-column-type",
                table=table.name,
                subject=subject,
                safety=Safety.LOCK if safe else Safety.DATA_LOSS,
                reason=f"changing {change} {why}",
                recipe="nothing: refused",
                cause=f"field {self._field_name(table, column)} type changed",
                location=self._field_location(table, column, "new"),
                refused=f"changing {subject} from {change} {why}",
                hint="add a new field, copy the values in a data migration of your own, then "
                "remove the old field",
            )
        self.ops.append(AlterType(step, table.name, before, column))

    # ------------------------------------------------------------ indexes and constraints

    def _constraints(self, old_table: Table, table: Table) -> None:
        def index_key(index: Index, renamed: bool) -> tuple[object, ...]:
            columns = index.columns
            if renamed:
                columns = tuple(self.renames.column(table.name, c) for c in columns)
            return (columns, index.unique, index.where)

        def check_key(check: CheckConstraint, renamed: bool) -> str:
            return self.renames.sql(table.name, old_table.name, check.sql) if renamed else check.sql

        def key_key(key: ForeignKey, renamed: bool) -> tuple[object, ...]:
            if not renamed:
                return (key.column, key.ref_table, key.ref_column, key.on_delete)
            return (
                self.renames.column(table.name, key.column),
                self.renames.tables.get(key.ref_table, key.ref_table),
                key.ref_column,
                key.on_delete,
            )

        self._match(
            table,
            old_table.indexes,
            table.indexes,
            index_key,
            rename=lambda a, b: RenameIndex(
                self._named_step(table, "rename-index", a.name, b.name), table.name, a, b
            ),
            add=lambda b, replaced: AddIndex(self._index_step(table, b), table.name, b, replaced),
            drop=lambda a: DropIndex(self._drop_index_step(table, a), table.name, a),
        )
        self._match(
            table,
            old_table.checks,
            table.checks,
            check_key,
            rename=lambda a, b: RenameConstraint(
                self._named_step(table, "rename-constraint", a.name, b.name), table.name, a, b
            ),
            add=lambda b, replaced: AddCheck(
                self._check_step(table, b, replaced), table.name, b, replaced
            ),
            drop=lambda a: DropCheck(self._drop_check_step(table, a), table.name, a),
        )
        self._match(
            table,
            old_table.foreign_keys,
            table.foreign_keys,
            key_key,
            rename=lambda a, b: RenameConstraint(
                self._named_step(table, "rename-constraint", a.name, b.name), table.name, a, b
            ),
            add=lambda b, replaced: AddForeignKey(
                self._foreign_key_step(table, b, replaced), table.name, b, replaced
            ),
            drop=lambda a: DropForeignKey(self._drop_foreign_key_step(table, a), table.name, a),
        )

    def _match(
        self,
        table: Table,
        before: Iterable[T],
        after: Iterable[T],
        key: Callable[[T, bool], object],
        *,
        rename: Callable[[T, T], Operation],
        add: Callable[[T, T | None], Operation],
        drop: Callable[[T], Operation],
    ) -> None:
        """Pair old and new items by what they are; an item whose definition changed under
        the same name is replaced in one step (dropped and added back together)."""
        remaining = {key(item, True): item for item in before}
        added: list[T] = []
        for item in after:
            previous = remaining.pop(key(item, False), None)
            if previous is None:
                added.append(item)
            elif previous.name != item.name:
                self.ops.append(rename(previous, item))
        by_name = {item.name: item for item in remaining.values()}
        for item in added:
            self.ops.append(add(item, by_name.pop(item.name, None)))
        for item in by_name.values():
            self.ops.append(drop(item))

    # ------------------------------------------------------------ what a step is about

    def _old_table_name(self, new_table: str) -> str:
        for old, new in self.renames.tables.items():
            if new == new_table:
                return old
        return new_table

    @staticmethod
    def _field(by_table: dict[str, Resource], table: str, column: str) -> ResolvedField | None:
        resource = by_table.get(table)
        if resource is None:
            return None
        for item in resource.fields:
            if item.name == column and not item.implicit:
                return item
        return None

    def _about(self, table: str, column: str, side: Side) -> tuple[str, DocPath | None]:
        """What a column is in the spec (`field Note.title`), and where the spec says so."""
        by_table = self.new_by_table if side == "new" else self.old_by_table
        resource = by_table.get(table)
        if resource is None:
            return f"column {table}.{column}", None
        for item in resource.fields:
            if item.name == column and not item.implicit:
                return f"field {resource.name}.{column}", (
                    "resources",
                    resource.name,
                    "fields",
                    column,
                )
        for relation in resource.relations:
            if relation.column == column:
                return f"relation {resource.name}.{relation.name}", (
                    "resources",
                    resource.name,
                    "relations",
                    relation.name,
                )
        switch = {"owner_id": "owned", "deleted_at": "soft_delete"}.get(column)
        if switch:
            return f"{switch} of {resource.name}", ("resources", resource.name, switch)
        return f"column {table}.{column}", ("resources", resource.name)

    def _field_name(self, table: Table, column: Column) -> str:
        return self._about(table.name, column.name, "new")[0].split(" ", 1)[1]

    def _field_location(self, table: Table, column: Column, side: Side) -> Location | None:
        path = self._about(table.name, column.name, side)[1]
        return self.locate(side, path) if path else None

    def _table_about(self, table: Table, side: Side) -> tuple[str, DocPath | None]:
        by_table = self.new_by_table if side == "new" else self.old_by_table
        resources = self.new.resources if side == "new" else self.old.resources
        resource = by_table.get(table.name)
        if resource is not None:
            return f"resource {resource.name}", ("resources", resource.name)
        for owner in resources:
            for relation in owner.relations:
                if relation.association_table == table.name:
                    return f"many-to-many relation {owner.name}.{relation.name}", (
                        "resources",
                        owner.name,
                        "relations",
                        relation.name,
                    )
        if table.name == "audit_log":
            return "the audit log (audit: true on a resource)", None
        return f"table {table.name}", None

    # ------------------------------------------------------------ steps

    def _step_table(self, table: Table, kind: str) -> Step:
        side = "new" if kind == "create-table" else "old"
        what, path = self._table_about(table, side)
        location = self.locate(side, path) if path else None
        if kind == "create-table":
            return Step(
                id=kind,
                table=table.name,
                subject=f"table {table.name}",
                safety=Safety.SAFE,
                reason="a new table holds no rows: creating it and its indexes locks nothing "
                "that is in use",
                recipe="CREATE TABLE with its keys, checks and indexes",
                cause=f"{what} added",
                location=location,
            )
        return Step(
            id=kind,
            table=table.name,
            subject=f"table {table.name}",
            safety=Safety.DATA_LOSS,
            reason=f"every row of {table.name} is deleted for good",
            recipe="DROP TABLE (downgrade recreates it empty)",
            cause=f"{what} removed",
            location=location,
            refused=f"dropping table {table.name} loses its rows",
            hint="pass --allow-data-loss to drop it, or keep it in the spec",
            reversible=False,
        )

    def _rename_table_step(self, old_table: Table, table: Table) -> Step:
        what, path = self._table_about(table, "new")
        return Step(
            id="rename-table",
            table=table.name,
            subject=f"table {old_table.name} to {table.name}",
            safety=Safety.SAFE,
            reason="a rename is a catalog change: rows stay where they are",
            recipe="ALTER TABLE ... RENAME TO",
            cause=f"{what} renamed from {self._old_name(old_table)}",
            location=self.locate("new", path) if path else None,
        )

    def _old_name(self, old_table: Table) -> str:
        resource = self.old_by_table.get(old_table.name)
        return resource.name if resource else old_table.name

    def _rename_column_step(self, table: Table, before: Column, column: Column) -> Step:
        return Step(
            id="rename-column",
            table=table.name,
            subject=f"column {table.name}.{before.name} to {column.name}",
            safety=Safety.SAFE,
            reason="a rename is a catalog change: every value stays",
            recipe="ALTER TABLE ... RENAME COLUMN",
            cause=f"{self._about(table.name, column.name, 'new')[0]} renamed from {before.name}",
            location=self._field_location(table, column, "new"),
        )

    def _drop_column_step(self, old_table: Table, column: Column) -> Step:
        what, path = self._about(old_table.name, column.name, "old")
        subject = f"column {old_table.name}.{column.name}"
        return Step(
            id="drop-column",
            table=old_table.name,
            subject=subject,
            safety=Safety.DATA_LOSS,
            reason=f"every value of {subject} is deleted for good",
            recipe="DROP COLUMN (downgrade adds it back, empty)",
            cause=f"{what} removed",
            location=self.locate("old", path) if path else None,
            refused=f"dropping {subject} loses its values",
            hint="pass --allow-data-loss to drop it, or keep the field (a rename keeps values: "
            "renamed_from)",
            reversible=False,
        )

    def _column_step(
        self,
        table: Table,
        column: Column,
        kind: str,
        safety: Safety,
        *,
        reason: str,
        recipe: str,
        cause_verb: str,
    ) -> Step:
        what = self._about(table.name, column.name, "new")[0]
        return Step(
            id=kind,
            table=table.name,
            subject=f"column {table.name}.{column.name}",
            safety=safety,
            reason=reason,
            recipe=recipe,
            cause=f"{what} {cause_verb}",
            location=self._field_location(table, column, "new"),
        )

    def _named_step(self, table: Table, kind: str, old: str, new: str) -> Step:
        noun = "index" if kind == "rename-index" else "constraint"
        renamed = [
            f"{self._old_name_of(table)}.{before} to {after}"
            for (name, before), after in self.renames.columns.items()
            if name == table.name
        ]
        if self._old_table_name(table.name) != table.name:
            renamed.insert(0, f"table {self._old_table_name(table.name)} to {table.name}")
        return Step(
            id=kind,
            table=table.name,
            subject=f"{noun} {old} to {new}",
            safety=Safety.SAFE,
            reason="a rename is a catalog change",
            recipe="ALTER INDEX ... RENAME TO"
            if kind == "rename-index"
            else "ALTER TABLE ... RENAME CONSTRAINT",
            cause=f"its name follows what it covers, renamed: {', '.join(renamed)}",
        )

    def _old_name_of(self, table: Table) -> str:
        resource = self.new_by_table.get(table.name)
        return resource.name if resource else table.name

    def _index_step(self, table: Table, index: Index) -> Step:
        # The column the index is for: owned resources' indexes lead with owner_id.
        column = index.columns[-2] if index.columns[-1] == "id" else index.columns[-1]
        what, path = self._about(table.name, column, "new")
        resource = self.new_by_table.get(table.name)
        if resource is not None and index.purpose.startswith("filter by"):
            path = ("resources", resource.name, "filters")
        unique = "unique " if index.unique else ""
        reason = (
            "built CONCURRENTLY on PostgreSQL: writes go on while it builds (outside the "
            "migration's transaction)"
        )
        if index.unique:
            reason += "; the build fails if existing rows hold duplicates"
        return Step(
            id="add-unique-index" if index.unique else "add-index",
            table=table.name,
            subject=f"{unique}index {index.name}",
            safety=Safety.SAFE,
            reason=reason,
            recipe="CREATE INDEX CONCURRENTLY (PostgreSQL), CREATE INDEX (SQLite)",
            cause=f"{what}: {index.purpose}" if index.purpose else what,
            location=self.locate("new", path) if path else None,
        )

    def _drop_index_step(self, table: Table, index: Index) -> Step:
        return Step(
            id="drop-index",
            table=table.name,
            subject=f"index {index.name}",
            safety=Safety.SAFE,
            reason="dropped CONCURRENTLY on PostgreSQL: no lock that blocks queries; no data "
            "is lost",
            recipe="DROP INDEX CONCURRENTLY (PostgreSQL), DROP INDEX (SQLite)",
            cause=f"{index.purpose or 'index'} no longer needed",
        )

    def _check_step(
        self, table: Table, check: CheckConstraint, replaced: CheckConstraint | None
    ) -> Step:
        column = check.name.removeprefix(f"ck_{table.name}_").rsplit("_", 1)[0]
        what, path = self._about(table.name, column, "new")
        cause = f"{what}: {check.purpose or check.sql}"
        kind = "add-check"
        reason = (
            "added NOT VALID, then validated: PostgreSQL checks existing rows without "
            "blocking writes; validation fails if a row breaks it"
        )
        if replaced is not None and check.name.endswith("_values"):
            old_values, new_values = _listed(replaced.sql), _listed(check.sql)
            added, removed = new_values - old_values, old_values - new_values
            kind = "enum-values-removed" if removed else "enum-values-added"
            cause = f"{what}: values " + ", ".join(
                part
                for part in (
                    f"added {', '.join(sorted(added))}" if added else "",
                    f"removed {', '.join(sorted(removed))}" if removed else "",
                )
                if part
            )
            reason = (
                "the check is replaced without rewriting the table: added NOT VALID, then "
                "validated without blocking writes"
            )
            if removed:
                reason += "; validation fails while rows hold a removed value"
        return Step(
            id=kind,
            table=table.name,
            subject=f"check {check.name}",
            safety=Safety.SAFE,
            reason=reason,
            recipe="ADD CONSTRAINT ... CHECK NOT VALID, VALIDATE CONSTRAINT (PostgreSQL); "
            "batch mode (SQLite)",
            cause=cause,
            location=self.locate("new", path) if path else None,
        )

    def _drop_check_step(self, table: Table, check: CheckConstraint) -> Step:
        return Step(
            id="drop-check",
            table=table.name,
            subject=f"check {check.name}",
            safety=Safety.SAFE,
            reason="dropping a check loosens what rows may hold; no data is lost",
            recipe="DROP CONSTRAINT (PostgreSQL); batch mode (SQLite)",
            cause=f"{check.purpose or check.sql} no longer required",
        )

    def _foreign_key_step(self, table: Table, key: ForeignKey, replaced: ForeignKey | None) -> Step:
        what, path = self._about(table.name, key.column, "new")
        cause = f"{what} to {key.ref_table} (ON DELETE {key.on_delete})"
        if replaced is not None and replaced.on_delete != key.on_delete:
            cause = f"{what}: on_delete {replaced.on_delete} to {key.on_delete}"
        return Step(
            id="add-foreign-key" if replaced is None else "change-on-delete",
            table=table.name,
            subject=f"foreign key {key.name}",
            safety=Safety.SAFE,
            reason="added NOT VALID, then validated: existing rows are checked without "
            "blocking writes to either table",
            recipe="ADD CONSTRAINT ... FOREIGN KEY NOT VALID, VALIDATE CONSTRAINT "
            "(PostgreSQL); batch mode (SQLite)",
            cause=cause,
            location=self.locate("new", path) if path else None,
        )

    def _drop_foreign_key_step(self, table: Table, key: ForeignKey) -> Step:
        return Step(
            id="drop-foreign-key",
            table=table.name,
            subject=f"foreign key {key.name}",
            safety=Safety.SAFE,
            reason="dropping a foreign key loses no data",
            recipe="DROP CONSTRAINT (PostgreSQL); batch mode (SQLite)",
            cause=f"link from {table.name}.{key.column} to {key.ref_table} changed or removed",
        )


def _fill_value(item: ResolvedField | None) -> Scalar | None:
    if item is None:
        return None
    if item.backfill is not None:
        return item.backfill
    return item.default


def _sql_literal(value: Scalar) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _listed(sql: str) -> set[str]:
    """The quoted values of an `x IN ('a', 'b')` check."""
    return set(re.findall(r"'((?:[^']|'')*)'", sql))


def _wider(before: Column, after: Column) -> bool:
    """A storage change that keeps every value: longer text, more digits."""
    if before.kind == "string" and after.kind == "text":
        return True
    if before.kind == after.kind == "string":
        return (before.length or 0) <= (after.length or 0)
    if before.kind == after.kind == "decimal":
        return before.scale == after.scale and (before.precision or 0) <= (after.precision or 0)
    return False


__all__ = ["Change", "Locator", "operations", "plan_change", "plan_specs", "plan_with_operations"]
