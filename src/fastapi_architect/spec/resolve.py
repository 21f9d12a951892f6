"""From a validated spec document to the resolved model: semantic checks, defaults,
derived names, inverse relations, tables, indexes and open questions."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import limits

from fastapi_architect.spec.document import (
    FieldSpec,
    FieldType,
    RelationSpec,
    ResourceSpec,
    SpecDocument,
)
from fastapi_architect.spec.model import (
    ACTIONS,
    Access,
    Action,
    Api,
    Auth,
    Database,
    DefaultFactory,
    ForeignKeyAction,
    Jwks,
    OpenQuestion,
    Project,
    RateLimits,
    ResolvedField,
    ResolvedFilter,
    ResolvedRelation,
    ResolvedSpec,
    Resource,
    Scalar,
    SortKey,
    Table,
)
from fastapi_architect.spec.names import (
    GENERATED_CLASSES,
    MAX_IDENTIFIER,
    MODEL_RESERVED,
    PYTHON_SHADOWED,
    RESOURCE_CLASS_SUFFIXES,
    RESOURCE_NAME,
    SNAKE_NAME,
    SQL_RESERVED,
    is_python_keyword,
    pascal_case,
    pluralize,
    singularize,
    snake_case,
)
from fastapi_architect.spec.problems import Problem, did_you_mean, one_of
from fastapi_architect.spec.source import DocPath, SourceMap
from fastapi_architect.spec.tables import build_tables, format_number

USER = "User"
IMPLICIT_COLUMNS = ("id", "created_at", "updated_at", "owner_id", "deleted_at")
# Query parameters every list endpoint already takes.
LIST_PARAMS = frozenset({"limit", "cursor", "sort", "q", "include_deleted"})
PRINCIPALS = ("public", "authenticated", "owner")
STRING_TYPES = frozenset({"string", "text", "email", "url"})
NUMERIC_TYPES = frozenset({"integer", "float", "decimal"})
RANGE_TYPES = NUMERIC_TYPES | {"date", "datetime"}
SYSTEM_TABLES = ("refresh_tokens", "audit_log")
DEFAULT_STRING_LENGTH = 255
DEFAULT_LENGTHS = {"email": 320, "url": 2048}
ON_DELETE_SQL: dict[str, ForeignKeyAction] = {
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "restrict": "RESTRICT",
}
ENUM_VALUE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
PATH_PREFIX = re.compile(r"^(/[a-z0-9][a-z0-9._-]*)*$")
PROJECT_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass
class _Draft:
    """A resource while it is being resolved; frozen into `Resource` at the end."""

    name: str
    spec: ResourceSpec
    path: DocPath
    singular: str
    plural: str
    table: str
    builtin: bool
    fields: list[ResolvedField] = field(default_factory=list)
    relations: list[ResolvedRelation] = field(default_factory=list)

    def field_names(self) -> set[str]:
        return {item.name for item in self.fields}

    def relation_names(self) -> set[str]:
        return {item.name for item in self.relations}


class _Resolver:
    def __init__(self, document: SpecDocument, source: SourceMap) -> None:
        self.doc = document
        self.source = source
        self.problems: list[Problem] = []
        self.questions: list[OpenQuestion] = []
        self.drafts: dict[str, _Draft] = {}

    # ------------------------------------------------------------ reporting

    def error(
        self, path: DocPath, code: str, message: str, hint: str | None = None, *, key: bool = False
    ) -> None:
        location = self.source.key(path) if key else self.source.value(path)
        self.problems.append(Problem.at(location, code, message, hint))

    def question(self, path: DocPath, subject: str, decision: str) -> None:
        location = self.source.key(path)
        self.questions.append(OpenQuestion(location=location, subject=subject, decision=decision))

    # ------------------------------------------------------------ top level

    def resolve(self) -> ResolvedSpec | None:
        project = self.project()
        api = self.api()
        auth = self.auth()
        rate_limits = self.rate_limits()
        database = Database(engine=self.doc.database.engine, pooler=self.doc.database.pooler)
        self.resources_first_pass(auth)
        self.class_clashes()
        for draft in self.drafts.values():
            self.relations(draft, auth)
        self.pair_inverses()
        resources = [self.finish(draft, auth, api) for draft in self.drafts.values()]
        if self.problems:
            return None
        tables = build_tables(auth, api, resources)
        self.table_clashes(tables)
        self.filter_index_questions(resources, tables)
        if self.problems:
            return None
        return ResolvedSpec(
            project=project,
            api=api,
            database=database,
            auth=auth,
            rate_limits=rate_limits,
            resources=tuple(resources),
            tables=tuple(tables),
            open_questions=tuple(
                sorted(self.questions, key=lambda q: (q.location.line, q.location.column))
            ),
        )

    def project(self) -> Project:
        spec = self.doc.project
        path: DocPath = ("project", "name")
        if not PROJECT_NAME.match(spec.name) or len(spec.name) > 50:
            suggestion = re.sub(r"[^a-z0-9_-]+", "-", spec.name.lower()).strip("-_") or "my-api"
            if not suggestion[0].isalpha():
                suggestion = f"api-{suggestion}"
            self.error(
                path,
                "bad-name",
                f"project name {spec.name!r} must be lowercase letters, digits, '-' or '_', "
                "starting with a letter (at most 50 characters)",
                f"use {suggestion!r}",
            )
        package = spec.name.replace("-", "_")
        if is_python_keyword(package):
            self.error(path, "reserved-name", f"project name {spec.name!r} is a Python keyword")
        title = spec.title or spec.name.replace("-", " ").replace("_", " ").title()
        return Project(
            name=spec.name,
            package=package,
            title=title,
            description=spec.description,
            version=spec.version,
        )

    def api(self) -> Api:
        spec = self.doc.api
        if not PATH_PREFIX.match(spec.prefix):
            self.error(
                ("api", "prefix"),
                "bad-prefix",
                f"API prefix {spec.prefix!r} must be '' or '/segment/...' in lowercase, "
                "without a trailing slash",
                "use '/api/v1'",
            )
        if spec.default_page_size > spec.max_page_size:
            self.error(
                ("api", "default_page_size"),
                "bad-default",
                f"default_page_size {spec.default_page_size} is larger than "
                f"max_page_size {spec.max_page_size}",
                f"use at most {spec.max_page_size}",
            )
        if "ids" not in spec.model_fields_set:
            self.question(("api",), "api.ids", "not set: UUID (v4) primary keys")
        return Api(
            prefix=spec.prefix,
            pagination=spec.pagination,
            default_page_size=spec.default_page_size,
            max_page_size=spec.max_page_size,
            ids=spec.ids,
        )

    def auth(self) -> Auth:
        spec = self.doc.auth
        path: DocPath = ("auth",)
        if "auth" not in self.doc.model_fields_set:
            self.question((), "auth", "not set: built-in auth (register, login, JWTs)")
        roles: list[str] = []
        for index, role in enumerate(spec.roles):
            role_path = ("auth", "roles", index)
            if not SNAKE_NAME.match(role):
                self.error(role_path, "bad-name", f"role {role!r} must be snake_case")
            elif role in PRINCIPALS:
                self.error(
                    role_path,
                    "reserved-name",
                    f"{role!r} is a built-in principal, not a role name",
                    "pick another name for the role",
                )
            elif role in roles:
                self.error(role_path, "duplicate", f"role {role!r} is listed twice")
            else:
                roles.append(role)
        default_role = spec.default_role
        if default_role is None:
            default_role = roles[0] if roles else None
            if spec.mode != "none" and default_role:
                self.question(path, "auth.default_role", f"not set: new users get {default_role!r}")
        elif default_role not in roles:
            self.unknown_role(("auth", "default_role"), default_role, roles)
        admin_role = spec.admin_role
        if admin_role is None:
            admin_role = "admin" if "admin" in roles else None
        elif admin_role not in roles:
            self.unknown_role(("auth", "admin_role"), admin_role, roles)
        jwks = None
        if spec.mode == "jwks":
            if spec.jwks is None:
                self.error(
                    path,
                    "missing-key",
                    "auth mode 'jwks' needs the issuer's keys: add auth.jwks",
                    "add jwks: {url: https://auth.example.com/api/auth/jwks, issuer: "
                    "https://auth.example.com, audience: https://auth.example.com}",
                )
            else:
                url = spec.jwks.url
                local = re.match(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?/", url)
                if not (url.startswith("https://") or local):
                    self.error(
                        ("auth", "jwks", "url"),
                        "insecure-url",
                        f"JWKS url {url!r} must use https (plain http only for localhost)",
                        "serve the key set over https",
                    )
                for key in ("issuer", "audience"):
                    if not getattr(spec.jwks, key).strip():
                        self.error(("auth", "jwks", key), "bad-value", f"jwks.{key} is empty")
                jwks = Jwks(
                    url=url,
                    issuer=spec.jwks.issuer,
                    audience=spec.jwks.audience,
                    algorithms=tuple(dict.fromkeys(spec.jwks.algorithms)),
                    cache_minutes=spec.jwks.cache_minutes,
                )
        elif spec.jwks is not None:
            self.error(
                ("auth", "jwks"),
                "unused-key",
                f"auth.jwks is only used when auth.mode is 'jwks' (it is {spec.mode!r})",
                "set mode: jwks, or remove jwks",
                key=True,
            )
        return Auth(
            mode=spec.mode,
            access_token_minutes=spec.access_token_minutes,
            refresh_token_days=spec.refresh_token_days,
            roles=tuple(roles),
            default_role=default_role if spec.mode != "none" else None,
            admin_role=admin_role if spec.mode != "none" else None,
            jwks=jwks,
        )

    def unknown_role(self, path: DocPath, role: str, roles: Sequence[str]) -> None:
        self.error(
            path,
            "unknown-role",
            f"role {role!r} is not declared in auth.roles ({one_of(roles)})",
            did_you_mean(role, roles) or f"add {role!r} to auth.roles",
        )

    def rate_limits(self) -> RateLimits:
        spec = self.doc.rate_limits
        for key in ("login", "default"):
            value: str = getattr(spec, key)
            try:
                limits.parse(value)
            except ValueError:
                self.error(
                    ("rate_limits", key),
                    "bad-rate",
                    f"rate limit {value!r} is not a rate",
                    "write it as COUNT/PERIOD, e.g. '5/minute' or '100 per hour'",
                )
        return RateLimits(login=spec.login, default=spec.default)

    # ------------------------------------------------------------ resources

    def resources_first_pass(self, auth: Auth) -> None:
        resources = dict(self.doc.resources)
        if auth.enabled and USER not in resources:
            resources = {USER: ResourceSpec(), **resources}
        elif auth.enabled:
            resources = {USER: resources[USER], **resources}
        if not self.doc.resources:
            self.error(
                ("resources",),
                "empty",
                "the spec declares no resources",
                "add one, e.g. resources: {Note: {owned: true, fields: {text: string}}}",
            )
        plurals: dict[str, str] = {}
        tables: dict[str, str] = {}
        for name, spec in resources.items():
            path: DocPath = ("resources", name)
            builtin = auth.enabled and name == USER
            if not RESOURCE_NAME.match(name):
                self.error(
                    path,
                    "bad-name",
                    f"resource name {name!r} must be PascalCase (letters and digits)",
                    f"use {pascal_case(name) or 'Item'!r}",
                    key=True,
                )
                continue
            if builtin:
                self.check_builtin_user(spec, path)
            singular = snake_case(name)
            plural = spec.plural or pluralize(singular)
            table = spec.table or plural
            ok = True
            for key, value in (("plural", plural), ("table", table)):
                ok &= self.check_identifier(
                    (*path, key) if getattr(spec, key) else path,
                    value,
                    f"the {key} of {name}",
                    key=not getattr(spec, key),
                )
            if plural == singular:
                self.error(
                    (*path, "plural") if spec.plural else path,
                    "name-clash",
                    f"{name}'s plural {plural!r} equals its singular, so item and collection "
                    "routes would collide",
                    "set plural: to a distinct word",
                    key=not spec.plural,
                )
            if plural in plurals:
                self.error(
                    path,
                    "name-clash",
                    f"{name} and {plurals[plural]} have the same plural {plural!r}",
                    "set plural: on one of them",
                    key=True,
                )
            elif table in tables:
                self.error(
                    path,
                    "name-clash",
                    f"{name} and {tables[table]} map to the same table {table!r}",
                    "set table: on one of them",
                    key=True,
                )
            elif table in SYSTEM_TABLES or (table == "users" and auth.enabled and not builtin):
                self.error(
                    path,
                    "name-clash",
                    f"{name}'s table {table!r} is used by the backend itself",
                    "set table: to another name",
                    key=True,
                )
            if not ok:
                continue
            plurals[plural] = name
            tables[table] = name
            draft = _Draft(name, spec, path, singular, plural, table, builtin)
            self.drafts[name] = draft
            self.fields(draft, auth)

    def class_clashes(self) -> None:
        """Resource names must not collide with the classes generated beside them."""
        names = set(self.drafts)
        taken: dict[str, str] = {}
        for draft in self.drafts.values():
            if draft.builtin:
                continue
            for suffix in RESOURCE_CLASS_SUFFIXES:
                taken[draft.name + suffix] = f"the {suffix} schema of {draft.name}"
            for field_name, spec in draft.spec.fields.items():
                if spec.type == "enum":
                    taken[draft.name + pascal_case(field_name)] = (
                        f"the enum of {draft.name}.{field_name}"
                    )
        for name in sorted(names):
            draft = self.drafts[name]
            if draft.builtin:
                continue
            if name in GENERATED_CLASSES:
                self.error(
                    draft.path,
                    "reserved-name",
                    f"resource name {name!r} is a class the generated backend defines already",
                    f"use a more specific name, e.g. {name + 'Entry'!r}",
                    key=True,
                )
            elif name in taken:
                self.error(
                    draft.path,
                    "name-clash",
                    f"resource name {name!r} is also the name of {taken[name]}",
                    "rename one of them",
                    key=True,
                )

    def check_builtin_user(self, spec: ResourceSpec, path: DocPath) -> None:
        for key in sorted(spec.model_fields_set - {"fields", "description"}):
            self.error(
                (*path, key),
                "builtin-user",
                f"the built-in User resource takes only 'fields' and 'description', not {key!r}",
                "users are managed by the auth endpoints; add fields to extend them",
                key=True,
            )

    def check_identifier(
        self, path: DocPath, name: str, what: str, *, key: bool = False, sql: bool = True
    ) -> bool:
        if not SNAKE_NAME.match(name):
            self.error(
                path,
                "bad-name",
                f"{name!r}, {what}, must be snake_case: lowercase letters, digits and '_', "
                "starting with a letter",
                f"use {snake_case(re.sub(r'[^A-Za-z0-9]+', '_', name)).strip('_') or 'item'!r}",
                key=key,
            )
            return False
        if len(name) > MAX_IDENTIFIER - 10:
            self.error(
                path,
                "bad-name",
                f"{name!r}, {what}, is too long ({len(name)} characters; at most "
                f"{MAX_IDENTIFIER - 10} leave room for index names)",
                key=key,
            )
            return False
        if is_python_keyword(name):
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, is a Python keyword",
                f"use {name + '_'!r} or another word",
                key=key,
            )
            return False
        if sql and name in SQL_RESERVED:
            self.error(
                path,
                "sql-keyword",
                f"{name!r}, {what}, is a reserved SQL keyword",
                f"use another word, e.g. {name + '_value'!r} or a more specific name",
                key=key,
            )
            return False
        return True

    def check_member_name(
        self, draft: _Draft, path: DocPath, name: str, what: str, *, column: bool = True
    ) -> bool:
        """Checks for a field or relation name on a resource (`column`: it names a column)."""
        if not self.check_identifier(path, name, what, key=True, sql=column):
            return False
        if name in IMPLICIT_COLUMNS or name == "owner":
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, is an implicit column that every resource already has"
                if name in IMPLICIT_COLUMNS
                else f"'owner', {what}, is the implicit owner of owned resources",
                "remove it, or choose another name",
                key=True,
            )
            return False
        if name in MODEL_RESERVED or name in PYTHON_SHADOWED or name.startswith("model_"):
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, would shadow an attribute of the generated model class",
                "choose another name",
                key=True,
            )
            return False
        return True

    # ------------------------------------------------------------ fields

    def fields(self, draft: _Draft, auth: Auth) -> None:
        id_type: FieldType = "uuid" if self.doc.api.ids == "uuid" else "integer"
        draft.fields.append(_implicit("id", id_type, "Primary key."))
        if draft.spec.owned:
            if not auth.enabled:
                self.error(
                    (*draft.path, "owned"),
                    "needs-auth",
                    f"{draft.name} is owned, but auth.mode is 'none': there is no user to own rows",
                    "turn auth on, or remove owned",
                    key=True,
                )
            draft.fields.append(_implicit("owner_id", id_type, "The user who owns the row."))
        if draft.builtin:
            draft.fields.extend(_builtin_user_fields(auth))
        builtin_names = draft.field_names()
        for name, spec in draft.spec.fields.items():
            path = (*draft.path, "fields", name)
            if not self.check_member_name(draft, path, name, f"a field of {draft.name}"):
                continue
            if name in builtin_names:
                self.error(
                    path,
                    "name-clash",
                    f"field User.{name} is built in already",
                    "remove it, or choose another name",
                    key=True,
                )
                continue
            resolved = self.field(draft, name, spec, path)
            if resolved is not None:
                draft.fields.append(resolved)
        draft.fields.append(_implicit("created_at", "datetime", "When the row was created."))
        draft.fields.append(_implicit("updated_at", "datetime", "When the row last changed."))
        if draft.spec.soft_delete:
            draft.fields.append(
                _implicit("deleted_at", "datetime", "When the row was deleted.", required=False)
            )

    def field(
        self, draft: _Draft, name: str, spec: FieldSpec, path: DocPath
    ) -> ResolvedField | None:
        subject = f"{draft.name}.{name}"
        given = spec.model_fields_set
        before = len(self.problems)
        kind = spec.type
        # Constraints that only make sense for some types.
        applicable: dict[str, frozenset[str]] = {
            "min_length": STRING_TYPES,
            "max_length": STRING_TYPES,
            "pattern": STRING_TYPES,
            "min": NUMERIC_TYPES,
            "max": NUMERIC_TYPES,
            "values": frozenset({"enum"}),
            "precision": frozenset({"decimal"}),
            "scale": frozenset({"decimal"}),
        }
        for key, types in applicable.items():
            if key in given and getattr(spec, key) is not None and kind not in types:
                self.error(
                    (*path, key),
                    "not-applicable",
                    f"{key} does not apply to {kind} field {subject}",
                    f"{key} applies to {', '.join(sorted(types))} fields; remove it",
                    key=True,
                )
        max_length = spec.max_length
        if kind == "string" and max_length is None:
            max_length = DEFAULT_STRING_LENGTH
            self.question(
                path, subject, f"string without max_length: {DEFAULT_STRING_LENGTH} taken"
            )
        elif kind in DEFAULT_LENGTHS and max_length is None:
            max_length = DEFAULT_LENGTHS[kind]
        if spec.min_length is not None and max_length is not None and spec.min_length > max_length:
            self.error(
                (*path, "min_length"),
                "bad-constraint",
                f"{subject}: min_length {spec.min_length} is larger than max_length {max_length}",
            )
        if spec.min is not None and spec.max is not None and spec.min > spec.max:
            self.error(
                (*path, "min"),
                "bad-constraint",
                f"{subject}: min {format_number(spec.min)} is larger than "
                f"max {format_number(spec.max)}",
            )
        if spec.pattern is not None:
            try:
                re.compile(spec.pattern)
            except re.error as exc:
                self.error(
                    (*path, "pattern"),
                    "bad-pattern",
                    f"{subject}: pattern is not a valid regular expression: {exc}",
                )
        values: tuple[str, ...] = ()
        if kind == "enum":
            values = self.enum_values(spec, path, subject)
        precision = scale = None
        if kind == "decimal":
            precision = spec.precision if spec.precision is not None else 12
            scale = spec.scale if spec.scale is not None else 2
            if "precision" not in given or "scale" not in given:
                self.question(
                    path, subject, f"decimal precision/scale not set: NUMERIC({precision}, {scale})"
                )
            if scale > precision:
                self.error(
                    (*path, "scale"),
                    "bad-constraint",
                    f"{subject}: scale {scale} is larger than precision {precision}",
                )
        if spec.sensitive and spec.read_only:
            self.error(
                (*path, "read_only"),
                "conflict",
                f"{subject} cannot be both sensitive (write-only) and read_only (never written)",
                "keep one of them",
                key=True,
            )
        if kind == "json" and (spec.unique or spec.index):
            self.error(
                (*path, "unique" if spec.unique else "index"),
                "not-applicable",
                f"json field {subject} cannot be unique or indexed",
                key=True,
            )
        if spec.sensitive and (spec.unique or spec.index):
            self.error(
                (*path, "unique" if spec.unique else "index"),
                "not-applicable",
                f"sensitive field {subject} should not be indexed (the index would expose it to "
                "lookups)",
                "remove unique/index, or store a hash in another field",
                key=True,
            )
        default: Scalar | None = None
        factory: DefaultFactory | None = None
        has_default = "default" in given and spec.default is not None
        if "default" in given and spec.default is None and spec.required:
            self.error(
                (*path, "default"),
                "bad-default",
                f"{subject}: default is null but the field is required",
                "set required: false, or give a value",
            )
        if has_default and len(self.problems) == before:
            default, factory = self.check_default(spec, path, subject, max_length, values)
        if spec.read_only and spec.required and not has_default:
            self.error(
                (*path, "read_only"),
                "bad-default",
                f"read_only field {subject} is required but has no default, so no row could "
                "ever be created",
                "give it a default, or set required: false",
                key=True,
            )
        example = self.example(spec, path, subject)
        if len(self.problems) != before:
            return None
        number = int if kind == "integer" else float
        return ResolvedField(
            name=name,
            type=kind,
            description=spec.description,
            required=spec.required,
            optional_on_create=not spec.required or has_default or spec.read_only,
            default=default,
            default_factory=factory,
            unique=spec.unique,
            index=spec.index,
            min_length=spec.min_length,
            max_length=max_length,
            pattern=spec.pattern,
            min=None if spec.min is None else number(spec.min),
            max=None if spec.max is None else number(spec.max),
            values=values,
            precision=precision,
            scale=scale,
            sensitive=spec.sensitive,
            read_only=spec.read_only,
            example=example,
        )

    def enum_values(self, spec: FieldSpec, path: DocPath, subject: str) -> tuple[str, ...]:
        if not spec.values:
            self.error(
                path,
                "missing-key",
                f"enum field {subject} needs its values",
                "add values: [first, second]",
            )
            return ()
        seen: list[str] = []
        for index, value in enumerate(spec.values):
            if not ENUM_VALUE.match(value) or len(value) > 50:
                self.error(
                    (*path, "values", index),
                    "bad-value",
                    f"enum value {value!r} of {subject} must start with a letter and use letters, "
                    "digits, '_' or '-' (at most 50)",
                )
            elif value in seen:
                self.error(
                    (*path, "values", index),
                    "duplicate",
                    f"enum value {value!r} of {subject} is listed twice",
                )
            else:
                seen.append(value)
        return tuple(seen)

    def check_default(
        self,
        spec: FieldSpec,
        path: DocPath,
        subject: str,
        max_length: int | None,
        values: tuple[str, ...],
    ) -> tuple[Scalar | None, DefaultFactory | None]:
        value: Any = spec.default
        where = (*path, "default")
        kind = spec.type

        def bad(message: str, hint: str | None = None) -> tuple[None, None]:
            self.error(where, "bad-default", f"{subject}: default {value!r} {message}", hint)
            return None, None

        if kind in {"date", "datetime"} and value == "now":
            return None, "now"
        if kind == "uuid" and value == "uuid4":
            return None, "uuid4"
        match kind:
            case "boolean":
                if not isinstance(value, bool):
                    return bad("is not true or false")
                return value, None
            case "integer" | "float" | "decimal":
                number = _asformat_number(value, kind)
                if number is None:
                    return bad(f"is not {'an integer' if kind == 'integer' else 'a number'}")
                if spec.min is not None and number < spec.min:
                    return bad(f"is below the field's min {format_number(spec.min)}")
                if spec.max is not None and number > spec.max:
                    return bad(f"is above the field's max {format_number(spec.max)}")
                return (str(number) if isinstance(number, Decimal) else number), None
            case "date" | "datetime":
                parsed = _as_date(value, kind)
                if parsed is None:
                    return bad(
                        f"is not an ISO {kind}",
                        "use 'now', or e.g. 2025-01-31"
                        + ("T09:00:00Z" if kind == "datetime" else ""),
                    )
                return parsed, None
            case "uuid":
                try:
                    return str(uuid.UUID(str(value))), None
                except ValueError:
                    return bad("is not a UUID", "use 'uuid4' for a new random UUID per row")
            case "json":
                return bad("is not supported: json fields cannot have a default")
            case _:
                if not isinstance(value, str):
                    return bad("is not text", "quote it")
                if kind == "enum" and value not in values:
                    return bad(
                        f"is not one of its values ({one_of(values)})", did_you_mean(value, values)
                    )
                if max_length is not None and len(value) > max_length:
                    return bad(f"is longer than max_length {max_length}")
                if spec.min_length is not None and len(value) < spec.min_length:
                    return bad(f"is shorter than min_length {spec.min_length}")
                if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
                    return bad(f"does not match the pattern {spec.pattern!r}")
                return value, None

    def example(self, spec: FieldSpec, path: DocPath, subject: str) -> Scalar | None:
        value = spec.example
        if value is None:
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, (str, int, float, bool)):
            return value
        self.error((*path, "example"), "bad-value", f"{subject}: example must be a single value")
        return None

    # ------------------------------------------------------------ relations

    def relations(self, draft: _Draft, auth: Auth) -> None:
        names = draft.field_names()
        for name, spec in draft.spec.relations.items():
            path = (*draft.path, "relations", name)
            subject = f"{draft.name}.{name}"
            # A relation names a Python attribute; its column (`<name>_id`) is never a keyword.
            if not self.check_member_name(
                draft, path, name, f"a relation of {draft.name}", column=False
            ):
                continue
            if name in names:
                self.error(
                    path,
                    "name-clash",
                    f"relation {subject} has the same name as a field",
                    "rename one of them",
                    key=True,
                )
                continue
            target = self.drafts.get(spec.to)
            if target is None:
                choices = list(self.drafts)
                hint = did_you_mean(spec.to, choices)
                if spec.to == USER and not auth.enabled:
                    hint = "there is no User when auth.mode is 'none'"
                self.error(
                    (*path, "to") if isinstance(draft.spec.relations[name], RelationSpec) else path,
                    "unknown-resource",
                    f"relation {subject} points to unknown resource {spec.to!r}",
                    hint or f"declare it under resources, or use one of {one_of(choices)}",
                )
                continue
            resolved = self.relation(draft, target, name, spec, path, names)
            if resolved is not None:
                draft.relations.append(resolved)
                names.add(name)
                if resolved.column:
                    names.add(resolved.column)

    def relation(
        self,
        draft: _Draft,
        target: _Draft,
        name: str,
        spec: RelationSpec,
        path: DocPath,
        taken: set[str],
    ) -> ResolvedRelation | None:
        subject = f"{draft.name}.{name}"
        given = spec.model_fields_set
        if spec.kind != "many_to_one":
            for key in ("required", "on_delete"):
                if key in given:
                    self.error(
                        (*path, key),
                        "not-applicable",
                        f"{key} applies to many_to_one relations; {subject} is {spec.kind}",
                        "set it on the many_to_one side"
                        if spec.kind == "one_to_many"
                        else "remove it",
                        key=True,
                    )
                    return None
        same_owner = draft.spec.owned and target.spec.owned and _owner_only_read(target.spec)
        declared = ResolvedRelation(
            name=name,
            kind=spec.kind,
            target=target.name,
            required=False,
            on_delete=None,
            inverse=spec.inverse,
            column=None,
            association_table=None,
            association_columns=None,
            same_owner=False,
            declared=True,
            description=spec.description,
        )
        if spec.kind == "one_to_many":
            return declared
        if spec.kind == "many_to_many":
            return declared.model_copy(update={"same_owner": same_owner})
        required = True if spec.required is None else spec.required
        column = f"{name}_id"
        if column in taken:
            self.error(
                path,
                "name-clash",
                f"relation {subject} needs the column {column!r}, which is already a field",
                "rename the field or the relation",
                key=True,
            )
            return None
        on_delete = spec.on_delete
        if on_delete is None:
            on_delete = "restrict" if required else "set_null"
            self.question(
                path,
                subject,
                f"on_delete not set: {on_delete} (the relation is "
                f"{'required' if required else 'optional'})",
            )
        elif on_delete == "set_null" and required:
            self.error(
                (*path, "on_delete"),
                "conflict",
                f"{subject} is required, so deleting a {target.name} cannot set it to null",
                "set required: false, or use on_delete: cascade or restrict",
            )
            return None
        return declared.model_copy(
            update={
                "required": required,
                "on_delete": ON_DELETE_SQL[on_delete],
                "column": column,
                "same_owner": same_owner,
            }
        )

    def pair_inverses(self) -> None:
        """Pair each relation with its other side, adding derived inverses and association
        tables."""
        for draft in list(self.drafts.values()):
            for index, relation in enumerate(list(draft.relations)):
                if not relation.declared or relation.kind == "one_to_many":
                    continue
                target = self.drafts[relation.target]
                path = (*draft.path, "relations", relation.name)
                if relation.kind == "many_to_one":
                    draft.relations[index] = self.pair_many_to_one(draft, target, relation, path)
                else:
                    draft.relations[index] = self.pair_many_to_many(draft, target, relation, path)
        for draft in self.drafts.values():
            for relation in draft.relations:
                unpaired = relation.inverse is None or (
                    relation.inverse not in self.drafts[relation.target].relation_names()
                )
                if (
                    relation.kind == "one_to_many"
                    and relation.declared
                    and relation.column is None
                    and unpaired
                ):
                    self.error(
                        (*draft.path, "relations", relation.name),
                        "unpaired-relation",
                        f"one_to_many {draft.name}.{relation.name} has no many_to_one on "
                        f"{relation.target} pointing back at {draft.name}",
                        f"declare it on {relation.target}, e.g. {snake_case(draft.name)}: "
                        f"{{to: {draft.name}}}; the one_to_many side is then derived",
                        key=True,
                    )

    def pair_many_to_one(
        self, draft: _Draft, target: _Draft, relation: ResolvedRelation, path: DocPath
    ) -> ResolvedRelation:
        # An explicit one_to_many on the target that names this relation, or points here.
        for index, other in enumerate(target.relations):
            if (
                other.kind == "one_to_many"
                and other.declared
                and other.target == draft.name
                and other.column is None
                and (relation.inverse in (None, other.name))
                and other.inverse in (None, relation.name)
            ):
                # `column` marks the one_to_many as paired (the foreign key it reads).
                target.relations[index] = other.model_copy(
                    update={"inverse": relation.name, "column": relation.column}
                )
                return relation.model_copy(update={"inverse": other.name})
        if target.builtin and relation.inverse is None:
            # The built-in User stays lean: no derived collections on it.
            return relation
        inverse = relation.inverse or draft.plural
        if draft is target and relation.inverse is None:
            inverse = (
                f"{draft.plural}_of_{relation.name}"
                if draft.plural == relation.name
                else draft.plural
            )
        if not self.free_member(target, inverse, path, relation, draft):
            return relation
        target.relations.append(
            ResolvedRelation(
                name=inverse,
                kind="one_to_many",
                target=draft.name,
                required=False,
                on_delete=None,
                inverse=relation.name,
                column=relation.column,
                association_table=None,
                association_columns=None,
                same_owner=False,
                declared=False,
                description=f"{draft.name} rows whose {relation.name} is this {target.name}.",
            )
        )
        return relation.model_copy(update={"inverse": inverse})

    def pair_many_to_many(
        self, draft: _Draft, target: _Draft, relation: ResolvedRelation, path: DocPath
    ) -> ResolvedRelation:
        if relation.association_table is not None:
            return relation  # already paired from the other side
        left = f"{draft.singular}_id"
        right = f"{target.singular}_id"
        if left == right:
            right = f"{singularize(relation.name)}_id"
            if right == left:
                right = f"related_{right}"
        association = f"{draft.singular}_{relation.name}"
        columns = (left, right)
        for index, other in enumerate(target.relations):
            if (
                other is not relation
                and other.kind == "many_to_many"
                and other.declared
                and other.target == draft.name
                and other.association_table is None
                and relation.inverse in (None, other.name)
                and other.inverse in (None, relation.name)
            ):
                target.relations[index] = other.model_copy(
                    update={
                        "inverse": relation.name,
                        "association_table": association,
                        "association_columns": (right, left),
                    }
                )
                return relation.model_copy(
                    update={
                        "inverse": other.name,
                        "association_table": association,
                        "association_columns": columns,
                    }
                )
        paired = relation.model_copy(
            update={"association_table": association, "association_columns": columns}
        )
        if (target.builtin and relation.inverse is None) or draft is target:
            return paired
        inverse = relation.inverse or draft.plural
        if not self.free_member(target, inverse, path, relation, draft):
            return paired
        target.relations.append(
            ResolvedRelation(
                name=inverse,
                kind="many_to_many",
                target=draft.name,
                required=False,
                on_delete=None,
                inverse=relation.name,
                column=None,
                association_table=association,
                association_columns=(right, left),
                same_owner=False,
                declared=False,
                description=f"{draft.name} rows linked to this {target.name} by {relation.name}.",
            )
        )
        return paired.model_copy(update={"inverse": inverse})

    def free_member(
        self, target: _Draft, name: str, path: DocPath, relation: ResolvedRelation, draft: _Draft
    ) -> bool:
        taken = target.field_names() | target.relation_names()
        if name in taken or name in IMPLICIT_COLUMNS:
            self.error(
                path,
                "name-clash",
                f"the inverse of {draft.name}.{relation.name} would be {target.name}.{name}, "
                "which already exists",
                f"set inverse: to a free name on {target.name}",
                key=True,
            )
            return False
        return self.check_identifier(
            (*path, "inverse") if relation.inverse else path,
            name,
            f"the inverse relation on {target.name}",
            key=relation.inverse is None,
        )

    # ------------------------------------------------------------ lists and access

    def finish(self, draft: _Draft, auth: Auth, api: Api) -> Resource:
        spec = draft.spec
        fields = {item.name: item for item in draft.fields}
        relations = {item.name: item for item in draft.relations}
        unique = tuple(
            self.column_list(draft, names, (*draft.path, "unique", index), "unique")
            for index, names in enumerate(spec.unique)
        )
        indexes = tuple(
            self.column_list(draft, names, (*draft.path, "indexes", index), "index")
            for index, names in enumerate(spec.indexes)
        )
        filters = self.filters(draft, fields, relations)
        sort, default_sort, descending = self.sort(draft, fields)
        search = self.search(draft, fields)
        access = self.access(draft, auth)
        return Resource(
            name=draft.name,
            description=spec.description,
            singular=draft.singular,
            plural=draft.plural,
            table=draft.table,
            path=f"/{draft.plural.replace('_', '-')}",
            owned=spec.owned,
            soft_delete=spec.soft_delete,
            audit=spec.audit,
            builtin=draft.builtin,
            fields=tuple(draft.fields),
            relations=tuple(draft.relations),
            unique=unique,
            indexes=indexes,
            filters=filters,
            sort=sort,
            default_sort=default_sort,
            default_sort_descending=descending,
            search=search,
            access=access,
        )

    def column_list(
        self, draft: _Draft, names: list[str], path: DocPath, what: str
    ) -> tuple[str, ...]:
        """Names in a unique/index list, resolved to column names."""
        if not names:
            self.error(
                path, "empty", f"an empty {what} list on {draft.name}", "list at least one field"
            )
            return ()
        columns: list[str] = []
        fields = draft.field_names()
        relations = {item.name: item for item in draft.relations}
        for index, name in enumerate(names):
            where = (*path, index)
            if name == "owner" and draft.spec.owned:
                column = "owner_id"
            elif name in fields:
                column = name
            elif name in relations and relations[name].kind == "many_to_one":
                column = relations[name].column or name
            else:
                choices = sorted(
                    fields
                    | {r.name for r in draft.relations if r.kind == "many_to_one"}
                    | ({"owner"} if draft.spec.owned else set())
                )
                self.error(
                    where,
                    "unknown-field",
                    f"{what} on {draft.name} names {name!r}, which is not a field or many_to_one "
                    "relation" + (" (and the resource is not owned)" if name == "owner" else ""),
                    did_you_mean(name, choices) or f"use one of {one_of(choices)}",
                )
                continue
            if column in columns:
                self.error(where, "duplicate", f"{name!r} appears twice in this {what} list")
                continue
            columns.append(column)
        return tuple(columns)

    def filters(
        self,
        draft: _Draft,
        fields: dict[str, ResolvedField],
        relations: dict[str, ResolvedRelation],
    ) -> tuple[ResolvedFilter, ...]:
        result: list[ResolvedFilter] = []
        params: dict[str, str] = {}
        for index, name in enumerate(draft.spec.filters):
            path = (*draft.path, "filters", index)
            found: ResolvedFilter | None = None
            if name in fields:
                item = fields[name]
                if item.sensitive:
                    self.error(
                        path,
                        "sensitive-filter",
                        f"filter on sensitive field {draft.name}.{name}: filtering would reveal "
                        "its value",
                        "remove it from filters",
                    )
                    continue
                if item.type in {"json", "text"}:
                    self.error(
                        path,
                        "bad-filter",
                        f"cannot filter on {item.type} field {draft.name}.{name}",
                        "add it to search instead"
                        if item.type == "text"
                        else "remove it from filters",
                    )
                    continue
                if item.type in RANGE_TYPES:
                    found = ResolvedFilter(
                        name=name,
                        kind="range",
                        column=name,
                        params=(name, f"{name}_min", f"{name}_max"),
                    )
                else:
                    found = ResolvedFilter(name=name, kind="exact", column=name, params=(name,))
            elif name in relations and relations[name].kind == "many_to_one":
                column = relations[name].column or name
                found = ResolvedFilter(name=name, kind="relation", column=column, params=(column,))
            elif name in relations and relations[name].kind == "many_to_many":
                param = f"{singularize(name)}_id"
                found = ResolvedFilter(name=name, kind="many", column=param, params=(param,))
            elif name in relations:
                self.error(
                    path,
                    "bad-filter",
                    f"cannot filter {draft.name} by its one_to_many relation {name!r}",
                    f"filter the {relations[name].target} list by its many_to_one instead",
                )
                continue
            else:
                choices = sorted(set(fields) | set(relations))
                self.error(
                    path,
                    "unknown-field",
                    f"filter {name!r} is not a field or relation of {draft.name}",
                    did_you_mean(name, choices) or f"use one of {one_of(choices)}",
                )
                continue
            if any(existing.name == name for existing in result):
                self.error(path, "duplicate", f"filter {name!r} is listed twice")
                continue
            clash = next((p for p in found.params if p in LIST_PARAMS or p in params), None)
            if clash is not None:
                other = params.get(clash, "the list endpoint itself")
                self.error(
                    path,
                    "name-clash",
                    f"filter {name!r} needs the query parameter {clash!r}, already used by {other}",
                    "rename the field, or drop one of the filters",
                )
                continue
            params.update(dict.fromkeys(found.params, f"filter {name!r}"))
            result.append(found)
        return tuple(result)

    def sort(
        self, draft: _Draft, fields: dict[str, ResolvedField]
    ) -> tuple[tuple[SortKey, ...], str, bool]:
        spec = draft.spec
        names = spec.sort if spec.sort is not None else ["created_at"]
        keys: list[SortKey] = []
        path = (*draft.path, "sort")
        if spec.sort is not None and not spec.sort:
            self.error(
                path,
                "empty",
                f"{draft.name}.sort is empty",
                "list at least one field, e.g. created_at",
            )
        for index, name in enumerate(names):
            where = (*path, index)
            item = fields.get(name)
            if item is None:
                choices = sorted(fields)
                self.error(
                    where,
                    "unknown-field",
                    f"sort key {name!r} is not a field of {draft.name}",
                    did_you_mean(name.lstrip("-"), choices) or f"use one of {one_of(choices)}",
                )
                continue
            if item.sensitive or item.type in {"json", "text"}:
                why = "it is sensitive" if item.sensitive else f"it is {item.type}"
                self.error(where, "bad-sort", f"cannot sort {draft.name} by {name!r}: {why}")
                continue
            if any(key.name == name for key in keys):
                self.error(where, "duplicate", f"sort key {name!r} is listed twice")
                continue
            if not item.required:
                self.question(
                    where,
                    f"{draft.name}.{name}",
                    "optional sort key: rows without a value sort last",
                )
            keys.append(SortKey(name=name, column=name, nullable=not item.required))
        default = spec.default_sort
        if default is None:
            key_names = [key.name for key in keys]
            if "created_at" in key_names:
                return tuple(keys), "created_at", True
            return tuple(keys), (key_names[0] if key_names else "created_at"), False
        descending = default.startswith("-")
        name = default.lstrip("-")
        if name not in {key.name for key in keys}:
            self.error(
                (*draft.path, "default_sort"),
                "unknown-field",
                f"default_sort {default!r} is not one of {draft.name}'s sort keys",
                did_you_mean(name, [k.name for k in keys]) or "add it to sort",
            )
        return tuple(keys), name, descending

    def search(self, draft: _Draft, fields: dict[str, ResolvedField]) -> tuple[str, ...]:
        result: list[str] = []
        for index, name in enumerate(draft.spec.search):
            where = (*draft.path, "search", index)
            item = fields.get(name)
            if item is None:
                choices = sorted(n for n, f in fields.items() if f.type in STRING_TYPES)
                self.error(
                    where,
                    "unknown-field",
                    f"search field {name!r} is not a field of {draft.name}",
                    did_you_mean(name, choices)
                    or (f"use one of {one_of(choices)}" if choices else None),
                )
            elif item.type not in STRING_TYPES or item.type == "enum":
                self.error(
                    where,
                    "bad-search",
                    f"search field {draft.name}.{name} is {item.type}, not text",
                    "filter on it instead",
                )
            elif item.sensitive:
                self.error(
                    where,
                    "sensitive-filter",
                    f"search on sensitive field {draft.name}.{name} would reveal it",
                )
            elif name in result:
                self.error(where, "duplicate", f"search field {name!r} is listed twice")
            else:
                result.append(name)
        if result:
            self.question(
                (*draft.path, "search"),
                f"{draft.name}.search",
                "case-insensitive substring match (ILIKE); no text index is created, so each "
                "search scans the rows the caller may read",
            )
        return tuple(result)

    def access(self, draft: _Draft, auth: Auth) -> Access:
        spec = draft.spec.access
        roles = auth.roles
        chosen: dict[Action, tuple[str, ...]] = {}
        if draft.builtin:
            admin = (auth.admin_role,) if auth.admin_role else ()
            return Access(read=admin, create=admin, update=admin, delete=admin)
        defaulted: list[Action] = []
        for action in ACTIONS:
            given: list[str] | None = getattr(spec, action)
            path = (*draft.path, "access", action)
            if given is None:
                defaulted.append(action)
                chosen[action] = self.default_access(draft, auth, action)
                continue
            if not given:
                self.error(
                    path,
                    "empty",
                    f"access.{action} of {draft.name} is empty",
                    "name who may do it, e.g. owner",
                )
                continue
            result: list[str] = []
            for index, principal in enumerate(given):
                where = (*path, index)
                if principal not in (*PRINCIPALS, *roles):
                    self.error(
                        where,
                        "unknown-role",
                        f"access.{action} of {draft.name} names {principal!r}, which is not "
                        "public, authenticated, owner or a declared role",
                        did_you_mean(principal, (*PRINCIPALS, *roles))
                        or f"add {principal!r} to auth.roles",
                    )
                    continue
                if not auth.enabled and principal != "public":
                    self.error(
                        where,
                        "needs-auth",
                        f"access.{action} of {draft.name} names {principal!r}, "
                        "but auth.mode is 'none'",
                        "use public, or turn auth on",
                    )
                    continue
                if principal == "owner" and not draft.spec.owned:
                    self.error(
                        where,
                        "not-owned",
                        f"access.{action} of {draft.name} names 'owner', "
                        f"but {draft.name} is not owned",
                        "set owned: true, or use authenticated or a role",
                    )
                    continue
                if principal == "public" and draft.spec.owned and action != "read":
                    self.error(
                        where,
                        "public-write",
                        f"{draft.name} is owned, so anonymous callers cannot {action} it",
                        "use owner or authenticated",
                    )
                    continue
                if principal not in result:
                    result.append(principal)
            chosen[action] = tuple(result)
        nobody = [action for action in defaulted if not chosen[action]]
        if nobody:
            listed = ", ".join(nobody)
            self.error(
                draft.path,
                "no-admin",
                f"{draft.name} is not owned and has no access rule for {listed}; the default "
                "is the admin role, but auth.roles declares none",
                f"add access: {{{nobody[0]}: [...]}} for each of {listed}, or an 'admin' role",
                key=True,
            )
        elif defaulted and not draft.spec.owned and auth.enabled:
            described = ", ".join(f"{a} {'/'.join(chosen[a])}" for a in defaulted)
            self.question(
                draft.path,
                f"{draft.name}.access",
                f"defaults taken: {described}",
            )
        return Access(
            read=chosen.get("read", ()),
            create=chosen.get("create", ()),
            update=chosen.get("update", ()),
            delete=chosen.get("delete", ()),
        )

    def default_access(self, draft: _Draft, auth: Auth, action: Action) -> tuple[str, ...]:
        if not auth.enabled:
            return ("public",)
        if draft.spec.owned:
            return ("owner",)
        if action == "read":
            return ("authenticated",)
        return (auth.admin_role,) if auth.admin_role else ()

    def filter_index_questions(self, resources: list[Resource], tables: list[Table]) -> None:
        by_table = {table.name: table for table in tables}
        for resource in resources:
            table = by_table[resource.table]
            for item in resource.filters:
                declared = (item.column,) in resource.unique or any(
                    f.name == item.name and (f.index or f.unique) for f in resource.fields
                )
                if item.kind == "many" or declared:
                    continue
                leading = ("owner_id", item.column) if resource.owner_scoped else (item.column,)
                index = next(
                    (i for i in table.indexes if i.columns[: len(leading)] == leading), None
                )
                if index is not None:
                    position = self.drafts[resource.name].spec.filters.index(item.name)
                    self.question(
                        (*self.drafts[resource.name].path, "filters", position),
                        f"{resource.name}.{item.name}",
                        f"filter with no index declared: served by {index.name} "
                        f"({', '.join(index.columns)})",
                    )

    def table_clashes(self, tables: list[Table]) -> None:
        seen: dict[str, Table] = {}
        for table in tables:
            if table.name in seen:
                self.error(
                    ("resources", table.resource or ""),
                    "name-clash",
                    f"table {table.name!r} ({table.kind} of {table.resource}) clashes with the "
                    f"{seen[table.name].kind} table of {seen[table.name].resource}",
                    "rename a relation or set table: on a resource",
                    key=True,
                )
            seen[table.name] = table


def _implicit(
    name: str, kind: FieldType, description: str, *, required: bool = True
) -> ResolvedField:
    return ResolvedField(
        name=name,
        type=kind,
        description=description,
        required=required,
        optional_on_create=True,
        default=None,
        default_factory=None,
        unique=False,
        index=False,
        min_length=None,
        max_length=None,
        pattern=None,
        min=None,
        max=None,
        values=(),
        precision=None,
        scale=None,
        sensitive=False,
        read_only=True,
        example=None,
        implicit=True,
    )


def _builtin_user_fields(auth: Auth) -> list[ResolvedField]:
    email = _implicit("email", "email", "Sign-in email address.", required=auth.mode == "builtin")
    email = email.model_copy(update={"read_only": False, "unique": True, "max_length": 320})
    fields = [email]
    if auth.mode == "builtin":
        fields.append(
            _implicit("hashed_password", "string", "Argon2 hash of the password.").model_copy(
                update={"read_only": False, "sensitive": True, "max_length": 255}
            )
        )
    else:
        fields.append(
            _implicit("subject", "string", "The issuer's user id (`sub`).").model_copy(
                update={"unique": True, "max_length": 255}
            )
        )
        fields.append(
            _implicit("name", "string", "Display name from the token.", required=False).model_copy(
                update={"max_length": 255}
            )
        )
    role_length = max((len(role) for role in auth.roles), default=20)
    fields.append(
        _implicit("role", "enum", "Role, which decides permissions.").model_copy(
            update={"values": auth.roles, "default": auth.default_role, "max_length": role_length}
        )
    )
    fields.append(
        _implicit("is_active", "boolean", "Inactive users cannot sign in.").model_copy(
            update={"default": True}
        )
    )
    return fields


def _owner_only_read(spec: ResourceSpec) -> bool:
    read = spec.access.read
    return read is None or not ({"public", "authenticated"} & set(read))


def _asformat_number(value: object, kind: str) -> int | float | Decimal | None:
    if isinstance(value, bool):
        return None
    if kind == "integer":
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return int(value)
        return None
    if kind == "decimal":
        if isinstance(value, (int, float, str)):
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                return None
            return number if number.is_finite() else None
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return None


def _as_date(value: object, kind: str) -> str | None:
    if kind == "date":
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value).isoformat()
            except ValueError:
                return None
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def resolve(document: SpecDocument, source: SourceMap) -> tuple[ResolvedSpec | None, list[Problem]]:
    """Check a validated document and resolve it; problems when it cannot be resolved."""
    resolver = _Resolver(document, source)
    resolved = resolver.resolve()
    return resolved, resolver.problems
