"""What the templates see: the resolved spec turned into the Python source fragments a
generated project is written from. All decisions live here; templates only lay them out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from fastapi_architect.generate.errors import UnsupportedSpecError
from fastapi_architect.spec.model import (
    ACTIONS,
    Action,
    Column,
    ResolvedField,
    ResolvedRelation,
    ResolvedSpec,
    Resource,
    Table,
)
from fastapi_architect.spec.names import pascal_case

INT32 = (-(2**31), 2**31 - 1)
# A bound for lists of related ids in one request body.
MAX_RELATED_IDS = 100


# Per resource route: the access rules it consults (its own action first), and the errors
# it can answer with besides 401/403 (a caller refused) and 429 (every route is rate-limited).
ROUTE_ERRORS: dict[str, tuple[tuple[Action, ...], tuple[int, ...]]] = {
    "list": (("read",), (422,)),
    "list_deleted": (("delete", "read"), (422,)),
    "create": (("create",), (409, 422)),
    "get": (("read",), (404, 422)),
    "update": (("update", "read"), (404, 409, 422)),
    "delete": (("delete", "read"), (404, 409, 422)),
    "restore": (("delete", "read"), (404, 409, 422)),
}


def route_error_statuses(spec: ResolvedSpec, resource: Resource, route: str) -> tuple[int, ...]:
    """The error statuses a generated resource route can answer with, in order."""
    actions, statuses = ROUTE_ERRORS[route]
    codes = {*statuses, 429}
    if spec.auth.enabled:
        # A token that is sent is checked even where none is needed: a bad one is a 401.
        codes.add(401)
        if any("public" not in resource.access.for_action(action) for action in actions):
            codes.add(403)
    return tuple(sorted(codes))


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
    # Who performs update and delete in the tests: "owner" (the creating account), a
    # role name (another account with that role), or None (nobody may).
    actor_for: dict[str, str | None] = field(default_factory=dict)
    access_cases: list[AccessCase] = field(default_factory=list)

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
    def self_edit_conflicts(self) -> bool:
        """Users may change a unique field about themselves, so that change can be a 409."""
        return any(f.unique and not f.read_only for f in self.user_extra_fields)

    @property
    def api_resources(self) -> list[ResourceView]:
        return [r for r in self.resources if r.name != "User" or self.auth_mode == "none"]


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
    sort = [_sort(resource, key.name, key.column, key.nullable, fields) for key in resource.sort]
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
    )
    view.access_cases = _access_cases(spec, resource, view.creator_role)
    view.actor_for = {
        action: _acting_role(spec, resource, view.creator_role, action)
        for action in ("update", "delete")
    }
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
    if item.type != "enum":
        return None
    name = f"{resource.name}{pascal_case(item.name)}"
    members = tuple((_identifier(value), value) for value in item.values)
    return EnumView(name=name, members=members)


def _identifier(value: str) -> str:
    text = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").upper()
    return text if text and not text[0].isdigit() else f"V_{text}"


def column_type_source(column: Column) -> str:
    """The SQLAlchemy type of a column as Python source, as migrations spell it."""
    match column.kind:
        case "uuid":
            return "sa.Uuid()"
        case "integer":
            return "sa.Integer()"
        case "float":
            return "sa.Double()"
        case "decimal":
            return f"sa.Numeric(precision={column.precision}, scale={column.scale})"
        case "boolean":
            return "sa.Boolean()"
        case "date":
            return "sa.Date()"
        case "datetime":
            return "sa.DateTime(timezone=True)"
        case "string":
            return f"sa.String(length={column.length})"
        case "text":
            return "sa.Text()"
        case "json":
            return "sa.JSON()"


def _model_type_source(column: Column) -> str:
    # Models read timestamps back as aware UTC datetimes on every database.
    return "UTCDateTime()" if column.kind == "datetime" else column_type_source(column)


_PLAIN_TYPES = {
    "string": "str",
    "text": "str",
    "email": "str",
    "url": "str",
    "integer": "int",
    "float": "float",
    "decimal": "Decimal",
    "boolean": "bool",
    "date": "date",
    "datetime": "datetime",
    "uuid": "uuid.UUID",
    "json": "JsonValue",
}


def _literal(item: ResolvedField, enum: EnumView | None) -> str | None:
    value = item.default
    if item.default_factory is not None or value is None:
        return None
    if enum is not None:
        member = next(ident for ident, v in enum.members if v == value)
        return f"{enum.name}.{member}"
    match item.type:
        case "decimal":
            places = Decimal(1).scaleb(-(item.scale or 0))
            return f'Decimal("{Decimal(str(value)).quantize(places)}")'
        case "date":
            return f'date.fromisoformat("{value}")'
        case "datetime":
            return f'datetime.fromisoformat("{value}")'
        case "uuid":
            return f'uuid.UUID("{value}")'
        case _:
            return repr(value)


@dataclass(frozen=True)
class FieldChecks:
    """What a generated input schema checks of a field's value, besides its type."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    low: float | None = None
    high: float | None = None
    digits: tuple[int | None, int | None] | None = None  # (precision, scale) of a decimal
    finite: bool = False


