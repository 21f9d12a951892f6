"""Migration operations: each plan step as the Alembic code that runs it, up and down, on
PostgreSQL and SQLite (batch mode) from one revision.

PostgreSQL gets the online recipes: constraints added NOT VALID then validated, indexes
built and dropped CONCURRENTLY outside the transaction, NOT NULL proven by a validated
check. SQLite has no concurrent writers to protect and rebuilds a table to change it."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass, field

from sqlalchemy.dialects import postgresql

from fastapi_architect.evolve.model import Step
from fastapi_architect.spec.columns import COLUMN_TYPES
from fastapi_architect.spec.model import CheckConstraint, Column, ForeignKey, Index, Scalar, Table
from fastapi_architect.spec.names import constraint_name


@dataclass
class Code:
    """Lines of a revision's `upgrade()` or `downgrade()` body.

    On PostgreSQL the body runs in two parts: the catalog changes in the migration's
    transaction, then, after it commits and releases its locks, the `online` statements
    one by one outside any transaction: backfills, validations (which then take no lock
    that blocks writes) and CONCURRENTLY index builds. SQLite runs everything in order."""

    lines: list[str] = field(default_factory=list)
    online_lines: list[str] = field(default_factory=list)
    # CONCURRENTLY index builds and drops, last: they wait for older transactions to end.
    concurrent_lines: list[str] = field(default_factory=list)
    # The revision defines `backfill()`, which a body calls.
    backfills: bool = False

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def per_dialect(self, postgresql: list[str], sqlite: list[str]) -> None:
        self.lines.append("if postgresql:")
        self.lines.extend(f"    {line}" for line in postgresql)
        if sqlite:
            self.lines.append("else:")
            self.lines.extend(f"    {line}" for line in sqlite)

    def online(
        self, postgresql: list[str], sqlite: list[str] | None = None, *, concurrent: bool = False
    ) -> None:
        """Statements PostgreSQL runs after the transaction (`concurrent`: after all the
        others); SQLite runs `sqlite` (by default the same statements) in order."""
        (self.concurrent_lines if concurrent else self.online_lines).extend(postgresql)
        sqlite = postgresql if sqlite is None else sqlite
        if sqlite:
            self.lines.append("if not postgresql:")
            self.lines.extend(f"    {line}" for line in sqlite)

    def body(self) -> list[str]:
        if not self.lines and not self.online_lines:
            return ["pass"]
        # Every body asks: the timeouts below are PostgreSQL's.
        head = [
            'postgresql = op.get_context().dialect.name == "postgresql"',
            "if postgresql:",
            "    # Fail fast rather than queue every query behind a lock this cannot get; the",
            "    # scans (validations, index builds) may take as long as the table needs.",
            f"    op.execute({LOCK_TIMEOUT!r})",
            '    op.execute("SET statement_timeout = 0")',
        ]
        online = list(self.online_lines)
        if self.concurrent_lines:
            online += [
                "# CONCURRENTLY waits for older transactions without blocking anyone: no timeout.",
                'op.execute("SET lock_timeout = 0")',
                *self.concurrent_lines,
            ]
        tail: list[str] = []
        if online:
            tail = [
                "if postgresql:",
                "    # Outside the transaction: no lock taken above is held while these run.",
                "    with op.get_context().autocommit_block():",
                *(f"        {line}" for line in online),
            ]
        return head + self.lines + tail


_PREPARER = postgresql.dialect().identifier_preparer  # type: ignore[no-untyped-call]
LOCK_TIMEOUT = "SET lock_timeout = '5s'"
# Long SQL is written as adjacent string pieces, so the formatter can keep lines short.
_PIECE = 60


def _q(name: str) -> str:
    """An identifier as PostgreSQL needs it: quoted only when it is a reserved word."""
    return str(_PREPARER.quote(name))


def literal(text: str) -> str:
    """A Python string literal of `text`, in adjacent pieces when it is long."""
    pieces: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if current and len(candidate) > _PIECE:
            pieces.append(current + " ")
            current = word
        else:
            current = candidate
    pieces.append(current)
    return " ".join(repr(piece) for piece in pieces)


def _sql(statement: str) -> str:
    return f"op.execute({literal(statement)})"


def sa_type(column: Column) -> str:
    return COLUMN_TYPES[column.kind].sa_source(column)


def column_source(column: Column, *, nullable: bool | None = None) -> str:
    allowed = column.nullable if nullable is None else nullable
    extra = ", autoincrement=True" if column.primary_key and column.kind == "integer" else ""
    return f"sa.Column({column.name!r}, {sa_type(column)}, nullable={allowed}{extra})"


def value_source(column: Column, value: Scalar) -> str:
    """A Python literal of `value` as the column's type reads it."""
    if column.kind == "decimal":
        return f"decimal.Decimal({str(decimal.Decimal(str(value)))!r})"
    if column.kind == "date":
        return f"dt.date.fromisoformat({dt.date.fromisoformat(str(value)).isoformat()!r})"
    if column.kind == "datetime":
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return f"dt.datetime.fromisoformat({parsed.isoformat()!r})"
    if column.kind == "uuid":
        return f"uuid.UUID({str(uuid.UUID(str(value)))!r})"
    return repr(value)


