"""API contracts from a resolved spec: every endpoint a generated backend serves, with its
auth, access rule, schemas, statuses, error codes, parameters and one example exchange."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from pydantic import JsonValue

from fastapi_architect.design.model import (
    EndpointDesign,
    ErrorDesign,
    ExampleRequest,
    ExampleResponse,
    FieldDesign,
    ParameterDesign,
    SchemaDesign,
)
from fastapi_architect.generate.context import (
    MAX_RELATED_IDS,
    ROUTE_ERRORS,
    field_checks,
    route_error_statuses,
)
from fastapi_architect.spec.model import (
    Action,
    ResolvedField,
    ResolvedFilter,
    ResolvedRelation,
    ResolvedSpec,
    Resource,
)
from fastapi_architect.spec.names import singularize

EXAMPLE_TIME = "2030-01-31T09:00:00Z"
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"

ERROR_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Contracts:
    endpoints: tuple[EndpointDesign, ...]
    schemas: tuple[SchemaDesign, ...]


def contracts(spec: ResolvedSpec) -> Contracts:
    """Every endpoint and every schema they use, in a stable order."""
    builder = _Builder(spec)
    return builder.build()


def api_resources(spec: ResolvedSpec) -> tuple[Resource, ...]:
    """Resources served under their own path (the built-in user has its own routes)."""
    return tuple(r for r in spec.resources if not (r.name == "User" and spec.auth.enabled))


def ids_field(relation: ResolvedRelation) -> str:
    """The request/response field holding a many-to-many relation's ids (`tag_ids`)."""
    return f"{singularize(relation.name)}_ids"


# ---------------------------------------------------------------- values


def example_id(spec: ResolvedSpec, n: int) -> str | int:
    if spec.api.ids == "integer":
        return n
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def _words(name: str) -> str:
    return name.replace("_", " ")


def _a(words: str) -> str:
    """`a task`, `an order item`."""
    return ("an " if words[:1].lower() in "aeiou" else "a ") + words


def example_value(item: ResolvedField, spec: ResolvedSpec) -> JsonValue:
    """A value the field accepts, for the examples."""
    if item.example is not None:
        return item.example
    if item.default is not None and item.default_factory is None:
        if item.type == "decimal":
            places = Decimal(1).scaleb(-(item.scale or 0))
            return str(Decimal(str(item.default)).quantize(places))
        return item.default
    match item.type:
        case "enum":
            return item.values[0]
        case "string" | "text":
            return _example_text(item)
        case "email":
            return "ada@example.com"
        case "url":
            return f"https://example.com/{item.name.replace('_', '-')}"
        case "integer":
            low = int(item.min) if item.min is not None else 1
            return min(max(low, 1), int(item.max)) if item.max is not None else max(low, 1)
        case "float":
            low_f = float(item.min) if item.min is not None else 1.5
            return min(low_f, float(item.max)) if item.max is not None else low_f
        case "decimal":
            value = Decimal("19.99")
            if item.min is not None:
                value = max(value, Decimal(str(item.min)))
            if item.max is not None:
                value = min(value, Decimal(str(item.max)))
            return str(value.quantize(Decimal(1).scaleb(-(item.scale or 0))))
        case "boolean":
            return True
        case "date":
            return EXAMPLE_TIME[:10]
        case "datetime":
            return EXAMPLE_TIME
        case "uuid":
            return "00000007-0000-4000-8000-000000000007"
        case "json":
            return {"key": "value"}
    return None


def _example_text(item: ResolvedField) -> str:
    low = item.min_length or 0
    high = item.max_length or 10_000
    stem = item.name.replace("_", "-")
    candidates = [
        f"Example {_words(item.name)}",
        f"example-{stem}",
        f"EXAMPLE-{stem.upper()}",
        "example",
        "EXAMPLE-1",
        "x",
    ]
    for candidate in candidates:
        text = candidate + "x" * max(0, low - len(candidate))
        if len(text) <= high and (item.pattern is None or re.fullmatch(item.pattern, text)):
            return text
    # No simple value fits: say what the value must match (the spec can give an example).
    return f"<matching {item.pattern}>" if item.pattern else "x" * max(low, 1)


# ---------------------------------------------------------------- field descriptions


def _type_name(item: ResolvedField) -> str:
    return {
        "string": "string",
        "text": "string",
        "email": "string (email)",
        "url": "string (http(s) URL)",
        "integer": "integer",
        "float": "number",
        "decimal": "decimal",
        "boolean": "boolean",
        "date": "date",
        "datetime": "datetime",
        "uuid": "uuid",
        "enum": "enum",
        "json": "json",
    }[item.type]


def _number_text(item: ResolvedField, value: float) -> str:
    if item.type == "integer":
        return str(int(value))
    if item.type == "decimal":
        return format(Decimal(str(value)), "f")
    return repr(float(value))


def field_constraints(item: ResolvedField) -> tuple[str, ...]:
    """What the generated schema checks, in words."""
    checks = field_checks(item)
    out: list[str] = []
    if item.type == "enum":
        out.append("one of " + ", ".join(item.values))
    if checks.min_length:
        out.append(f"min length {checks.min_length}")
    if checks.max_length is not None:
        out.append(f"max length {checks.max_length}")
    if checks.pattern is not None:
        out.append(f"pattern {checks.pattern}")
    if checks.low is not None:
        out.append(f">= {_number_text(item, checks.low)}")
    if checks.high is not None:
        out.append(f"<= {_number_text(item, checks.high)}")
    if checks.digits is not None:
        out.append(f"{checks.digits[0]} digits, {checks.digits[1]} after the point")
    if checks.finite:
        out.append("finite")
    if item.type == "datetime":
        out.append("with a UTC offset")
    return tuple(out)


