"""What the templates see: the resolved spec turned into the Python source fragments a
generated project is written from. All decisions live here; templates only lay them out."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

from fastapi_architect.generate.ai_views import AiActionView, ai_action_views
from fastapi_architect.generate.errors import UnsupportedSpecError
from fastapi_architect.spec.model import (
    ACTIONS,
    Action,
    AiSettings,
    Column,
    ResolvedField,
    ResolvedRelation,
    ResolvedSpec,
    Resource,
    Table,
)
from fastapi_architect.spec.names import enum_class_name, pascal_case
from fastapi_architect.spec.tools import mcp_tools, offered
from fastapi_architect.spec.types import FIELD_TYPES, FieldType
from fastapi_architect.spec.values import (
    FieldChecks,
    NoSampleError,
    checked_sample,
    member_name,
    sample_function,
)

# The generated project's line length (its pyproject.toml, [tool.ruff] line-length).
LINE_LENGTH = 100
# tests/factories.py writes a payload's entries `"name": sample,` this far in.
PAYLOAD_INDENT = 8


@dataclass(frozen=True)
class EnumView:
    name: str
    members: tuple[tuple[str, str], ...]  # (identifier, value)


@dataclass(frozen=True)
class FieldView:
    """One declared field of a resource, as model, schema and test code."""

    name: str
    type: str
    description: str
    required: bool
    optional_on_create: bool
    sensitive: bool
    read_only: bool
    unique: bool
    enum: EnumView | None
    # Table model: annotation, SQLAlchemy type and default.
    model_annotation: str
    sa_type: str
    model_default: str | None
    model_default_factory: str | None
    # API schemas: the input annotation with its constraints, and the output annotation.
    input_annotation: str
    input_default: str | None
    public_annotation: str
    # Tests: an expression (of `n`) giving a valid JSON value, and invalid values.
    sample: str
    invalid: tuple[tuple[str, str], ...]
    # Rows 1 and 2 get different test values (constraints may leave a single one).
    varies: bool

    @property
    def payload_value(self) -> str:
        """The sample as the value of a payload entry: parenthesized where the entry would
        not fit on its line, so that the formatter can break it (it cannot break between a
        key and its value)."""
        entry = f'"{self.name}": {self.sample},'
        return self.sample if PAYLOAD_INDENT + len(entry) <= LINE_LENGTH else f"({self.sample})"


@dataclass(frozen=True)
class RelationView:
    name: str
    kind: str
    target: str
    target_module: str
    target_table: str
    target_var: str
    target_plural: str
    required: bool
    column: str | None
    same_owner: bool
    # The caller may link only to target rows of its own: test parents are made by the actor.
    parent_by_actor: bool
    association_table: str | None
    association_class: str | None
    association_module: str | None
    association_columns: tuple[str, str] | None
    # many_to_many: the request/response field holding related ids (`tag_ids`).
    ids_field: str | None
    target_owned: bool
    target_soft_delete: bool


@dataclass(frozen=True)
class FilterView:
    name: str
    kind: str
    column: str
    params: tuple[str, ...]
    annotation: str
    association_class: str | None = None
    association_columns: tuple[str, str] | None = None


@dataclass(frozen=True)
class SortView:
    name: str
    column: str
    nullable: bool
    parse: str  # how a cursor value string becomes a column value


@dataclass(frozen=True)
class AccessCase:
    """An expected outcome of one actor attempting one action on the owner's row."""

    action: Action
    actor: str  # "anonymous", "owner", or "role:<name>"
    status: int


@dataclass
class ResourceView:
    name: str
    var: str
    module: str
    plural: str
    table: str
    path: str
    description: str
    owned: bool
    owner_scoped: bool
    soft_delete: bool
    audit: bool
    fields: list[FieldView]
    relations: list[RelationView]
    filters: list[FilterView]
    sort: list[SortView]
    default_sort: str
    search: tuple[str, ...]
    access: dict[str, tuple[str, ...]]
    table_args: list[str]
    enums: list[EnumView]
    creator_role: str | None
    # Served as tools by the MCP endpoint.
    mcp: bool
    # Who reads, updates and deletes the owner's rows in the tests: "owner" (the creating
    # account), a role name (another account with that role), or None (nobody may).
    actor_for: dict[str, str | None] = field(default_factory=dict)
    access_cases: list[AccessCase] = field(default_factory=list)

    @property
    def creator_reads(self) -> int:
        """The status the creator of a row gets reading it back: 200, or a refusal (a
        drop box: the rules let them create rows, not read them)."""
        return next(
            (c.status for c in self.access_cases if c.actor == "owner" and c.action == "read"),
            200,
        )

    @property
    def private_rows(self) -> bool:
        """Users of the creating role see their own rows only: another's is a 404."""
        return any(
            c.actor == f"role:{self.creator_role}" and c.action == "read" and c.status == 404
            for c in self.access_cases
        )

    @property
    def many_to_one(self) -> list[RelationView]:
        return [r for r in self.relations if r.kind == "many_to_one"]

    @property
    def many_to_many(self) -> list[RelationView]:
        return [r for r in self.relations if r.kind == "many_to_many"]

    @property
    def writable_fields(self) -> list[FieldView]:
        return [f for f in self.fields if not f.read_only]

    @property
    def public_fields(self) -> list[FieldView]:
        return [f for f in self.fields if not f.sensitive]

    @property
    def sort_values(self) -> list[str]:
        values: list[str] = []
        for key in self.sort:
            values += [key.name, f"-{key.name}"]
        return values