def server_default_source(column: Column, value: Scalar) -> str:
    """A column's server default: SQL that each database reads as `value`."""
    if isinstance(value, bool):
        return "sa.true()" if value else "sa.false()"
    if isinstance(value, int | float) or column.kind == "decimal":
        return f"sa.text({str(value)!r})"
    return repr(str(value))


def index_call(table: str, index: Index, *, concurrently: bool = False) -> str:
    columns = ", ".join(repr(c) for c in index.columns)
    text = f"op.create_index({index.name!r}, {table!r}, [{columns}], unique={index.unique}"
    if index.where:
        where = f"sa.text({literal(index.where)})"
        text += f", postgresql_where={where}, sqlite_where={where}"
    if concurrently:
        # After the drop of a failed build, IF NOT EXISTS only guards a rerun by hand.
        text += ", postgresql_concurrently=True, if_not_exists=True"
    return text + ")"


def drop_index_call(table: str, index: Index, *, concurrently: bool = False) -> str:
    extra = ", postgresql_concurrently=True, if_exists=True" if concurrently else ""
    return f"op.drop_index({index.name!r}, table_name={table!r}{extra})"


def _batch(table: str, lines: list[str]) -> list[str]:
    return [f"with op.batch_alter_table({table!r}) as batch:", *(f"    {line}" for line in lines)]


def _validate(code: Code, table: str, name: str) -> None:
    code.online([_sql(f"ALTER TABLE {_q(table)} VALIDATE CONSTRAINT {_q(name)}")], [])


def _add_check(code: Code, table: str, check: CheckConstraint) -> None:
    code.per_dialect(
        [
            _sql(
                f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(check.name)} CHECK ({check.sql}) "
                "NOT VALID"
            )
        ],
        _batch(table, [f"batch.create_check_constraint({check.name!r}, {literal(check.sql)})"]),
    )
    _validate(code, table, check.name)


def _drop_check(code: Code, table: str, check: CheckConstraint) -> None:
    code.per_dialect(
        [f"op.drop_constraint({check.name!r}, {table!r}, type_='check')"],
        _batch(table, [f"batch.drop_constraint({check.name!r}, type_='check')"]),
    )


def _add_foreign_key(code: Code, table: str, key: ForeignKey) -> None:
    code.per_dialect(
        [
            _sql(
                f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(key.name)} FOREIGN KEY "
                f"({_q(key.column)}) REFERENCES {_q(key.ref_table)} ({_q(key.ref_column)}) "
                f"ON DELETE {key.on_delete} NOT VALID"
            )
        ],
        _batch(
            table,
            [
                f"batch.create_foreign_key({key.name!r}, {key.ref_table!r}, [{key.column!r}], "
                f"[{key.ref_column!r}], ondelete={key.on_delete!r})"
            ],
        ),
    )
    _validate(code, table, key.name)


def _drop_foreign_key(code: Code, table: str, key: ForeignKey) -> None:
    code.per_dialect(
        [f"op.drop_constraint({key.name!r}, {table!r}, type_='foreignkey')"],
        _batch(table, [f"batch.drop_constraint({key.name!r}, type_='foreignkey')"]),
    )