def field_checks(item: ResolvedField) -> FieldChecks:
    if item.type in {"string", "text"}:
        return FieldChecks(
            min_length=item.min_length, max_length=item.max_length, pattern=item.pattern
        )
    if item.type in {"email", "url"}:
        return FieldChecks(max_length=item.max_length or None)
    if item.type in {"integer", "float", "decimal"}:
        low, high = item.min, item.max
        if item.type == "integer":
            low = INT32[0] if low is None else low
            high = INT32[1] if high is None else high
        return FieldChecks(
            low=low,
            high=high,
            digits=(item.precision, item.scale) if item.type == "decimal" else None,
            finite=item.type == "float",
        )
    return FieldChecks()


def _constraints(item: ResolvedField) -> list[str]:
    checks = field_checks(item)
    args: list[str] = []
    if checks.min_length:
        args.append(f"min_length={checks.min_length}")
    if checks.max_length is not None:
        args.append(f"max_length={checks.max_length}")
    if checks.pattern is not None:
        args.append(f"pattern={checks.pattern!r}")
    if checks.low is not None:
        args.append(f"ge={_number(item, checks.low)}")
    if checks.high is not None:
        args.append(f"le={_number(item, checks.high)}")
    if checks.digits is not None:
        args.append(f"max_digits={checks.digits[0]}")
        args.append(f"decimal_places={checks.digits[1]}")
    if checks.finite:
        args.append("allow_inf_nan=False")
    return args


def _number(item: ResolvedField, value: float) -> str:
    if item.type == "integer":
        return str(int(value))
    if item.type == "decimal":
        return f'Decimal("{_decimal_text(value)}")'
    return repr(float(value))


def _decimal_text(value: float) -> str:
    return format(Decimal(str(value)), "f")


def _input_annotation(item: ResolvedField, enum: EnumView | None) -> str:
    if enum is not None:
        base = enum.name
    elif item.type == "email":
        base = "EmailStr"
    elif item.type == "url":
        base = "HttpUrlText"
    elif item.type == "datetime":
        base = "AwareDatetime"
    else:
        base = _PLAIN_TYPES[item.type]
    constraints = _constraints(item)
    if constraints:
        extra = f", AfterValidator(scaled({item.scale or 0}))" if item.type == "decimal" else ""
        base = f"Annotated[{base}, Field({', '.join(constraints)}){extra}]"
    return base


def _field(resource: Resource, item: ResolvedField, column: Column) -> FieldView:
    enum = _enum(resource, item)
    plain = enum.name if enum else _PLAIN_TYPES[item.type]
    model_annotation = plain if item.required else f"{plain} | None"
    default = _literal(item, enum)
    factory = None
    if item.default_factory == "now":
        factory = "utcnow" if item.type == "datetime" else "today"
    elif item.default_factory == "uuid4":
        factory = "uuid.uuid4"
    model_default = default if default is not None else (None if item.required else "None")
    input_annotation = _input_annotation(item, enum)
    input_default: str | None = None
    if not item.required:
        input_annotation = f"{input_annotation} | None"
        input_default = default or "None"
    elif item.optional_on_create:
        input_default = default or ("None" if factory else None)
        if factory:
            input_annotation = f"{input_annotation} | None"
    public = model_annotation
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
        sa_type=f"EnumText({enum.name}, length={column.length})"
        if enum
        else _model_type_source(column),
        model_default=model_default,
        model_default_factory=factory,
        input_annotation=input_annotation,
        input_default=input_default,
        public_annotation=public,
        sample=_sample(item),
        invalid=_invalid(item),
    )


def _sample(item: ResolvedField) -> str:
    """A Python expression of `n` giving a valid JSON value for the field, distinct per n."""
    match item.type:
        case "string" | "text":
            return _string_sample(item)
        case "email":
            return 'f"user{n}@example.com"'
        case "url":
            return 'f"https://example.com/items/{n}"'
        case "integer":
            low = int(item.min) if item.min is not None else 0
            high = int(item.max) if item.max is not None else low + 1_000_000
            return f"{low} + n % {high - low + 1}"
        case "float":
            bottom = float(item.min) if item.min is not None else 0.0
            top = float(item.max) if item.max is not None else bottom + 1_000_000.0
            return f"{bottom!r} + (n % 1000) * {(top - bottom) / 1000!r}"
        case "decimal":
            scale = item.scale or 0
            floor = Decimal(str(item.min)) if item.min is not None else Decimal(0)
            digits = (item.precision or 12) - scale
            cap = Decimal(10) ** min(digits, 9) - 1
            ceiling = Decimal(str(item.max)) if item.max is not None else floor + cap
            span = int(min(ceiling - floor, cap))
            low_text = format(floor.quantize(Decimal(1).scaleb(-scale)), "f")
            return f'str(Decimal("{low_text}") + n % {max(span, 1)})'
        case "boolean":
            return "n % 2 == 0"
        case "date":
            return "(date(2030, 1, 1) + timedelta(days=n)).isoformat()"
        case "datetime":
            return "(datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat()"
        case "uuid":
            return "str(uuid.UUID(int=n + 1))"
        case "enum":
            values = list(item.values)
            return f"{values!r}[n % {len(values)}]"
        case "json":
            return '{"n": n}'
    raise ValueError(item.type)


