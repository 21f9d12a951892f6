"""The database tables of a resolved spec: columns, keys, indexes and check constraints."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fastapi_architect.spec.columns import COLUMN_TYPES
from fastapi_architect.spec.model import (
    Api,
    Auth,
    CheckConstraint,
    Column,
    ColumnKind,
    ForeignKey,
    ForeignKeyAction,
    Index,
    ResolvedField,
    ResolvedRelation,
    Resource,
    Table,
)
from fastapi_architect.spec.names import constraint_name
from fastapi_architect.spec.numbers import format_number
from fastapi_architect.spec.types import FIELD_TYPES


def build_tables(auth: Auth, api: Api, resources: Sequence[Resource]) -> list[Table]:
    """Every table the backend needs, in a stable order: resources, associations, system."""
    return _Tables(api, auth, list(resources)).build()


class _Tables:
    """Builds the database tables, keys, indexes and checks of the resolved resources."""

    def __init__(self, api: Api, auth: Auth, resources: list[Resource]) -> None:
        self.api = api
        self.auth = auth
        self.resources = resources
        self.by_name = {resource.name: resource for resource in resources}
        self.id_kind: ColumnKind = "uuid" if api.ids == "uuid" else "integer"

    def build(self) -> list[Table]:
        tables = [self.resource_table(resource) for resource in self.resources]
        for resource in self.resources:
            for relation in resource.relations:
                # The side whose name the association table carries creates it.
                if relation.association_table == f"{resource.singular}_{relation.name}":
                    tables.append(self.association_table(resource, relation))
        if self.auth.mode == "builtin":
            tables.append(self.refresh_tokens())
        if any(resource.audit for resource in self.resources):
            tables.append(self.audit_log())
        if any(resource.ai for resource in self.resources):
            tables += [self.ai_usage(), self.ai_budgets()]
        return tables

    def ai_usage(self) -> Table:
        """One row per AI call: who, what, which provider, tokens, time and outcome."""
        name = "ai_usage"
        outcomes = ("ok", "cached", "invalid_output", "unavailable", "cancelled")

        def text(column: str, length: int, comment: str, *, nullable: bool = False) -> Column:
            return Column(
                name=column, kind="string", length=length, nullable=nullable, comment=comment
            )

        def count(column: str, comment: str) -> Column:
            return Column(name=column, kind="integer", nullable=False, default=0, comment=comment)

        columns = [
            self.primary_key(),
            self.key_column("user_id", nullable=False, comment="Who asked."),
            text("action", 100, "Resource and action, e.g. Task.summarize."),
            text("resource_id", 64, "The row the action ran on."),
            text("provider", 50, "The provider that answered.", nullable=True),
            text("model", 100, "The model that answered.", nullable=True),
            count("prompt_tokens", "Tokens sent."),
            count("completion_tokens", "Tokens received."),
            count("latency_ms", "Time to the whole answer, in milliseconds."),
            Column(
                name="cache_hit",
                kind="boolean",
                nullable=False,
                default=False,
                comment="Answered from the cache, no provider called.",
            ),
            text("outcome", 20, "ok, cached, invalid_output, unavailable or cancelled."),
            Column(
                name="created_at",
                kind="datetime",
                nullable=False,
                default_factory="now",
                comment="When.",
            ),
        ]
        return Table(
            name=name,
            kind="system",
            resource=None,
            columns=tuple(columns),
            primary_key=("id",),
            foreign_keys=(_fk(name, "user_id", "users", "CASCADE"),),
            indexes=(
                Index(
                    name=constraint_name("ix", name, "user_id", "created_at", "id"),
                    columns=("user_id", "created_at", "id"),
                    purpose="a user's calls, newest first",
                ),
                Index(
                    name=constraint_name("ix", name, "created_at", "id"),
                    columns=("created_at", "id"),
                    purpose="everyone's calls, newest first (administrators)",
                ),
            ),
            checks=(_values_check(name, "outcome", outcomes),),
        )

    def ai_budgets(self) -> Table:
        """Tokens each user has spent or holds for calls under way, per UTC day: one row
        updated atomically, so that concurrent calls cannot overspend."""
        name = "ai_budgets"
        return Table(
            name=name,
            kind="system",
            resource=None,
            columns=(
                Column(
                    name="user_id",
                    kind=self.id_kind,
                    nullable=False,
                    primary_key=True,
                    comment="Whose budget.",
                ),
                Column(
                    name="day",
                    kind="date",
                    nullable=False,
                    primary_key=True,
                    comment="The UTC day.",
                ),
                Column(
                    name="tokens",
                    kind="integer",
                    nullable=False,
                    default=0,
                    comment="Tokens spent, plus the most that calls under way may spend.",
                ),
            ),
            primary_key=("user_id", "day"),
            foreign_keys=(_fk(name, "user_id", "users", "CASCADE"),),
        )

    def key_column(self, name: str, *, nullable: bool, comment: str) -> Column:
        return Column(name=name, kind=self.id_kind, nullable=nullable, comment=comment)

    def primary_key(self) -> Column:
        if self.id_kind == "uuid":
            return Column(
                name="id",
                kind="uuid",
                nullable=False,
                primary_key=True,
                default_factory="uuid4",
                comment="Primary key.",
            )
        return Column(
            name="id", kind="integer", nullable=False, primary_key=True, comment="Primary key."
        )

    def resource_table(self, resource: Resource) -> Table:
        table = resource.table
        columns: list[Column] = []
        foreign_keys: list[ForeignKey] = []
        checks: list[CheckConstraint] = []
        for item in resource.fields:
            if item.name == "id":
                columns.append(self.primary_key())
                continue
            if item.name == "owner_id":
                columns.append(
                    self.key_column("owner_id", nullable=False, comment=item.description)
                )
                foreign_keys.append(_fk(table, "owner_id", "users", "CASCADE"))
                continue
            if item.name in {"created_at", "updated_at"} and item.implicit:
                columns.append(
                    Column(
                        name=item.name,
                        kind="datetime",
                        nullable=False,
                        default_factory="now",
                        on_update_now=item.name == "updated_at",
                        comment=item.description,
                    )
                )
                continue
            columns.append(_field_column(item))
            checks.extend(_checks(table, item))
        for relation in resource.relations:
            if relation.kind != "many_to_one" or relation.column is None:
                continue
            target = self.by_name[relation.target]
            columns.append(
                self.key_column(
                    relation.column,
                    nullable=not relation.required,
                    comment=f"The {relation.name} ({relation.target}).",
                )
            )
            foreign_keys.append(
                _fk(table, relation.column, target.table, relation.on_delete or "RESTRICT")
            )
        # Timestamps last, for readability of the table.
        order = {"id": 0, "owner_id": 1, "created_at": 3, "updated_at": 4, "deleted_at": 5}
        columns.sort(key=lambda column: order.get(column.name, 2))
        indexes = _Indexes(table, resource)
        for key in resource.sort:
            leading = ("owner_id",) if resource.owner_scoped else ()
            indexes.add((*leading, key.column, "id"), purpose=f"list ordered by {key.name}")
        for filter_ in resource.filters:
            if filter_.kind == "many":
                continue
            leading = ("owner_id",) if resource.owner_scoped else ()
            indexes.add((*leading, filter_.column), purpose=f"filter by {filter_.name}")
        for item in resource.fields:
            if item.unique:
                indexes.add((item.name,), unique=True, purpose=f"unique {item.name}")
            elif item.index:
                indexes.add((item.name,), purpose=f"index on {item.name}")
        for columns_ in resource.unique:
            indexes.add(columns_, unique=True, purpose="unique " + ", ".join(columns_))
        for columns_ in resource.indexes:
            indexes.add(columns_, purpose="declared index")
        for foreign_key in foreign_keys:
            indexes.cover(foreign_key.column, purpose=f"foreign key to {foreign_key.ref_table}")
        return Table(
            name=table,
            kind="resource",
            resource=resource.name,
            columns=tuple(columns),
            primary_key=("id",),
            foreign_keys=tuple(foreign_keys),
            indexes=indexes.result(),
            checks=tuple(checks),
        )

    def association_table(self, resource: Resource, relation: ResolvedRelation) -> Table:
        assert relation.association_table is not None
        assert relation.association_columns is not None
        name = relation.association_table
        left, right = relation.association_columns
        target = self.by_name[relation.target]
        return Table(
            name=name,
            kind="association",
            resource=resource.name,
            columns=(
                Column(
                    name=left, kind=self.id_kind, nullable=False, comment=f"The {resource.name}."
                ),
                Column(
                    name=right, kind=self.id_kind, nullable=False, comment=f"The {target.name}."
                ),
            ),
            primary_key=(left, right),
            foreign_keys=(
                _fk(name, left, resource.table, "CASCADE"),
                _fk(name, right, target.table, "CASCADE"),
            ),
            indexes=(
                Index(
                    name=constraint_name("ix", name, right),
                    columns=(right,),
                    purpose=f"{resource.plural} of a {target.singular} (the key leads with {left})",
                ),
            ),
        )

    def refresh_tokens(self) -> Table:
        name = "refresh_tokens"
        return Table(
            name=name,
            kind="system",
            resource=None,
            columns=(
                self.primary_key(),
                self.key_column("user_id", nullable=False, comment="Whose token it is."),
                Column(
                    name="token_hash",
                    kind="string",
                    length=64,
                    nullable=False,
                    comment="SHA-256 of the token; the token itself is never stored.",
                ),
                Column(
                    name="family_id",
                    kind="uuid",
                    nullable=False,
                    comment="Tokens descended from one login; reuse revokes the family.",
                ),
                Column(
                    name="expires_at", kind="datetime", nullable=False, comment="End of validity."
                ),
                Column(
                    name="revoked_at",
                    kind="datetime",
                    nullable=True,
                    comment="Set on rotation, logout or reuse.",
                ),
                Column(
                    name="created_at",
                    kind="datetime",
                    nullable=False,
                    default_factory="now",
                    comment="When it was issued.",
                ),
            ),
            primary_key=("id",),
            foreign_keys=(_fk(name, "user_id", "users", "CASCADE"),),
            indexes=(
                Index(
                    name=constraint_name("uq", name, "token_hash"),
                    columns=("token_hash",),
                    unique=True,
                    purpose="look up a presented token",
                ),
                Index(
                    name=constraint_name("ix", name, "user_id"),
                    columns=("user_id",),
                    purpose="foreign key to users",
                ),
                Index(
                    name=constraint_name("ix", name, "family_id"),
                    columns=("family_id",),
                    purpose="revoke a token family",
                ),
            ),
        )

    def audit_channel(self) -> list[Column]:
        """How a change was asked for, when some audited resource is served as MCP tools too."""
        if not any(resource.audit and resource.mcp for resource in self.resources):
            return []
        return [
            Column(
                name="channel",
                kind="string",
                length=10,
                nullable=False,
                default="api",
                comment="How the change was asked for: api (REST) or mcp (a tool call).",
            )
        ]

    def audit_log(self) -> Table:
        name = "audit_log"
        actions = ("create", "update", "delete", "restore")
        channel = self.audit_channel()
        checks = [_values_check(name, "action", actions)]
        if channel:
            checks.append(_values_check(name, "channel", ("api", "mcp")))
        columns = [
            self.primary_key(),
            Column(
                name="action",
                kind="string",
                length=20,
                nullable=False,
                comment="create, update, delete or restore.",
            ),
            Column(
                name="resource", kind="string", length=100, nullable=False, comment="Resource name."
            ),
            Column(
                name="resource_id",
                kind="string",
                length=64,
                nullable=False,
                comment="Id of the changed row.",
            ),
            Column(
                name="changes",
                kind="json",
                nullable=False,
                comment="Changed fields: {name: [before, after]}.",
            ),
            Column(
                name="request_id",
                kind="string",
                length=64,
                nullable=True,
                comment="Request that made the change.",
            ),
            *channel,
            Column(
                name="created_at",
                kind="datetime",
                nullable=False,
                default_factory="now",
                comment="When.",
            ),
        ]
        foreign_keys: tuple[ForeignKey, ...] = ()
        indexes = [
            Index(
                name=constraint_name("ix", name, "resource", "resource_id", "created_at"),
                columns=("resource", "resource_id", "created_at"),
                purpose="history of one row",
            )
        ]
        if self.auth.enabled:
            columns.insert(
                1, self.key_column("actor_id", nullable=True, comment="Who made the change.")
            )
            foreign_keys = (_fk(name, "actor_id", "users", "SET NULL"),)
            indexes.append(
                Index(
                    name=constraint_name("ix", name, "actor_id"),
                    columns=("actor_id",),
                    purpose="foreign key to users",
                )
            )
        return Table(
            name=name,
            kind="system",
            resource=None,
            columns=tuple(columns),
            primary_key=("id",),
            foreign_keys=foreign_keys,
            indexes=tuple(indexes),
            checks=tuple(checks),
        )


class _Indexes:
    """Collects a table's indexes, dropping any that another index already serves."""

    def __init__(self, table: str, resource: Resource) -> None:
        self.table = table
        self.where = "deleted_at IS NULL" if resource.soft_delete else None
        self.items: list[Index] = []

    def add(self, columns: Sequence[str], *, unique: bool = False, purpose: str) -> None:
        columns = tuple(columns)
        where = self.where if unique else None
        for index, existing in enumerate(self.items):
            if existing.columns == columns and existing.unique == unique:
                self.items[index] = existing.model_copy(
                    update={"purpose": f"{existing.purpose}; {purpose}"}
                )
                return
        kind = "uq" if unique else "ix"
        self.items.append(
            Index(
                name=constraint_name(kind, self.table, *columns),
                columns=columns,
                unique=unique,
                where=where,
                purpose=purpose,
            )
        )

    def cover(self, column: str, *, purpose: str) -> None:
        """Make sure some index leads with `column` (foreign keys need one)."""
        for index, existing in enumerate(self.items):
            if existing.columns[0] == column and existing.where is None:
                self.items[index] = existing.model_copy(
                    update={"purpose": f"{existing.purpose}; {purpose}"}
                )
                return
        self.add((column,), purpose=purpose)

    def result(self) -> tuple[Index, ...]:
        # A plain index whose columns lead another plain index adds nothing.
        kept = [
            index
            for index in self.items
            if index.unique
            or not any(
                other is not index
                and not other.unique
                and len(other.columns) > len(index.columns)
                and other.columns[: len(index.columns)] == index.columns
                for other in self.items
            )
        ]
        merged: list[Index] = []
        for index in kept:
            purposes = [index.purpose] + [
                other.purpose
                for other in self.items
                if other not in kept
                and not other.unique
                and index.columns[: len(other.columns)] == other.columns
                and len(index.columns) > len(other.columns)
            ]
            merged.append(
                index.model_copy(
                    update={"purpose": "; ".join(dict.fromkeys("; ".join(purposes).split("; ")))}
                )
            )
        return tuple(merged)