def _add_index(code: Code, table: str, index: Index) -> None:
    # A build that failed leaves an INVALID index under the name: drop it, then build.
    code.online(
        [
            drop_index_call(table, index, concurrently=True),
            index_call(table, index, concurrently=True),
        ],
        [index_call(table, index)],
        concurrent=True,
    )


def _drop_index(code: Code, table: str, index: Index) -> None:
    code.online(
        [drop_index_call(table, index, concurrently=True)],
        [drop_index_call(table, index)],
        concurrent=True,
    )


def create_table_calls(table: Table) -> list[str]:
    """`op.create_table` and its indexes, as the first revision writes them."""
    lines = ["op.create_table(", f"    {table.name!r},"]
    lines += [f"    {column_source(c)}," for c in table.columns]
    primary = ", ".join(repr(c) for c in table.primary_key)
    lines.append(f"    sa.PrimaryKeyConstraint({primary}, name={'pk_' + table.name!r}),")
    for key in table.foreign_keys:
        lines.append(
            f"    sa.ForeignKeyConstraint([{key.column!r}], "
            f"[{f'{key.ref_table}.{key.ref_column}'!r}], name={key.name!r}, "
            f"ondelete={key.on_delete!r}),"
        )
    lines += [f"    sa.CheckConstraint({literal(c.sql)}, name={c.name!r})," for c in table.checks]
    lines.append(")")
    lines += [index_call(table.name, index) for index in table.indexes]
    return lines


# ---------------------------------------------------------------- operations


@dataclass(frozen=True)
class Operation:
    step: Step

    def upgrade(self, code: Code) -> None:
        raise NotImplementedError

    def downgrade(self, code: Code) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class CreateTable(Operation):
    table: Table

    def upgrade(self, code: Code) -> None:
        code.add(*create_table_calls(self.table))

    def downgrade(self, code: Code) -> None:
        code.add(f"op.drop_table({self.table.name!r})")


@dataclass(frozen=True)
class DropTable(Operation):
    table: Table

    def upgrade(self, code: Code) -> None:
        code.add(f"op.drop_table({self.table.name!r})")

    def downgrade(self, code: Code) -> None:
        code.add(*create_table_calls(self.table))


@dataclass(frozen=True)
class RenameTable(Operation):
    old: str
    new: str

    def upgrade(self, code: Code) -> None:
        code.add(f"op.rename_table({self.old!r}, {self.new!r})")

    def downgrade(self, code: Code) -> None:
        code.add(f"op.rename_table({self.new!r}, {self.old!r})")


@dataclass(frozen=True)
class RenameColumn(Operation):
    table: str
    old: str
    new: str

    @staticmethod
    def _rename(code: Code, table: str, old: str, new: str) -> None:
        # Both databases rename in place and rewrite the checks and indexes that name it.
        code.add(_sql(f"ALTER TABLE {_q(table)} RENAME COLUMN {_q(old)} TO {_q(new)}"))

    def upgrade(self, code: Code) -> None:
        self._rename(code, self.table, self.old, self.new)

    def downgrade(self, code: Code) -> None:
        self._rename(code, self.table, self.new, self.old)


@dataclass(frozen=True)
class RenameIndex(Operation):
    """An index named after a renamed table or column. Both directions run while the
    columns have their new names (the column and table renames come before it going up,
    after it going down), so SQLite rebuilds it from the new definition either way."""

    table: str
    old: Index
    new: Index

    def _rename(self, code: Code, before: str, after: str) -> None:
        current = self.new.model_copy(update={"name": before})
        code.per_dialect(
            [_sql(f"ALTER INDEX {_q(before)} RENAME TO {_q(after)}")],
            [
                drop_index_call(self.table, current),
                index_call(self.table, self.new.model_copy(update={"name": after})),
            ],
        )

    def upgrade(self, code: Code) -> None:
        self._rename(code, self.old.name, self.new.name)

    def downgrade(self, code: Code) -> None:
        self._rename(code, self.new.name, self.old.name)