@dataclass(frozen=True)
class AssociationView:
    class_name: str
    module: str
    table: str
    left: str
    right: str
    left_table: str
    right_table: str
    table_args: list[str]


@dataclass
class ProjectView:
    spec: ResolvedSpec
    name: str
    package: str
    title: str
    description: str
    version: str
    prefix: str
    id_type: str
    id_annotation: str
    auth_mode: str
    roles: tuple[str, ...]
    default_role: str | None
    admin_role: str | None
    resources: list[ResourceView]
    user: ResourceView | None
    associations: list[AssociationView]
    audit: bool
    generator_version: str
    # The MCP endpoint, and whether the audit log records each change's channel (api or mcp).
    mcp: bool
    audit_channel: bool

    @property
    def auth(self) -> bool:
        """There are users (built-in accounts or an external issuer's)."""
        return self.auth_mode != "none"

    @property
    def builtin(self) -> bool:
        return self.auth_mode == "builtin"

    @property
    def jwks(self) -> bool:
        return self.auth_mode == "jwks"

    @property
    def user_extra_fields(self) -> list[FieldView]:
        """Fields the spec added to the built-in user."""
        if self.user is None:
            return []
        builtin = {"email", "hashed_password", "subject", "name", "role", "is_active"}
        return [f for f in self.user.fields if f.name not in builtin]

    @property
    def dates_default_today(self) -> bool:
        """Some date field defaults to the day its row is made (app.core.types.today)."""
        return any(f.model_default_factory == "today" for r in self.resources for f in r.fields)

    @property
    def line_length(self) -> int:
        """The longest line ruff allows in the generated project."""
        return LINE_LENGTH

    @property
    def api_resources(self) -> list[ResourceView]:
        return [r for r in self.resources if r.name != "User" or self.auth_mode == "none"]

    @property
    def mcp_tools_by_role(self) -> dict[str | None, list[str]]:
        """The MCP tools each role (None: anonymous callers, without users) is offered."""
        tools = mcp_tools(self.spec)
        roles: tuple[str | None, ...] = self.roles if self.auth else (None,)
        return {
            role: [tool.name for tool in tools if offered(self.spec, tool, role)] for role in roles
        }

    @property
    def ai(self) -> AiSettings | None:
        """Providers and bounds of the AI actions, when there are any."""
        return self.spec.ai

    @property
    def ai_actions(self) -> list[AiActionView]:
        return ai_action_views(self)

    @property
    def ai_streamed(self) -> bool:
        return any(action.streamed for action in self.spec.ai_actions)

    @property
    def ai_structured(self) -> bool:
        return any(not action.streamed for action in self.spec.ai_actions)

    @property
    def ai_literal(self) -> bool:
        """Some structured answer has an enum field."""
        return any(f.type == "enum" for a in self.spec.ai_actions for f in a.output or ())

    @property
    def ai_creators(self) -> dict[str, str | None]:
        """The role whose account makes the rows AI actions run on, in the tests."""
        return {view.r.var: view.r.creator_role for view in self.ai_actions}

    @property
    def ai_related(self) -> list[RelationView]:
        """The related resources AI prompts read, one relation each."""
        found: dict[str, RelationView] = {}
        for view in self.ai_actions:
            for relation in view.related:
                found.setdefault(relation.target, relation)
        return [found[name] for name in sorted(found)]

    @property
    def ai_prompt_imports(self) -> list[tuple[str, str]]:
        """The Public schemas the prompts read: the rows' and related rows'."""
        found = {(view.r.module, f"{view.r.name}Public") for view in self.ai_actions}
        found |= {(rel.target_module, f"{rel.target}Public") for rel in self.ai_related}
        return sorted(found)

    @property
    def ai_service_imports(self) -> list[tuple[str, str]]:
        """The resource services the AI service reads rows through."""
        found = {(view.r.module, view.r.name) for view in self.ai_actions}
        found |= {(rel.target_module, rel.target) for rel in self.ai_related}
        return sorted(found)

    @property
    def mcp_resources(self) -> list[ResourceView]:
        """The resources the MCP endpoint serves as tools."""
        return [r for r in self.api_resources if r.mcp]