def _string_sample(item: ResolvedField) -> str:
    stem = re.sub(r"[^a-z]", "", item.name.lower()) or "value"
    low = item.min_length or 0
    high = item.max_length or 10_000
    templates = [
        f"{stem}-{{n}}",
        f"{stem.upper()}-{{n}}",
        f"{stem}{{n}}",
        f"{stem.upper()}{{n}}",
        "x{n}",
        "{n}",
    ]
    for template in templates:
        padded = template
        shortest = len(template.format(n=1))
        if shortest < low:
            padded = template.replace("{n}", "x" * (low - shortest) + "{n}")
        candidates = [padded.format(n=n) for n in (1, 42, 999_999)]
        if all(low <= len(c) <= high for c in candidates) and (
            item.pattern is None or all(re.fullmatch(item.pattern, c) for c in candidates)
        ):
            return f"f{padded!r}"
    if isinstance(item.example, str):
        return repr(item.example)
    raise SampleError(
        f"field {item.name}: no test value satisfies its pattern {item.pattern!r}; add an "
        "`example:` that matches it"
    )


class SampleError(UnsupportedSpecError):
    """A field's constraints leave no value the generated tests can use."""


def _invalid(item: ResolvedField) -> tuple[tuple[str, str], ...]:
    """(label, Python literal of an invalid JSON value) pairs for validation tests."""
    cases: list[tuple[str, str]] = []
    if item.type in {"string", "text"}:
        if item.min_length:
            cases.append(("too_short", repr("x" * (item.min_length - 1))))
        if item.max_length is not None:
            cases.append(("too_long", repr("x" * (item.max_length + 1))))
        if item.pattern is not None:
            for candidate in ("!", " ", "--", "ZZ!", "a b"):
                if not re.fullmatch(item.pattern, candidate):
                    cases.append(("pattern", repr(candidate)))
                    break
        cases.append(("wrong_type", "12345"))
    elif item.type in {"integer", "float", "decimal"}:
        if item.min is not None:
            cases.append(("below_min", repr(_step(item, item.min, -1))))
        if item.max is not None:
            cases.append(("above_max", repr(_step(item, item.max, 1))))
        if item.type == "integer" and item.max is None:
            cases.append(("above_int32", repr(INT32[1] + 1)))
        if item.type == "decimal":
            cases.append(("too_many_decimals", repr("1." + "1" * ((item.scale or 0) + 1))))
        cases.append(("not_a_number", repr("many")))
    elif item.type == "enum":
        cases.append(("not_a_value", repr("not-a-value")))
    elif item.type == "email":
        cases.append(("not_an_email", repr("not-an-email")))
    elif item.type == "url":
        cases.append(("not_a_url", repr("not a url")))
    elif item.type == "datetime":
        cases.append(("naive", repr("2030-01-01T00:00:00")))
        cases.append(("not_a_datetime", repr("yesterday")))
    elif item.type == "date":
        cases.append(("not_a_date", repr("2030-13-45")))
    elif item.type == "boolean":
        cases.append(("not_a_boolean", repr("maybe")))
    elif item.type == "uuid":
        cases.append(("not_a_uuid", repr("not-a-uuid")))
    return tuple(cases)


def _step(item: ResolvedField, bound: float, direction: int) -> int | float | str:
    if item.type == "integer":
        return int(bound) + direction
    if item.type == "decimal":
        unit = Decimal(1).scaleb(-(item.scale or 0))
        return str(Decimal(str(bound)) + direction * unit)
    return float(bound) + direction * max(abs(float(bound)) * 0.01, 0.5)


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
        base = view.enum.name if view.enum else _PLAIN_TYPES[view.type]
        if view.type == "datetime":
            base = "AwareDatetime"
        if view.type in {"email", "url"}:
            base = "str"
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


_PARSERS = {
    "datetime": "datetime.fromisoformat",
    "date": "date.fromisoformat",
    "integer": "int",
    "float": "float",
    "decimal": "Decimal",
    "uuid": "uuid.UUID",
    "boolean": "_parse_bool",
}


def _sort(
    resource: Resource, name: str, column: str, nullable: bool, fields: list[FieldView]
) -> SortView:
    if name in {"created_at", "updated_at"}:
        kind = "datetime"
    elif name == "id":
        kind = "uuid"
    else:
        kind = next(f.type for f in fields if f.name == name)
    return SortView(name=name, column=column, nullable=nullable, parse=_PARSERS.get(kind, "str"))


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
        args.append(f"sa.CheckConstraint({check.sql!r}, name={check.name!r})")
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