@dataclass(frozen=True)
class RenameConstraint(Operation):
    """A check or foreign key named after a renamed table or column; rebuilt on SQLite from
    the new definition, as RenameIndex is."""

    table: str
    old: CheckConstraint | ForeignKey
    new: CheckConstraint | ForeignKey

    def _rename(self, code: Code, before: str, after: str) -> None:
        new = self.new
        sqlite: list[str] = [f"batch.drop_constraint({before!r}, type_={_kind(new)!r})"]
        if isinstance(new, CheckConstraint):
            sqlite.append(f"batch.create_check_constraint({after!r}, {literal(new.sql)})")
        else:
            sqlite.append(
                f"batch.create_foreign_key({after!r}, {new.ref_table!r}, [{new.column!r}], "
                f"[{new.ref_column!r}], ondelete={new.on_delete!r})"
            )
        code.per_dialect(
            [_sql(f"ALTER TABLE {_q(self.table)} RENAME CONSTRAINT {_q(before)} TO {_q(after)}")],
            _batch(self.table, sqlite),
        )

    def upgrade(self, code: Code) -> None:
        self._rename(code, self.old.name, self.new.name)

    def downgrade(self, code: Code) -> None:
        self._rename(code, self.new.name, self.old.name)


def _kind(constraint: CheckConstraint | ForeignKey) -> str:
    return "check" if isinstance(constraint, CheckConstraint) else "foreignkey"


@dataclass(frozen=True)
class AddColumn(Operation):
    table: str
    column: Column
    # A constant every existing row takes (and rows inserted by code that does not know the
    # column yet); PostgreSQL 11+ and SQLite keep it in the catalog, without a rewrite.
    server_default: Scalar | None = None

    def upgrade(self, code: Code) -> None:
        if self.server_default is None:
            code.add(f"op.add_column({self.table!r}, {column_source(self.column)})")
            return
        default = server_default_source(self.column, self.server_default)
        source = column_source(self.column).removesuffix(")")
        code.add(f"op.add_column({self.table!r}, {source}, server_default={default}))")

    def downgrade(self, code: Code) -> None:
        code.add(*_batch(self.table, [f"batch.drop_column({self.column.name!r})"]))


@dataclass(frozen=True)
class DropColumn(Operation):
    table: str
    column: Column

    def upgrade(self, code: Code) -> None:
        code.add(*_batch(self.table, [f"batch.drop_column({self.column.name!r})"]))

    def downgrade(self, code: Code) -> None:
        # The values are gone: the column comes back empty, so it must allow NULL.
        code.add(f"op.add_column({self.table!r}, {column_source(self.column, nullable=True)})")


@dataclass(frozen=True)
class FillColumn(Operation):
    """Existing rows get a value (None: refused, nothing is written)."""

    table: str
    column: Column
    value: Scalar | None
    # The table's primary key, which the backfill walks in batches.
    key: str = "id"

    def call(self) -> str:
        """The revision's call that fills the rows (the value is known: not refused)."""
        assert self.value is not None
        return (
            f"backfill({self.table!r}, {self.key!r}, sa.Column({self.column.name!r}, "
            f"{sa_type(self.column)}), {value_source(self.column, self.value)})"
        )

    def upgrade(self, code: Code) -> None:
        if self.value is None:
            return
        code.backfills = True
        code.online([self.call()])

    def downgrade(self, code: Code) -> None:
        """Filled values stay: they are valid for the column either way."""


def _set_not_null(code: Code, table: str, column: Column, refill: str | None = None) -> None:
    """NOT NULL proven by a validated check, not by a scan under an exclusive lock.

    The check comes after the backfill, since a NOT VALID check still refuses an update of
    a row that breaks it; `refill` then fills the rows written NULL meanwhile (by code that
    does not set the column yet), which the check keeps out from then on."""
    name = column.name
    check = constraint_name("ck", table, name, "not_null")
    code.online(
        [
            _sql(
                f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(check)} CHECK ({_q(name)} IS NOT "
                "NULL) NOT VALID"
            ),
            *([refill] if refill else []),
            _sql(f"ALTER TABLE {_q(table)} VALIDATE CONSTRAINT {_q(check)}"),
            _sql(f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(name)} SET NOT NULL"),
            _sql(f"ALTER TABLE {_q(table)} DROP CONSTRAINT IF EXISTS {_q(check)}"),
        ],
        _batch(
            table,
            [f"batch.alter_column({name!r}, existing_type={sa_type(column)}, nullable=False)"],
        ),
    )