def build_context(spec: ResolvedSpec, generator_version: str) -> ProjectView:
    tables = {table.name: table for table in spec.tables}
    associations = [
        _association(table, spec) for table in spec.tables if table.kind == "association"
    ]
    association_by_table = {a.table: a for a in associations}
    resources = [
        _resource(spec, resource, tables[resource.table], association_by_table)
        for resource in spec.resources
    ]
    user = next((r for r in resources if r.name == "User" and spec.auth.enabled), None)
    return ProjectView(
        spec=spec,
        name=spec.project.name,
        package=spec.project.package,
        title=spec.project.title,
        description=spec.project.description,
        version=spec.project.version,
        prefix=spec.api.prefix,
        id_type=spec.api.ids,
        id_annotation="uuid.UUID" if spec.api.ids == "uuid" else "int",
        auth_mode=spec.auth.mode,
        roles=spec.auth.roles,
        default_role=spec.auth.default_role,
        admin_role=spec.auth.admin_role,
        resources=resources,
        user=user,
        associations=associations,
        audit=any(r.audit for r in spec.resources),
        generator_version=generator_version,
        mcp=any(r.mcp for r in spec.resources),
        audit_channel="audit_log" in tables
        and any(c.name == "channel" for c in tables["audit_log"].columns),
    )


# ---------------------------------------------------------------- resources


def _resource(
    spec: ResolvedSpec,
    resource: Resource,
    table: Table,
    associations: dict[str, AssociationView],
) -> ResourceView:
    declared = [f for f in resource.fields if not f.implicit]
    fields = [_field(resource, f, table.column(f.name)) for f in declared]
    if resource.builtin:
        builtin = [f for f in resource.fields if f.implicit and f.name not in _IMPLICIT_COLUMNS]
        fields = [_field(resource, f, table.column(f.name)) for f in builtin] + fields
    by_name = {r.name: r for r in spec.resources}
    relations = [
        _relation(r, by_name[r.target], associations)
        for r in resource.relations
        if r.kind in {"many_to_one", "many_to_many"}
    ]
    filters = [_filter(resource, f, relations, fields) for f in resource.filters]
    sort = [_sort(resource, key.name, key.column, key.nullable) for key in resource.sort]
    default_sort = ("-" if resource.default_sort_descending else "") + resource.default_sort
    enums = [f.enum for f in fields if f.enum is not None]
    view = ResourceView(
        name=resource.name,
        var=resource.singular,
        module=resource.singular,
        plural=resource.plural,
        table=resource.table,
        path=resource.path,
        description=resource.description or f"{resource.name} records.",
        owned=resource.owned,
        owner_scoped=resource.owner_scoped,
        soft_delete=resource.soft_delete,
        audit=resource.audit,
        fields=fields,
        relations=relations,
        filters=filters,
        sort=sort,
        default_sort=default_sort,
        search=resource.search,
        access={action: resource.access.for_action(action) for action in ACTIONS},
        table_args=table_args(table),
        enums=enums,
        creator_role=_creator_role(spec, resource),
        mcp=resource.mcp,
    )
    view.access_cases = _access_cases(spec, resource, view.creator_role)
    view.actor_for = {
        action: _acting_role(spec, resource, view.creator_role, action)
        for action in ("update", "delete")
    }
    view.actor_for["read"] = _reading_role(spec, view.access_cases)
    return view


def _acting_role(
    spec: ResolvedSpec, resource: Resource, creator_role: str | None, action: Action
) -> str | None:
    rule = resource.access.for_action(action)
    if not spec.auth.enabled or {"public", "authenticated"} & set(rule):
        return "owner"
    if ("owner" in rule and resource.owned) or creator_role in rule:
        return "owner"
    return next((role for role in spec.auth.roles if role in rule), None)


def _reading_role(spec: ResolvedSpec, cases: list[AccessCase]) -> str | None:
    """Who reads the owner's rows in the tests: the owner when the access rules let them,
    else a role that reads every row (as the access cases decide)."""
    reads = {case.actor: case.status for case in cases if case.action == "read"}
    if reads.get("owner", 200) == 200:
        return "owner"
    return next((role for role in spec.auth.roles if reads[f"role:{role}"] == 200), None)


