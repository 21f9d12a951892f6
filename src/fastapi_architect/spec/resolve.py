"""From a validated spec document to the resolved model: semantic checks, defaults,
derived names, inverse relations, tables, indexes and open questions.

The settings and the resources' names are resolved here; fields, relations and lists in
`resolve_fields`, `resolve_relations` and `resolve_lists`, parts of the one resolver."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import limits

from fastapi_architect.spec.document import ResourceSpec, SpecDocument
from fastapi_architect.spec.model import (
    Api,
    Auth,
    Database,
    Jwks,
    Project,
    RateLimits,
    ResolvedSpec,
)
from fastapi_architect.spec.names import (
    GENERATED_CLASSES,
    RESOURCE_CLASS_SUFFIXES,
    RESOURCE_NAME,
    SNAKE_NAME,
    is_python_keyword,
    pascal_case,
    pluralize,
    snake_case,
)
from fastapi_architect.spec.problems import Problem, did_you_mean, one_of
from fastapi_architect.spec.resolve_ai import AiResolver
from fastapi_architect.spec.resolve_base import PRINCIPALS, USER, Draft
from fastapi_architect.spec.resolve_fields import FieldResolver
from fastapi_architect.spec.resolve_lists import ListResolver
from fastapi_architect.spec.resolve_relations import RelationResolver
from fastapi_architect.spec.source import DocPath, SourceMap
from fastapi_architect.spec.tables import build_tables
from fastapi_architect.spec.types import FIELD_TYPES

if TYPE_CHECKING:
    from fastapi_architect.generate.layout import PlannedFile

SYSTEM_TABLES = ("refresh_tokens", "audit_log", "ai_usage", "ai_budgets")
PATH_PREFIX = re.compile(r"^(/[a-z0-9][a-z0-9._-]*)*$")
PROJECT_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class _Resolver(FieldResolver, RelationResolver, ListResolver, AiResolver):
    """The settings, then the resources (their names, fields, relations and lists), then
    the tables."""

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
        self.required_cycles()
        ai = self.ai_settings()
        resources = [
            self.finish(draft, auth, api).model_copy(update={"ai": self.ai_actions(draft, auth)})
            for draft in self.drafts.values()
        ]
        if self.problems:
            return None
        tables = build_tables(auth, api, resources)
        self.table_clashes(tables)
        self.filter_index_questions(resources, tables)
        if self.problems:
            return None
        resolved = ResolvedSpec(
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
            mcp=self.doc.mcp,
            ai=ai if any(resource.ai for resource in resources) else None,
        )
        self.module_clashes(resolved)
        return None if self.problems else resolved

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
        if spec.mode != "none" and default_role is not None and default_role == admin_role:
            self.admin_default_role(default_role, roles)
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

    def admin_default_role(self, role: str, roles: Sequence[str]) -> None:
        """New accounts take the default role: it cannot be the admin role."""
        spec = self.doc.auth
        if role not in roles:
            return  # reported already: not a declared role
        given = spec.model_fields_set
        path: DocPath = (
            ("auth", "default_role")
            if "default_role" in given
            else ("auth", "admin_role")
            if "admin_role" in given
            else ("auth", "roles", spec.roles.index(role))
        )
        others = [other for other in roles if other != role]
        self.error(
            path,
            "admin-default-role",
            f"the default role {role!r} is the admin role: every new account would be an "
            "administrator",
            f"set default_role: to another role ({one_of(others)}) and make administrators by "
            "changing a user's role"
            if others
            else f"add a role for ordinary accounts to auth.roles, e.g. [user, {role}], and "
            "make it the default_role",
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
            draft = Draft(name, spec, path, singular, plural, table, builtin)
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
                if FIELD_TYPES[spec.type].choices:
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

    def module_clashes(self, spec: ResolvedSpec) -> None:
        """A resource's modules (its snake_case name in each layer, its plural for endpoints
        and tests) and an association table's model must not be files the generated backend
        has already, as the generator's layout plans them for this spec."""
        # The layout reads the resolved model, so it is imported once there is one.
        from fastapi_architect.generate.layout import plan

        first: dict[str, PlannedFile] = {}
        clashes: dict[tuple[str, str], list[tuple[PlannedFile, PlannedFile]]] = {}
        for planned in plan(spec):
            earlier = first.setdefault(planned.path, planned)
            if earlier is planned:
                continue
            # A resource's or association's file gives way to the backend's own, and to an
            # earlier one's.
            ours = planned.resource is not None or planned.association is not None
            blamed, other = (planned, earlier) if ours else (earlier, planned)
            if blamed.resource is not None:
                clashes.setdefault(("resource", blamed.resource), []).append((blamed, other))
            elif blamed.association is not None:
                clashes.setdefault(("association", blamed.association), []).append((blamed, other))
        for (kind, name), files in clashes.items():
            taken = ", ".join(f"{mine.path} ({_what(other)})" for mine, other in files)
            if kind == "association":
                self.association_clash(spec, name, taken)
                continue
            draft = self.drafts[name]
            by_plural = all("{plural}" in mine.file.path for mine, _ in files)
            if by_plural and draft.spec.plural:
                self.error(
                    (*draft.path, "plural"),
                    "reserved-name",
                    f"{name}'s plural {draft.plural!r} names files the generated backend has "
                    f"already: {taken}",
                    "set plural: to another word",
                )
                continue
            self.error(
                draft.path,
                "reserved-name",
                f"resource name {name!r} names modules the generated backend has already: {taken}",
                f"use a more specific name, e.g. {name + 'Entry'!r}",
                key=True,
            )

    def association_clash(self, spec: ResolvedSpec, table: str, taken: str) -> None:
        for resource in spec.resources:
            for relation in resource.relations:
                if relation.association_table == table and relation.declared:
                    self.error(
                        (*self.drafts[resource.name].path, "relations", relation.name),
                        "reserved-name",
                        f"the association table {table!r} of {resource.name}.{relation.name} "
                        f"names a file the generated backend has already: {taken}",
                        "rename the relation",
                        key=True,
                    )
                    return

    def check_builtin_user(self, spec: ResourceSpec, path: DocPath) -> None:
        for key in sorted(spec.model_fields_set - {"fields", "description"}):
            self.error(
                (*path, key),
                "builtin-user",
                f"the built-in User resource takes only 'fields' and 'description', not {key!r}",
                "users are managed by the auth endpoints; add fields to extend them",
                key=True,
            )


def resolve(document: SpecDocument, source: SourceMap) -> tuple[ResolvedSpec | None, list[Problem]]:
    """Check a validated document and resolve it; problems when it cannot be resolved."""
    resolver = _Resolver(document, source)
    resolved = resolver.resolve()
    return resolved, resolver.problems


def _what(planned: PlannedFile) -> str:
    """What a generated file holds, for a clash with it."""
    if planned.resource is not None:
        return f"the {planned.resource} resource's"
    if planned.association is not None:
        return f"the association table {planned.association}'s"
    return planned.file.description.rstrip(".")