def _last_page(rows: list[JsonValue], limit: int) -> dict[str, JsonValue]:
    """A list response with nothing after it."""
    return {"data": rows, "meta": {"limit": limit, "has_more": False, "next_cursor": None}}


def _default_sort(resource: Resource) -> str:
    return ("-" if resource.default_sort_descending else "") + resource.default_sort


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _create_field(item: ResolvedField) -> FieldDesign:
    constraints = field_constraints(item)
    if not item.required:
        default = _json_text(item.default) if item.default is not None else "null"
        return FieldDesign(
            name=item.name,
            type=_type_name(item),
            required=False,
            nullable=True,
            default=default,
            constraints=constraints,
            description=item.description,
        )
    if item.optional_on_create:
        if item.default_factory is not None:
            default = "now" if item.default_factory == "now" else "a new uuid"
        else:
            default = _json_text(item.default)
        return FieldDesign(
            name=item.name,
            type=_type_name(item),
            required=False,
            nullable=item.default_factory is not None,
            default=default,
            constraints=constraints,
            description=item.description,
        )
    return FieldDesign(
        name=item.name,
        type=_type_name(item),
        required=True,
        constraints=constraints,
        description=item.description,
    )


def _update_field(item: ResolvedField) -> FieldDesign:
    constraints = field_constraints(item)
    if item.required:
        constraints = (*constraints, "not null")
    return FieldDesign(
        name=item.name,
        type=_type_name(item),
        required=False,
        nullable=True,
        constraints=constraints,
        description=item.description,
    )


def _public_field(item: ResolvedField) -> FieldDesign:
    return FieldDesign(
        name=item.name,
        type=_type_name(item),
        required=True,
        nullable=not item.required,
        description=item.description,
    )


# ---------------------------------------------------------------- the builder