# The names ruff's S105 (hardcoded password) checks a text literal assigned to.
SECRET_LIKE = re.compile(r"(^|_)(pas+wo?r?d|pass(phrase)?|pwd|token|secrete?)($|_)", re.IGNORECASE)
_IMPLICIT_COLUMNS = {"id", "owner_id", "created_at", "updated_at", "deleted_at"}


def _creator_role(spec: ResolvedSpec, resource: Resource) -> str | None:
    """A role whose users may create rows of the resource (None: anonymous callers may)."""
    rule = resource.access.create
    if not spec.auth.enabled:
        return None
    if {"owner", "authenticated", "public"} & set(rule):
        return spec.auth.default_role
    return next((role for role in spec.auth.roles if role in rule), None)


def _grant(rule: tuple[str, ...], role: str | None) -> tuple[bool, bool]:
    """(allowed, on all rows) for a caller with `role` (None: anonymous): the same
    decision the generated access policy makes."""
    if "public" in rule:
        return True, True
    if role is None:
        return False, False
    if "authenticated" in rule or role in rule:
        return True, True
    if "owner" in rule:
        return True, False
    return False, False


def _access_cases(
    spec: ResolvedSpec, resource: Resource, creator_role: str | None
) -> list[AccessCase]:
    if not spec.auth.enabled or creator_role is None:
        return []
    actors: list[tuple[str, str | None, bool]] = [
        ("anonymous", None, False),
        ("owner", creator_role, True),
    ]
    actors += [(f"role:{role}", role, False) for role in spec.auth.roles]
    cases: list[AccessCase] = []
    for actor, role, is_owner in actors:
        read_allowed, read_all = _grant(resource.access.read, role)
        sees_row = read_allowed and (
            read_all or (is_owner and resource.owned) or not resource.owned
        )
        for action in ACTIONS:
            allowed, all_rows = _grant(resource.access.for_action(action), role)
            if action == "create":
                status = 201 if allowed else (401 if role is None else 403)
            elif action == "read":
                if not read_allowed:
                    status = 401 if role is None else 403
                else:
                    status = 200 if sees_row else 404
            else:
                if role is None and not allowed:
                    status = 401
                elif not read_allowed:
                    status = 401 if role is None else 403
                elif not sees_row:
                    status = 404
                elif allowed and (all_rows or (is_owner and resource.owned) or not resource.owned):
                    status = 204 if action == "delete" else 200
                else:
                    status = 403
            cases.append(AccessCase(action=action, actor=actor, status=status))
    return cases


# ---------------------------------------------------------------- fields


def _enum(resource: Resource, item: ResolvedField) -> EnumView | None:
    if not FIELD_TYPES[item.type].choices:
        return None
    name = enum_class_name(resource.name, item.name)
    members = tuple((member_name(value), value) for value in item.values)
    return EnumView(name=name, members=members)


def field_checks(item: ResolvedField) -> FieldChecks:
    """What a generated input schema checks of a field's value, besides its type."""
    return FIELD_TYPES[item.type].checks(item)


def _field(resource: Resource, item: ResolvedField, column: Column) -> FieldView:
    kind = FIELD_TYPES[item.type]
    enum = _enum(resource, item)
    class_name = enum.name if enum else None
    plain = class_name or kind.annotation
    model_annotation = plain if item.required else f"{plain} | None"
    default = kind.literal(item, class_name)
    factory = kind.factories[item.default_factory] if item.default_factory else None
    model_default = default if default is not None else (None if item.required else "None")
    input_annotation = kind.input_type(item, class_name)
    input_default: str | None = None
    if not item.required:
        input_annotation = f"{input_annotation} | None"
        input_default = default or "None"
    elif item.optional_on_create:
        input_default = default or ("None" if factory else None)
        if factory:
            input_annotation = f"{input_annotation} | None"
    if default and default[0] in "\"'" and SECRET_LIKE.search(item.name):
        input_default = f"Field(default={default})"  # not taken for a hardcoded secret
    public = model_annotation
    sample = _sample(item)
    return FieldView(
        name=item.name,
        type=item.type,
        description=item.description,
        required=item.required,
        optional_on_create=item.optional_on_create,
        sensitive=item.sensitive,
        read_only=item.read_only,
        unique=item.unique,
        enum=enum,
        model_annotation=model_annotation,
        sa_type=kind.model_sa_type(column, class_name),
        model_default=model_default,
        model_default_factory=factory,
        input_annotation=input_annotation,
        input_default=input_default,
        public_annotation=public,
        sample=sample,
        invalid=kind.invalid(item),
        varies=sample_function(sample)(1) != sample_function(sample)(2),
    )


