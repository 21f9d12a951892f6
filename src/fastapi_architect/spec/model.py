"""The resolved spec: one typed model, defaults filled and everything derived, that every
capability (design, generate, review, evolve) consumes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from fastapi_architect.spec.columns import COLUMN_TYPES
from fastapi_architect.spec.columns import ColumnKind as ColumnKind
from fastapi_architect.spec.document import AuthMode, JwtAlgorithm, RelationKind
from fastapi_architect.spec.problems import Location
from fastapi_architect.spec.types import FieldType as FieldType
from fastapi_architect.spec.values import DefaultFactory as DefaultFactory
from fastapi_architect.spec.values import Scalar as Scalar

Action = Literal["read", "create", "update", "delete"]
ACTIONS: tuple[Action, ...] = ("read", "create", "update", "delete")
ForeignKeyAction = Literal["CASCADE", "SET NULL", "RESTRICT"]
TableKind = Literal["resource", "association", "system"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- database schema


class Column(_Frozen):
    name: str
    kind: ColumnKind
    nullable: bool
    primary_key: bool = False
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    default: Scalar | None = None
    default_factory: DefaultFactory | None = None
    # Set on every update by the application (updated_at).
    on_update_now: bool = False
    comment: str = ""

    @property
    def sql_type(self) -> str:
        """The portable SQL type, as the design document shows it."""
        return COLUMN_TYPES[self.kind].sql(self)


class ForeignKey(_Frozen):
    name: str
    column: str
    ref_table: str
    ref_column: str
    on_delete: ForeignKeyAction


class Index(_Frozen):
    name: str
    columns: tuple[str, ...]
    unique: bool = False
    # A partial index's predicate, e.g. unique among live rows only with soft delete.
    where: str | None = None
    purpose: str = ""


class CheckConstraint(_Frozen):
    name: str
    sql: str
    purpose: str = ""


class Table(_Frozen):
    name: str
    kind: TableKind
    resource: str | None
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


# ---------------------------------------------------------------- resources


class ResolvedField(_Frozen):
    name: str
    type: FieldType
    description: str
    # NOT NULL in the database.
    required: bool
    # Clients may leave it out on create (optional or defaulted).
    optional_on_create: bool
    default: Scalar | None
    default_factory: DefaultFactory | None
    unique: bool
    index: bool
    min_length: int | None
    max_length: int | None
    pattern: str | None
    min: int | float | None
    max: int | float | None
    values: tuple[str, ...]
    precision: int | None
    scale: int | None
    sensitive: bool
    read_only: bool
    example: Scalar | None
    # The field's previous name, and the value existing rows get when it becomes required
    # (spec changes: see `evolve`).
    renamed_from: str | None = None
    backfill: Scalar | None = None
    # Implicit columns (id, created_at, ...) are fields the spec did not declare.
    implicit: bool = False


class ResolvedRelation(_Frozen):
    name: str
    kind: RelationKind
    target: str
    required: bool
    on_delete: ForeignKeyAction | None
    # The relation on the target that points back here, when there is one.
    inverse: str | None
    # many_to_one: the foreign key column on this resource's table.
    column: str | None
    # many_to_many: the association table and its two columns (this side, the target side).
    association_table: str | None
    association_columns: tuple[str, str] | None
    # The target row must belong to the same owner (enforced on create and update).
    same_owner: bool
    # False for inverses derived from the other side.
    declared: bool
    description: str


class ResolvedFilter(_Frozen):
    name: str
    # exact: `?status=done`; range adds `_min`/`_max` bounds; relation filters by the
    # related id; many filters by a related id through an association table.
    kind: Literal["exact", "range", "relation", "many"]
    column: str
    params: tuple[str, ...]


class SortKey(_Frozen):
    name: str
    column: str
    nullable: bool


class Access(_Frozen):
    """Principals allowed per action: public, authenticated, owner, or role names."""

    read: tuple[str, ...]
    create: tuple[str, ...]
    update: tuple[str, ...]
    delete: tuple[str, ...]

    def for_action(self, action: Action) -> tuple[str, ...]:
        return tuple(getattr(self, action))


class AiOutputField(_Frozen):
    name: str
    type: FieldType
    description: str
    required: bool
    min_length: int | None
    max_length: int | None
    min: int | float | None
    max: int | float | None
    values: tuple[str, ...]


class AiPlaceholder(_Frozen):
    """`{title}` (a field of the row) or `{project.name}` (a field of a related row)."""

    text: str  # as written between the braces
    field: str
    # The many_to_one relation followed first, and the resource it leads to.
    relation: str | None = None
    target: str | None = None


class AiAction(_Frozen):
    name: str
    resource: str
    description: str
    instructions: str
    # The prompt as literal texts and placeholders in order (`{{`/`}}` already unescaped).
    parts: tuple[str | AiPlaceholder, ...]
    # None: streamed text; otherwise the structured answer's fields.
    output: tuple[AiOutputField, ...] | None
    max_output_tokens: int

    @property
    def streamed(self) -> bool:
        return self.output is None

    @property
    def placeholders(self) -> tuple[AiPlaceholder, ...]:
        return tuple(part for part in self.parts if isinstance(part, AiPlaceholder))


class Resource(_Frozen):
    name: str
    description: str
    # snake_case singular and plural; the plural names the path and the table by default.
    singular: str
    plural: str
    table: str
    path: str
    owned: bool
    soft_delete: bool
    audit: bool
    # The built-in user resource (auth on), which the spec may extend with fields.
    builtin: bool
    fields: tuple[ResolvedField, ...]
    relations: tuple[ResolvedRelation, ...]
    # Unique combinations and declared composite indexes, as column names.
    unique: tuple[tuple[str, ...], ...]
    indexes: tuple[tuple[str, ...], ...]
    filters: tuple[ResolvedFilter, ...]
    sort: tuple[SortKey, ...]
    default_sort: str
    default_sort_descending: bool
    search: tuple[str, ...]
    access: Access
    # The resource's previous name (spec changes: see `evolve`).
    renamed_from: str | None = None
    # Served as tools by the backend's MCP endpoint.
    mcp: bool = False
    # AI actions on a row (`POST .../{id}/ai/<name>`).
    ai: tuple[AiAction, ...] = ()

    @property
    def owner_scoped(self) -> bool:
        """Each caller lists their own rows: owned, and not readable by everyone."""
        return self.owned and not {"public", "authenticated"} & set(self.access.read)

    def field(self, name: str) -> ResolvedField:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    def relation(self, name: str) -> ResolvedRelation:
        for item in self.relations:
            if item.name == name:
                return item
        raise KeyError(name)


# ---------------------------------------------------------------- settings


class Project(_Frozen):
    name: str
    package: str
    title: str
    description: str
    version: str


class Api(_Frozen):
    prefix: str
    pagination: Literal["cursor"]
    default_page_size: int
    max_page_size: int
    ids: Literal["uuid", "integer"]


class Database(_Frozen):
    engine: Literal["postgresql", "sqlite"]
    pooler: bool


class Jwks(_Frozen):
    url: str
    issuer: str
    audience: str
    algorithms: tuple[JwtAlgorithm, ...]
    cache_minutes: int


class Auth(_Frozen):
    mode: AuthMode
    access_token_minutes: int
    refresh_token_days: int
    roles: tuple[str, ...]
    default_role: str | None
    admin_role: str | None
    jwks: Jwks | None

    @property
    def enabled(self) -> bool:
        return self.mode != "none"


class RateLimits(_Frozen):
    login: str
    default: str


class AiProvider(_Frozen):
    name: str
    kind: Literal["openai"]
    model: str
    base_url: str
    api_key_env: str
    timeout_seconds: float
    prompt_price: float | None
    completion_price: float | None


class AiSettings(_Frozen):
    providers: tuple[AiProvider, ...]
    daily_tokens_per_user: int
    cache_seconds: int
    max_input_chars: int
    max_output_tokens: int


class OpenQuestion(_Frozen):
    """A decision the spec left open, and the default that was taken."""

    location: Location
    subject: str
    decision: str

    def render(self) -> str:
        return f"{self.subject}: {self.decision}"


class ResolvedSpec(_Frozen):
    project: Project
    api: Api
    database: Database
    auth: Auth
    rate_limits: RateLimits
    resources: tuple[Resource, ...]
    tables: tuple[Table, ...]
    open_questions: tuple[OpenQuestion, ...]
    # The backend serves an MCP endpoint (its tools: the resources whose `mcp` is true).
    mcp: bool = False
    # Language-model providers and bounds, when some resource declares AI actions.
    ai: AiSettings | None = None

    @property
    def ai_actions(self) -> tuple[AiAction, ...]:
        return tuple(action for resource in self.resources for action in resource.ai)

    def resource(self, name: str) -> Resource:
        for item in self.resources:
            if item.name == name:
                return item
        raise KeyError(name)

    def table(self, name: str) -> Table:
        for item in self.tables:
            if item.name == name:
                return item
        raise KeyError(name)