def _fk(table: str, column: str, ref_table: str, on_delete: ForeignKeyAction) -> ForeignKey:
    return ForeignKey(
        name=constraint_name("fk", table, column, ref_table),
        column=column,
        ref_table=ref_table,
        ref_column="id",
        on_delete=on_delete,
    )


def _field_column(item: ResolvedField) -> Column:
    kind = FIELD_TYPES[item.type]
    return Column(
        name=item.name,
        kind=kind.column,
        nullable=not item.required,
        length=kind.column_length(item),
        precision=item.precision,
        scale=item.scale,
        default=item.default,
        default_factory=item.default_factory,
        comment=item.description,
    )


def _values_check(table: str, column: str, values: Iterable[str]) -> CheckConstraint:
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return CheckConstraint(
        name=constraint_name("ck", table, column, "values"),
        sql=f"{column} IN ({listed})",
        purpose=f"{column} is one of its values",
    )


def _checks(table: str, item: ResolvedField) -> list[CheckConstraint]:
    checks: list[CheckConstraint] = []
    column = item.name
    kind = FIELD_TYPES[item.type]
    if kind.choices:
        checks.append(_values_check(table, column, item.values))
    bounds = []
    if item.min is not None:
        bounds.append(f"{column} >= {format_number(item.min)}")
    if item.max is not None:
        bounds.append(f"{column} <= {format_number(item.max)}")
    if bounds:
        checks.append(
            CheckConstraint(
                name=constraint_name("ck", table, column, "range"),
                sql=" AND ".join(bounds),
                purpose=f"{column} within its bounds",
            )
        )
    lengths = []
    if item.min_length:
        lengths.append(f"length({column}) >= {item.min_length}")
    # VARCHAR(n) bounds strings on PostgreSQL; text needs an explicit check.
    if not COLUMN_TYPES[kind.column].bounds_length and item.max_length is not None:
        lengths.append(f"length({column}) <= {item.max_length}")
    if lengths:
        checks.append(
            CheckConstraint(
                name=constraint_name("ck", table, column, "length"),
                sql=" AND ".join(lengths),
                purpose=f"{column} length within its bounds",
            )
        )
    return checks