def _sample(item: ResolvedField) -> str:
    """A Python expression of `n` giving a valid JSON value for the field, distinct per n."""
    try:
        return checked_sample(item)
    except NoSampleError as exc:
        raise SampleError(str(exc)) from None


class SampleError(UnsupportedSpecError):
    """A field's constraints leave no value the generated tests can use."""


# ---------------------------------------------------------------- relations and lists


def _relation(
    relation: ResolvedRelation, target: Resource, associations: dict[str, AssociationView]
) -> RelationView:
    association = associations.get(relation.association_table or "")
    ids_field = None
    if relation.kind == "many_to_many":
        ids_field = f"{_singular(relation.name)}_ids"
    return RelationView(
        name=relation.name,
        kind=relation.kind,
        target=target.name,
        target_module=target.singular,
        target_table=target.table,
        target_var=target.singular,
        target_plural=target.plural,
        required=relation.required,
        column=relation.column,
        same_owner=relation.same_owner,
        parent_by_actor=relation.same_owner
        or (target.owned and not {"public", "authenticated"} & set(target.access.read)),
        association_table=relation.association_table,
        association_class=association.class_name if association else None,
        association_module=association.module if association else None,
        association_columns=relation.association_columns,
        ids_field=ids_field,
        target_owned=target.owned,
        target_soft_delete=target.soft_delete,
    )


def _singular(name: str) -> str:
    from fastapi_architect.spec.names import singularize

    return singularize(name)


def _filter(
    resource: Resource,
    item: object,
    relations: list[RelationView],
    fields: list[FieldView],
) -> FilterView:
    from fastapi_architect.spec.model import ResolvedFilter

    assert isinstance(item, ResolvedFilter)
    by_name = {f.name: f for f in fields}
    if item.kind in {"exact", "range"}:
        view = by_name[item.name]
        kind = FIELD_TYPES[resource.field(item.name).type]
        base = view.enum.name if view.enum else kind.query_annotation or kind.annotation
        return FilterView(item.name, item.kind, item.column, item.params, base)
    relation = next(r for r in relations if r.name == item.name)
    id_annotation = "uuid.UUID"  # replaced per project id type in templates
    return FilterView(
        item.name,
        item.kind,
        item.column,
        item.params,
        id_annotation,
        association_class=relation.association_class,
        association_columns=relation.association_columns,
    )


def _sort(resource: Resource, name: str, column: str, nullable: bool) -> SortView:
    kind: FieldType
    if name in {"created_at", "updated_at"}:
        kind = "datetime"
    elif name == "id":
        kind = "uuid"
    else:
        kind = resource.field(name).type
    parse = FIELD_TYPES[kind].cursor_parser
    return SortView(name=name, column=column, nullable=nullable, parse=parse)


def _association(table: Table, spec: ResolvedSpec) -> AssociationView:
    left, right = table.primary_key
    refs = {key.column: key.ref_table for key in table.foreign_keys}
    class_name = pascal_case(table.name)
    return AssociationView(
        class_name=class_name,
        module=table.name,
        table=table.name,
        left=left,
        right=right,
        left_table=refs[left],
        right_table=refs[right],
        table_args=table_args(table),
    )


def long_literal(text: str) -> str:
    """A string literal, as adjacent literals broken at spaces when it is too long for a line
    (formatting joins them again when they fit)."""
    pieces = textwrap.wrap(
        text, 72, drop_whitespace=False, break_long_words=False, break_on_hyphens=False
    )
    return " ".join(repr(piece) for piece in pieces) if "".join(pieces) == text else repr(text)


def table_args(table: Table) -> list[str]:
    """`__table_args__` entries: foreign keys, checks and indexes, each named as the
    migration names them."""
    args: list[str] = []
    for key in table.foreign_keys:
        args.append(
            f"sa.ForeignKeyConstraint([{key.column!r}], [{f'{key.ref_table}.{key.ref_column}'!r}], "
            f"name={key.name!r}, ondelete={key.on_delete!r})"
        )
    for check in table.checks:
        args.append(f"sa.CheckConstraint({long_literal(check.sql)}, name={check.name!r})")
    for index in table.indexes:
        columns = ", ".join(repr(c) for c in index.columns)
        extra = ""
        if index.unique:
            extra += ", unique=True"
        if index.where:
            where = f"sa.text({index.where!r})"
            extra += f", postgresql_where={where}, sqlite_where={where}"
        args.append(f"sa.Index({index.name!r}, {columns}{extra})")
    return args