def _drop_not_null(code: Code, table: str, column: Column) -> None:
    code.add(
        *_batch(
            table,
            [
                f"batch.alter_column({column.name!r}, existing_type={sa_type(column)}, "
                "nullable=True)"
            ],
        )
    )


@dataclass(frozen=True)
class SetNotNull(Operation):
    table: str
    column: Column
    # The backfill that ran before it, run again once the check holds (None: no backfill).
    backfill: FillColumn | None = None

    def upgrade(self, code: Code) -> None:
        refill = self.backfill.call() if self.backfill is not None else None
        _set_not_null(code, self.table, self.column, refill)

    def downgrade(self, code: Code) -> None:
        _drop_not_null(code, self.table, self.column)


@dataclass(frozen=True)
class DropNotNull(Operation):
    table: str
    column: Column

    def upgrade(self, code: Code) -> None:
        _drop_not_null(code, self.table, self.column)

    def downgrade(self, code: Code) -> None:
        _set_not_null(code, self.table, self.column)


@dataclass(frozen=True)
class AlterType(Operation):
    table: str
    before: Column
    after: Column

    @staticmethod
    def _alter(code: Code, table: str, before: Column, after: Column) -> None:
        code.add(
            *_batch(
                table,
                [
                    f"batch.alter_column({after.name!r}, existing_type={sa_type(before)}, "
                    f"type_={sa_type(after)}, existing_nullable={after.nullable})"
                ],
            )
        )

    def upgrade(self, code: Code) -> None:
        self._alter(code, self.table, self.before, self.after)

    def downgrade(self, code: Code) -> None:
        self._alter(code, self.table, self.after, self.before)


@dataclass(frozen=True)
class AddIndex(Operation):
    table: str
    index: Index
    # The definition it replaces under the same name, dropped first.
    replaces: Index | None = None

    def upgrade(self, code: Code) -> None:
        if self.replaces is not None:
            _drop_index(code, self.table, self.replaces)
        _add_index(code, self.table, self.index)

    def downgrade(self, code: Code) -> None:
        _drop_index(code, self.table, self.index)
        if self.replaces is not None:
            _add_index(code, self.table, self.replaces)


@dataclass(frozen=True)
class DropIndex(Operation):
    table: str
    index: Index

    def upgrade(self, code: Code) -> None:
        _drop_index(code, self.table, self.index)

    def downgrade(self, code: Code) -> None:
        _add_index(code, self.table, self.index)


@dataclass(frozen=True)
class AddCheck(Operation):
    table: str
    check: CheckConstraint
    # The definition it replaces under the same name, dropped first.
    replaces: CheckConstraint | None = None

    def upgrade(self, code: Code) -> None:
        if self.replaces is not None:
            _drop_check(code, self.table, self.replaces)
        _add_check(code, self.table, self.check)

    def downgrade(self, code: Code) -> None:
        _drop_check(code, self.table, self.check)
        if self.replaces is not None:
            _add_check(code, self.table, self.replaces)


@dataclass(frozen=True)
class DropCheck(Operation):
    table: str
    check: CheckConstraint

    def upgrade(self, code: Code) -> None:
        _drop_check(code, self.table, self.check)

    def downgrade(self, code: Code) -> None:
        _add_check(code, self.table, self.check)


@dataclass(frozen=True)
class AddForeignKey(Operation):
    table: str
    key: ForeignKey
    # The definition it replaces under the same name, dropped first.
    replaces: ForeignKey | None = None

    def upgrade(self, code: Code) -> None:
        if self.replaces is not None:
            _drop_foreign_key(code, self.table, self.replaces)
        _add_foreign_key(code, self.table, self.key)

    def downgrade(self, code: Code) -> None:
        _drop_foreign_key(code, self.table, self.key)
        if self.replaces is not None:
            _add_foreign_key(code, self.table, self.replaces)


@dataclass(frozen=True)
class DropForeignKey(Operation):
    table: str
    key: ForeignKey

    def upgrade(self, code: Code) -> None:
        _drop_foreign_key(code, self.table, self.key)

    def downgrade(self, code: Code) -> None:
        _add_foreign_key(code, self.table, self.key)