class _Builder:
    def __init__(self, spec: ResolvedSpec) -> None:
        self.spec = spec
        self.id_type = "uuid" if spec.api.ids == "uuid" else "integer"
        self.prefix = spec.api.prefix
        self.schemas: dict[str, SchemaDesign] = {}
        self.endpoints: list[EndpointDesign] = []

    def build(self) -> Contracts:
        self._common_schemas()
        self._health()
        if self.spec.auth.mode == "builtin":
            self._auth()
        if self.spec.auth.enabled:
            self._users()
        if any(r.audit for r in self.spec.resources) and self.spec.auth.enabled:
            self._audit()
        for resource in api_resources(self.spec):
            self._resource(resource)
        return Contracts(endpoints=tuple(self.endpoints), schemas=tuple(self.schemas.values()))

    # -------------------------------------------------------- shared pieces

    def _schema(self, schema: SchemaDesign) -> str:
        self.schemas.setdefault(schema.name, schema)
        return schema.name

    def _id(self, name: str, *, required: bool = True, nullable: bool = False) -> FieldDesign:
        return FieldDesign(name=name, type=self.id_type, required=required, nullable=nullable)

    def _time(self, name: str, *, nullable: bool = False) -> FieldDesign:
        return FieldDesign(name=name, type="datetime", required=True, nullable=nullable)

    def _common_schemas(self) -> None:
        self._schema(
            SchemaDesign(
                name="ItemResponse[T]",
                description='One row: `{"data": T}`.',
                fields=(FieldDesign(name="data", type="T", required=True),),
            )
        )
        self._schema(
            SchemaDesign(
                name="ListResponse[T]",
                description="A page of rows and its cursor.",
                fields=(
                    FieldDesign(name="data", type="list of T", required=True),
                    FieldDesign(name="meta", type="ListMeta", required=True),
                ),
            )
        )
        self._schema(
            SchemaDesign(
                name="ListMeta",
                description="Where a page ends.",
                fields=(
                    FieldDesign(name="limit", type="integer", required=True),
                    FieldDesign(name="has_more", type="boolean", required=True),
                    FieldDesign(
                        name="next_cursor",
                        type="string",
                        required=True,
                        nullable=True,
                        description="Pass as `cursor` to get the next page.",
                    ),
                ),
            )
        )
        self._schema(
            SchemaDesign(
                name="ErrorEnvelope",
                description='Every error: `{"error": ErrorBody}`.',
                fields=(FieldDesign(name="error", type="ErrorBody", required=True),),
            )
        )
        self._schema(
            SchemaDesign(
                name="ErrorBody",
                description="What went wrong, and the request id to quote.",
                fields=(
                    FieldDesign(name="code", type="string", required=True),
                    FieldDesign(name="message", type="string", required=True),
                    FieldDesign(name="details", type="list of ErrorDetail", required=True),
                    FieldDesign(name="request_id", type="string", required=True, nullable=True),
                ),
            )
        )
        self._schema(
            SchemaDesign(
                name="ErrorDetail",
                description="One invalid input: where and why (the value is never echoed).",
                fields=(
                    FieldDesign(
                        name="loc", type="list of string or integer", required=False, default="[]"
                    ),
                    FieldDesign(name="message", type="string", required=True),
                    FieldDesign(name="type", type="string", required=True),
                ),
            )
        )

    def _error(self, status: int, when: str) -> ErrorDesign:
        return ErrorDesign(status=status, code=ERROR_CODES[status], when=when)

    def _rate_limited(self) -> ErrorDesign:
        return self._error(
            429,
            f"more than {self.spec.rate_limits.default} requests from the caller "
            "(per user, per IP when anonymous); `Retry-After` says when to retry",
        )

    def _bearer_headers(self, auth: str) -> tuple[tuple[str, str], ...]:
        if auth == "bearer":
            return (("Authorization", "Bearer <access token>"),)
        return ()

    def _list_params(
        self, sort_values: tuple[str, ...], default_sort: str
    ) -> list[ParameterDesign]:
        api = self.spec.api
        return [
            ParameterDesign(
                name="limit",
                location="query",
                type="integer",
                required=False,
                default=str(api.default_page_size),
                constraints=(">= 1", f"<= {api.max_page_size}"),
                description="Rows per page.",
            ),
            ParameterDesign(
                name="cursor",
                location="query",
                type="string",
                required=False,
                constraints=("max length 512",),
                description="`meta.next_cursor` of the previous page.",
            ),
            ParameterDesign(
                name="sort",
                location="query",
                type="enum",
                required=False,
                default=default_sort,
                constraints=("one of " + ", ".join(sort_values),),
                description="Sort key; `-` for descending.",
            ),
        ]

    def _pagination(self, default_sort: str) -> str:
        api = self.spec.api
        return (
            f"cursor (keyset): `limit` 1-{api.max_page_size} (default {api.default_page_size}); "
            f"pass `meta.next_cursor` back as `cursor`; default order `{default_sort}`"
        )

    def _path_param(self, name: str, what: str) -> ParameterDesign:
        return ParameterDesign(
            name=name, location="path", type=self.id_type, required=True, description=what
        )

    # -------------------------------------------------------- health

    def _health(self) -> None:
        self._schema(
            SchemaDesign(
                name="HealthStatus",
                description="Whether the process (or its database) answers.",
                fields=(FieldDesign(name="status", type="string", required=True),),
            )
        )
        self.endpoints.append(
            EndpointDesign(
                group="health",
                method="GET",
                path="/health",
                summary="The process is up",
                auth="none",
                access="public",
                response="HealthStatus",
                success_status=200,
                example_request=ExampleRequest(method="GET", path="/health"),
                example_response=ExampleResponse(status=200, body={"status": "ok"}),
            )
        )
        self.endpoints.append(
            EndpointDesign(
                group="health",
                method="GET",
                path="/ready",
                summary="The database answers",
                auth="none",
                access="public",
                response="HealthStatus",
                success_status=200,
                errors=(
                    ErrorDesign(
                        status=503,
                        code=None,
                        when='the database does not answer in time: `{"status": "unavailable"}`',
                        body="HealthStatus",
                    ),
                ),
                example_request=ExampleRequest(method="GET", path="/ready"),
                example_response=ExampleResponse(status=200, body={"status": "ready"}),
            )
        )

    # -------------------------------------------------------- built-in auth

    def _user(self) -> Resource:
        return self.spec.resource("User")

    def _user_extras(self) -> list[ResolvedField]:
        return [f for f in self._user().fields if not f.implicit]

    def _user_public(self) -> str:
        roles = self.spec.auth.roles
        if self.spec.auth.mode == "builtin":
            identity = [FieldDesign(name="email", type="string", required=True)]
        else:
            identity = [
                FieldDesign(
                    name="subject",
                    type="string",
                    required=True,
                    description="The issuer's `sub` claim.",
                ),
                FieldDesign(name="email", type="string", required=True, nullable=True),
                FieldDesign(name="name", type="string", required=True, nullable=True),
            ]
        fields = [
            self._id("id"),
            *identity,
            FieldDesign(
                name="role", type="enum", required=True, constraints=("one of " + ", ".join(roles),)
            ),
            FieldDesign(name="is_active", type="boolean", required=True),
            *(_public_field(f) for f in self._user_extras() if not f.sensitive),
            self._time("created_at"),
            self._time("updated_at"),
        ]
        return self._schema(
            SchemaDesign(
                name="UserPublic",
                description="A user as others see it (never the password hash).",
                fields=tuple(fields),
            )
        )

    def _user_public_example(self) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {"id": example_id(self.spec, 1)}
        if self.spec.auth.mode == "builtin":
            body["email"] = "ada@example.com"
        else:
            body |= {"subject": "user-7f3a", "email": "ada@example.com", "name": "Ada"}
        body |= {
            "role": self.spec.auth.default_role or self.spec.auth.roles[0],
            "is_active": True,
        }
        for item in self._user_extras():
            if not item.sensitive:
                body[item.name] = example_value(item, self.spec)
        body |= {"created_at": EXAMPLE_TIME, "updated_at": EXAMPLE_TIME}
        return body

    def _auth(self) -> None:
        auth = self.spec.auth
        email = FieldDesign(
            name="email",
            type="string (email)",
            required=True,
            constraints=("max length 320", "lowercased"),
        )
        password = FieldDesign(
            name="password", type="string", required=True, constraints=("length 8-128",)
        )
        extras = [f for f in self._user_extras() if not f.read_only]
        register = self._schema(
            SchemaDesign(
                name="UserRegister",
                description="A new account; the role is always the default role.",
                fields=(email, password, *(_create_field(f) for f in extras)),
            )
        )
        login = self._schema(
            SchemaDesign(
                name="UserLogin",
                description="Email and password, as JSON.",
                fields=(
                    email,
                    FieldDesign(
                        name="password",
                        type="string",
                        required=True,
                        constraints=("length 1-128",),
                    ),
                ),
            )
        )
        form = self._schema(
            SchemaDesign(
                name="OAuth2PasswordRequestForm",
                description="The OAuth2 password grant form (the email is the username).",
                media_type=_FORM,
                fields=(
                    FieldDesign(
                        name="grant_type",
                        type="string",
                        required=False,
                        nullable=True,
                        constraints=("pattern ^password$",),
                    ),
                    FieldDesign(name="username", type="string", required=True),
                    FieldDesign(name="password", type="string", required=True),
                    FieldDesign(name="scope", type="string", required=False, default='""'),
                    FieldDesign(name="client_id", type="string", required=False, nullable=True),
                    FieldDesign(name="client_secret", type="string", required=False, nullable=True),
                ),
            )
        )
        tokens = self._schema(
            SchemaDesign(
                name="TokenPair",
                description=(
                    f"An access token ({auth.access_token_minutes} minutes) and a refresh token "
                    f"({auth.refresh_token_days} days, single use)."
                ),
                fields=(
                    FieldDesign(name="access_token", type="string", required=True),
                    FieldDesign(name="refresh_token", type="string", required=True),
                    FieldDesign(
                        name="token_type", type="string", required=False, default='"bearer"'
                    ),
                    FieldDesign(
                        name="expires_in",
                        type="integer",
                        required=True,
                        description="Seconds until the access token expires.",
                    ),
                ),
            )
        )
        refresh = self._schema(
            SchemaDesign(
                name="RefreshRequest",
                description="A refresh token.",
                fields=(
                    FieldDesign(
                        name="refresh_token",
                        type="string",
                        required=True,
                        constraints=("length 1-512",),
                    ),
                ),
            )
        )
        public = self._user_public()
        login_limit = self.spec.rate_limits.login
        token_example = {
            "access_token": "<jwt>",
            "refresh_token": "<opaque token>",
            "token_type": "bearer",
            "expires_in": auth.access_token_minutes * 60,
        }
        register_body: dict[str, JsonValue] = {
            "email": "ada@example.com",
            "password": "correct horse battery staple",
        }
        for item in extras:
            register_body[item.name] = example_value(item, self.spec)
        base = f"{self.prefix}/auth"
        limited = self._error(429, f"more than {login_limit} attempts per client IP or per account")
        self.endpoints += [
            EndpointDesign(
                group="auth",
                method="POST",
                path=f"{base}/register",
                summary="Create an account",
                auth="none",
                access="public",
                request=register,
                response=f"ItemResponse[{public}]",
                success_status=201,
                errors=(
                    self._error(409, "the email is already registered"),
                    self._error(422, "the body breaks a constraint; `details` locate each field"),
                    self._error(429, f"more than {login_limit} registrations per client IP"),
                ),
                example_request=ExampleRequest(
                    method="POST", path=f"{base}/register", body=register_body
                ),
                example_response=ExampleResponse(
                    status=201,
                    headers=(("Location", f"{self.prefix}/users/me"),),
                    body={"data": self._user_public_example()},
                ),
            ),
            EndpointDesign(
                group="auth",
                method="POST",
                path=f"{base}/token",
                summary="Log in with the OAuth2 password form",
                auth="none",
                access="public",
                request=form,
                response=tokens,
                success_status=200,
                errors=(
                    self._error(401, "wrong email or password, or the account is inactive"),
                    self._error(422, "the form is incomplete"),
                    limited,
                ),
                example_request=ExampleRequest(
                    method="POST",
                    path=f"{base}/token",
                    form=(("username", "ada@example.com"), ("password", "<password>")),
                ),
                example_response=ExampleResponse(status=200, body=token_example),
            ),
            EndpointDesign(
                group="auth",
                method="POST",
                path=f"{base}/login",
                summary="Log in with JSON",
                auth="none",
                access="public",
                request=login,
                response=tokens,
                success_status=200,
                errors=(
                    self._error(401, "wrong email or password, or the account is inactive"),
                    self._error(422, "the body breaks a constraint"),
                    limited,
                ),
                example_request=ExampleRequest(
                    method="POST",
                    path=f"{base}/login",
                    body={"email": "ada@example.com", "password": "<password>"},
                ),
                example_response=ExampleResponse(status=200, body=token_example),
            ),
            EndpointDesign(
                group="auth",
                method="POST",
                path=f"{base}/refresh",
                summary="Exchange a refresh token for new tokens (the old one stops working)",
                auth="none",
                access="holder of a live refresh token",
                request=refresh,
                response=tokens,
                success_status=200,
                errors=(
                    self._error(
                        401,
                        "the refresh token is unknown, expired or revoked; a reused token "
                        "revokes every token rotated from the same login",
                    ),
                    self._error(422, "the body breaks a constraint"),
                ),
                example_request=ExampleRequest(
                    method="POST",
                    path=f"{base}/refresh",
                    body={"refresh_token": "<opaque token>"},
                ),
                example_response=ExampleResponse(status=200, body=token_example),
            ),
            EndpointDesign(
                group="auth",
                method="POST",
                path=f"{base}/logout",
                summary="Revoke a refresh token and every token rotated from it",
                auth="none",
                access="holder of the refresh token",
                request=refresh,
                success_status=204,
                errors=(self._error(422, "the body breaks a constraint"),),
                example_request=ExampleRequest(
                    method="POST",
                    path=f"{base}/logout",
                    body={"refresh_token": "<opaque token>"},
                ),
                example_response=ExampleResponse(status=204),
            ),
        ]

    def _users(self) -> None:
        admin = self.spec.auth.admin_role or "admin"
        extras = [f for f in self._user_extras() if not f.read_only]
        update_me = self._schema(
            SchemaDesign(
                name="UserUpdateMe",
                description="What users may change about themselves (only the fields sent).",
                fields=(
                    *(
                        (
                            FieldDesign(
                                name="password",
                                type="string",
                                required=False,
                                nullable=True,
                                constraints=("length 8-128",),
                            ),
                        )
                        if self.spec.auth.mode == "builtin"
                        else ()
                    ),
                    *(_update_field(f) for f in extras),
                ),
            )
        )
        admin_update = self._schema(
            SchemaDesign(
                name="UserAdminUpdate",
                description="What an administrator may change about a user.",
                fields=(
                    FieldDesign(
                        name="role",
                        type="enum",
                        required=False,
                        nullable=True,
                        constraints=("one of " + ", ".join(self.spec.auth.roles),),
                    ),
                    FieldDesign(name="is_active", type="boolean", required=False, nullable=True),
                ),
            )
        )
        public = self._user_public()
        base = f"{self.prefix}/users"
        item = f"ItemResponse[{public}]"
        bearer = self._bearer_headers("bearer")
        unauthorized = self._error(401, "no valid access token")
        forbidden = self._error(403, f"the caller is not an administrator ({admin})")
        limited = self._rate_limited()
        one = {"data": self._user_public_example()}
        user_id = example_id(self.spec, 1)
        params = [
            *self._list_params(("created_at", "-created_at"), "-created_at"),
            ParameterDesign(
                name="role",
                location="query",
                type="enum",
                required=False,
                constraints=("one of " + ", ".join(self.spec.auth.roles),),
            ),
            ParameterDesign(
                name="q",
                location="query",
                type="string",
                required=False,
                constraints=("length 1-100",),
                description="Search emails.",
            ),
        ]
        self.endpoints += [
            EndpointDesign(
                group="users",
                method="GET",
                path=f"{base}/me",
                summary="The signed-in user",
                auth="bearer",
                access="authenticated",
                response=item,
                success_status=200,
                errors=(unauthorized, limited),
                example_request=ExampleRequest(method="GET", path=f"{base}/me", headers=bearer),
                example_response=ExampleResponse(status=200, body=one),
            ),
            EndpointDesign(
                group="users",
                method="PATCH",
                path=f"{base}/me",
                summary="Update your own account",
                auth="bearer",
                access="authenticated",
                request=update_me,
                response=item,
                success_status=200,
                errors=(
                    unauthorized,
                    *(
                        (self._error(409, "a unique value is already taken"),)
                        if any(f.unique for f in extras)
                        else ()
                    ),
                    self._error(422, "the body breaks a constraint"),
                    limited,
                ),
                example_request=ExampleRequest(
                    method="PATCH",
                    path=f"{base}/me",
                    headers=bearer,
                    body=(
                        {"password": "a new long passphrase"}
                        if self.spec.auth.mode == "builtin"
                        else {}
                    ),
                ),
                example_response=ExampleResponse(status=200, body=one),
            ),
            EndpointDesign(
                group="users",
                method="GET",
                path=base,
                summary="List users (administrators)",
                auth="bearer",
                access=admin,
                response=f"ListResponse[{public}]",
                success_status=200,
                errors=(
                    unauthorized,
                    forbidden,
                    self._error(422, "a query parameter is not valid"),
                    limited,
                ),
                parameters=tuple(params),
                pagination=self._pagination("-created_at"),
                example_request=ExampleRequest(
                    method="GET", path=f"{base}?limit=20", headers=bearer
                ),
                example_response=ExampleResponse(
                    status=200, body=_last_page([self._user_public_example()], 20)
                ),
            ),
            EndpointDesign(
                group="users",
                method="GET",
                path=f"{base}/{{user_id}}",
                summary="Get a user (administrators)",
                auth="bearer",
                access=admin,
                response=item,
                success_status=200,
                errors=(
                    unauthorized,
                    forbidden,
                    self._error(404, "no such user"),
                    self._error(422, "the id is not valid"),
                    limited,
                ),
                parameters=(self._path_param("user_id", "The user."),),
                example_request=ExampleRequest(
                    method="GET", path=f"{base}/{user_id}", headers=bearer
                ),
                example_response=ExampleResponse(status=200, body=one),
            ),
            EndpointDesign(
                group="users",
                method="PATCH",
                path=f"{base}/{{user_id}}",
                summary="Change a user's role or status (administrators)",
                auth="bearer",
                access=admin,
                request=admin_update,
                response=item,
                success_status=200,
                errors=(
                    unauthorized,
                    forbidden,
                    self._error(404, "no such user"),
                    self._error(422, "the body breaks a constraint"),
                    limited,
                ),
                parameters=(self._path_param("user_id", "The user."),),
                example_request=ExampleRequest(
                    method="PATCH",
                    path=f"{base}/{user_id}",
                    headers=bearer,
                    body={"is_active": False},
                ),
                example_response=ExampleResponse(status=200, body=one),
            ),
        ]

    def _audit(self) -> None:
        admin = self.spec.auth.admin_role or "admin"
        entry = self._schema(
            SchemaDesign(
                name="AuditEntry",
                description="One change: who, what, which row, the fields before and after.",
                fields=(
                    self._id("id"),
                    self._id("actor_id", nullable=True),
                    FieldDesign(name="action", type="string", required=True),
                    FieldDesign(name="resource", type="string", required=True),
                    FieldDesign(name="resource_id", type="string", required=True),
                    FieldDesign(name="changes", type="json", required=True),
                    FieldDesign(name="request_id", type="string", required=True, nullable=True),
                    self._time("created_at"),
                ),
            )
        )
        api = self.spec.api
        params = (
            ParameterDesign(
                name="limit",
                location="query",
                type="integer",
                required=False,
                default=str(api.default_page_size),
                constraints=(">= 1", f"<= {api.max_page_size}"),
            ),
            ParameterDesign(
                name="cursor",
                location="query",
                type="string",
                required=False,
                constraints=("max length 512",),
            ),
            ParameterDesign(
                name="resource",
                location="query",
                type="string",
                required=False,
                constraints=("max length 100",),
            ),
            ParameterDesign(
                name="resource_id",
                location="query",
                type="string",
                required=False,
                constraints=("max length 64",),
            ),
            ParameterDesign(name="actor_id", location="query", type=self.id_type, required=False),
        )
        audited = next(r for r in self.spec.resources if r.audit)
        path = f"{self.prefix}/audit-log"
        self.endpoints.append(
            EndpointDesign(
                group="audit",
                method="GET",
                path=path,
                summary="Changes, newest first",
                auth="bearer",
                access=admin,
                response=f"ListResponse[{entry}]",
                success_status=200,
                errors=(
                    self._error(401, "no valid access token"),
                    self._error(403, f"the caller is not an administrator ({admin})"),
                    self._error(422, "a query parameter is not valid"),
                    self._rate_limited(),
                ),
                parameters=params,
                pagination=(
                    f"cursor (keyset), newest first: `limit` 1-{api.max_page_size} "
                    f"(default {api.default_page_size}); pass `meta.next_cursor` back as `cursor`"
                ),
                example_request=ExampleRequest(
                    method="GET",
                    path=f"{path}?resource={audited.name}",
                    headers=self._bearer_headers("bearer"),
                ),
                example_response=ExampleResponse(
                    status=200,
                    body=_last_page(
                        [
                            {
                                "id": example_id(self.spec, 3),
                                "actor_id": example_id(self.spec, 1),
                                "action": "update",
                                "resource": audited.name,
                                "resource_id": str(example_id(self.spec, 2)),
                                "changes": {"before": {}, "after": {}},
                                "request_id": "5f0c6e0e9b2d4c1e",
                                "created_at": EXAMPLE_TIME,
                            }
                        ],
                        api.default_page_size,
                    ),
                ),
            )
        )

    # -------------------------------------------------------- resources

    def _auth_for(self, resource: Resource, action: Action) -> str:
        rule = resource.access.for_action(action)
        if not self.spec.auth.enabled:
            return "none"
        if "public" in rule:
            return "bearer (optional)"
        return "bearer"

    def _access_for(self, resource: Resource, action: Action) -> str:
        rule = resource.access.for_action(action)
        return ", ".join(rule) if rule else "nobody"

    def _resource_schemas(self, resource: Resource) -> tuple[str, str, str]:
        declared = [f for f in resource.fields if not f.implicit]
        writable = [f for f in declared if not f.read_only]
        many_to_one = [r for r in resource.relations if r.kind == "many_to_one"]
        many_to_many = [r for r in resource.relations if r.kind == "many_to_many"]

        def link(relation: ResolvedRelation) -> tuple[str, ...]:
            target = self.spec.resource(relation.target)
            rule = f"an existing {relation.target} the caller may read"
            if relation.same_owner:
                rule += ", of the same owner"
            if target.soft_delete:
                rule += ", not deleted"
            return (rule,)

        create_fields = [_create_field(f) for f in writable]
        update_fields = [_update_field(f) for f in writable]
        public_fields = [self._id("id")]
        if resource.owned:
            public_fields.append(self._id("owner_id"))
        public_fields += [_public_field(f) for f in declared if not f.sensitive]
        for relation in many_to_one:
            assert relation.column is not None
            create_fields.append(
                FieldDesign(
                    name=relation.column,
                    type=self.id_type,
                    required=relation.required,
                    nullable=not relation.required,
                    default=None if relation.required else "null",
                    constraints=link(relation),
                    description=relation.description,
                )
            )
            update_fields.append(
                FieldDesign(
                    name=relation.column,
                    type=self.id_type,
                    required=False,
                    nullable=True,
                    constraints=link(relation) + (("not null",) if relation.required else ()),
                    description=relation.description,
                )
            )
            public_fields.append(self._id(relation.column, nullable=not relation.required))
        for relation in many_to_many:
            many = f"at most {MAX_RELATED_IDS} ids"
            create_fields.append(
                FieldDesign(
                    name=ids_field(relation),
                    type=f"list of {self.id_type}",
                    required=False,
                    default="[]",
                    constraints=(many, *link(relation)),
                    description=relation.description,
                )
            )
            update_fields.append(
                FieldDesign(
                    name=ids_field(relation),
                    type=f"list of {self.id_type}",
                    required=False,
                    nullable=True,
                    constraints=(many, *link(relation), "replaces the whole set"),
                    description=relation.description,
                )
            )
            public_fields.append(
                FieldDesign(name=ids_field(relation), type=f"list of {self.id_type}", required=True)
            )
        public_fields += [self._time("created_at"), self._time("updated_at")]
        if resource.soft_delete:
            public_fields.append(self._time("deleted_at", nullable=True))
        create = self._schema(
            SchemaDesign(
                name=f"{resource.name}Create",
                description=f"A new {_words(resource.singular)}; unknown fields are refused.",
                fields=tuple(create_fields),
            )
        )
        update = self._schema(
            SchemaDesign(
                name=f"{resource.name}Update",
                description="Partial update: only the fields sent change.",
                fields=tuple(update_fields),
            )
        )
        public = self._schema(
            SchemaDesign(
                name=f"{resource.name}Public",
                description=f"{_a(_words(resource.singular)).capitalize()} as clients see it"
                + (
                    " (sensitive fields are never returned)."
                    if any(f.sensitive for f in declared)
                    else "."
                ),
                fields=tuple(public_fields),
            )
        )
        return create, update, public

    def _resource_params(self, resource: Resource) -> list[ParameterDesign]:
        sort_values: list[str] = []
        for key in resource.sort:
            sort_values += [key.name, f"-{key.name}"]
        params = self._list_params(tuple(sort_values), _default_sort(resource))
        if resource.search:
            params.append(
                ParameterDesign(
                    name="q",
                    location="query",
                    type="string",
                    required=False,
                    constraints=("length 1-100",),
                    description="Case-insensitive search of " + ", ".join(resource.search) + ".",
                )
            )
        for item in resource.filters:
            params += self._filter_params(resource, item)
        return params

    def _filter_params(self, resource: Resource, item: ResolvedFilter) -> list[ParameterDesign]:
        if item.kind in {"exact", "range"}:
            source = resource.field(item.name)
            kind = _type_name(source)
            values = ("one of " + ", ".join(source.values),) if source.type == "enum" else ()
            out = [
                ParameterDesign(
                    name=item.params[0],
                    location="query",
                    type=kind,
                    required=False,
                    constraints=values,
                    description=f"Rows whose {_words(item.name)} equals this.",
                )
            ]
            if item.kind == "range":
                out += [
                    ParameterDesign(
                        name=item.params[1],
                        location="query",
                        type=kind,
                        required=False,
                        description=f"At least this {_words(item.name)}.",
                    ),
                    ParameterDesign(
                        name=item.params[2],
                        location="query",
                        type=kind,
                        required=False,
                        description=f"At most this {_words(item.name)}.",
                    ),
                ]
            return out
        relation = resource.relation(item.name)
        what = "linked to" if item.kind == "many" else "pointing at"
        return [
            ParameterDesign(
                name=item.params[0],
                location="query",
                type=self.id_type,
                required=False,
                description=f"Rows {what} this {relation.target}.",
            )
        ]

    def _example_public(self, resource: Resource) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {"id": example_id(self.spec, 1)}
        if resource.owned:
            body["owner_id"] = example_id(self.spec, 9)
        for item in resource.fields:
            if item.implicit or item.sensitive:
                continue
            body[item.name] = example_value(item, self.spec)
        body |= self._example_links(resource)
        body |= {"created_at": EXAMPLE_TIME, "updated_at": EXAMPLE_TIME}
        if resource.soft_delete:
            body["deleted_at"] = None
        return body

    def _example_create(self, resource: Resource) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {}
        for item in resource.fields:
            if item.implicit or item.read_only:
                continue
            body[item.name] = example_value(item, self.spec)
        body |= self._example_links(resource)
        return body

    def _example_links(self, resource: Resource) -> dict[str, JsonValue]:
        """The related ids of an example row."""
        body: dict[str, JsonValue] = {}
        for relation in resource.relations:
            if relation.kind == "many_to_one" and relation.column:
                body[relation.column] = example_id(self.spec, 2)
            elif relation.kind == "many_to_many":
                body[ids_field(relation)] = [example_id(self.spec, 3)]
        return body

    def _example_update(self, resource: Resource) -> dict[str, JsonValue]:
        create = self._example_create(resource)
        first = next(iter(create.items()), None)
        return dict([first]) if first else {}

    def _resource(self, resource: Resource) -> None:
        create, update, public = self._resource_schemas(resource)
        path = f"{self.prefix}{resource.path}"
        var = resource.singular
        one = f"{path}/{{{var}_id}}"
        the = _words(var)
        row_id = example_id(self.spec, 1)
        item = f"ItemResponse[{public}]"
        listing = f"ListResponse[{public}]"
        params = tuple(self._resource_params(resource))
        default_sort = _default_sort(resource)
        path_param = self._path_param(f"{var}_id", f"The {the}.")
        example_one = {"data": self._example_public(resource)}
        example_page = _last_page([self._example_public(resource)], self.spec.api.default_page_size)
        hidden = " or it belongs to another user" if resource.owner_scoped else ""
        links = bool(resource.relations and any(r.declared for r in resource.relations))
        invalid = "the body breaks a constraint; `details` locate each field" + (
            " (including a related id the caller may not use)" if links else ""
        )
        unique_taken = (
            "a unique value is already taken"
            if self._has_unique(resource)
            else ("the change conflicts with existing rows")
        )
        referenced = self._referenced_by_restrict(resource)
        delete_conflict = (
            f"{', '.join(referenced)} rows still point at it (RESTRICT)"
            if referenced
            else "the change conflicts with existing rows"
        )

        def errors(route: str, *codes: tuple[int, str]) -> tuple[ErrorDesign, ...]:
            actions = ROUTE_ERRORS[route][0]
            refused = next(
                (a for a in actions if "public" not in resource.access.for_action(a)), None
            )
            found = {
                401: "no valid access token"
                if refused
                else "the token sent is not valid (none is needed)",
                403: self._forbidden(resource, refused or actions[0]),
                429: self._rate_limited().when,
                **dict(codes),
            }
            statuses = route_error_statuses(self.spec, resource, route)
            return tuple(self._error(status, found[status]) for status in statuses)

        def write_errors(route: str, conflict: str) -> tuple[ErrorDesign, ...]:
            return errors(
                route,
                (404, f"no such {the}{hidden}"),
                (409, conflict),
                (422, invalid if route == "update" else "the id is not valid"),
            )

        read_auth = self._auth_for(resource, "read")
        read_headers = self._bearer_headers(read_auth)
        pagination = self._pagination(default_sort)
        self.endpoints.append(
            EndpointDesign(
                group=resource.plural,
                method="GET",
                path=path,
                summary=f"List {_words(resource.plural)}",
                auth=read_auth,
                access=self._access_for(resource, "read"),
                response=listing,
                success_status=200,
                errors=errors("list", (422, "a query parameter is not valid")),
                parameters=params,
                pagination=pagination,
                example_request=ExampleRequest(
                    method="GET",
                    path=f"{path}?limit={self.spec.api.default_page_size}",
                    headers=read_headers,
                ),
                example_response=ExampleResponse(status=200, body=example_page),
            )
        )
        create_auth = self._auth_for(resource, "create")
        self.endpoints.append(
            EndpointDesign(
                group=resource.plural,
                method="POST",
                path=path,
                summary=f"Create {_a(the)}",
                auth=create_auth,
                access=self._access_for(resource, "create"),
                request=create,
                response=item,
                success_status=201,
                errors=errors("create", (409, unique_taken), (422, invalid)),
                example_request=ExampleRequest(
                    method="POST",
                    path=path,
                    headers=self._bearer_headers(create_auth),
                    body=self._example_create(resource),
                ),
                example_response=ExampleResponse(
                    status=201, headers=(("Location", f"{path}/{row_id}"),), body=example_one
                ),
            )
        )
        if resource.soft_delete:
            self.endpoints.append(
                EndpointDesign(
                    group=resource.plural,
                    method="GET",
                    path=f"{path}/deleted",
                    summary=f"List deleted {_words(resource.plural)}",
                    auth=read_auth,
                    access=self._access_for(resource, "read") + " (admin: every deleted row)",
                    response=listing,
                    success_status=200,
                    errors=errors("list_deleted", (422, "a query parameter is not valid")),
                    parameters=params,
                    pagination=pagination,
                    example_request=ExampleRequest(
                        method="GET", path=f"{path}/deleted", headers=read_headers
                    ),
                    example_response=ExampleResponse(
                        status=200,
                        body=_last_page(
                            [{**self._example_public(resource), "deleted_at": EXAMPLE_TIME}],
                            self.spec.api.default_page_size,
                        ),
                    ),
                )
            )
        self.endpoints.append(
            EndpointDesign(
                group=resource.plural,
                method="GET",
                path=one,
                summary=f"Get {_a(the)}",
                auth=read_auth,
                access=self._access_for(resource, "read"),
                response=item,
                success_status=200,
                errors=errors("get", (404, f"no such {the}{hidden}"), (422, "the id is not valid")),
                parameters=(path_param,),
                example_request=ExampleRequest(
                    method="GET", path=f"{path}/{row_id}", headers=read_headers
                ),
                example_response=ExampleResponse(status=200, body=example_one),
            )
        )
        update_auth = self._auth_for(resource, "update")
        self.endpoints.append(
            EndpointDesign(
                group=resource.plural,
                method="PATCH",
                path=one,
                summary=f"Update {_a(the)}",
                auth=update_auth,
                access=self._access_for(resource, "update"),
                request=update,
                response=item,
                success_status=200,
                errors=write_errors("update", unique_taken),
                parameters=(path_param,),
                example_request=ExampleRequest(
                    method="PATCH",
                    path=f"{path}/{row_id}",
                    headers=self._bearer_headers(update_auth),
                    body=self._example_update(resource),
                ),
                example_response=ExampleResponse(status=200, body=example_one),
            )
        )
        delete_auth = self._auth_for(resource, "delete")
        self.endpoints.append(
            EndpointDesign(
                group=resource.plural,
                method="DELETE",
                path=one,
                summary=f"Delete {_a(the)}" + (" (restorable)" if resource.soft_delete else ""),
                auth=delete_auth,
                access=self._access_for(resource, "delete"),
                success_status=204,
                errors=write_errors("delete", delete_conflict),
                parameters=(path_param,),
                example_request=ExampleRequest(
                    method="DELETE",
                    path=f"{path}/{row_id}",
                    headers=self._bearer_headers(delete_auth),
                ),
                example_response=ExampleResponse(status=204),
            )
        )
        if resource.soft_delete:
            self.endpoints.append(
                EndpointDesign(
                    group=resource.plural,
                    method="POST",
                    path=f"{one}/restore",
                    summary=f"Restore a deleted {the}",
                    auth=delete_auth,
                    access=self._access_for(resource, "delete"),
                    response=item,
                    success_status=200,
                    errors=write_errors("restore", unique_taken),
                    parameters=(path_param,),
                    example_request=ExampleRequest(
                        method="POST",
                        path=f"{path}/{row_id}/restore",
                        headers=self._bearer_headers(delete_auth),
                    ),
                    example_response=ExampleResponse(status=200, body=example_one),
                )
            )

    def _forbidden(self, resource: Resource, action: Action) -> str:
        rule = resource.access.for_action(action)
        if not rule:
            return f"nobody may {action} {_words(resource.plural)}"
        who = {"owner": "the owner", "authenticated": "signed in", "public": "anyone"}
        return f"the caller is not {' or '.join(who.get(p, p) for p in rule)}"

    def _has_unique(self, resource: Resource) -> bool:
        return bool(resource.unique) or any(f.unique for f in resource.fields)

    def _referenced_by_restrict(self, resource: Resource) -> list[str]:
        out = []
        for other in self.spec.resources:
            for relation in other.relations:
                if (
                    relation.kind == "many_to_one"
                    and relation.target == resource.name
                    and relation.on_delete == "RESTRICT"
                ):
                    out.append(other.name)
        return sorted(set(out))
