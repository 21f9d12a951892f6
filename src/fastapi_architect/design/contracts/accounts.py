"""Contracts of the account endpoints: the built-in auth routes, users and the audit log."""

from __future__ import annotations

from pydantic import JsonValue

from fastapi_architect.design.contracts.base import ContractsBase
from fastapi_architect.design.contracts.fields import (
    create_field,
    example_id,
    example_value,
    last_page,
    public_field,
    update_field,
)
from fastapi_architect.design.model import (
    ExampleRequest,
    ExampleResponse,
    FieldDesign,
    ParameterDesign,
    SchemaDesign,
)
from fastapi_architect.spec.model import ResolvedField, Resource
from fastapi_architect.spec.types import EXAMPLE_TIME

FORM = "application/x-www-form-urlencoded"


class AccountContracts(ContractsBase):
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
            *(public_field(f) for f in self._user_extras() if not f.sensitive),
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
                body[item.name] = example_value(item)
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
        self._schema(
            SchemaDesign(
                name="UserRegister",
                description="A new account; the role is always the default role.",
                fields=(email, password, *(create_field(f) for f in extras)),
            )
        )
        self._schema(
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
        self._schema(
            SchemaDesign(
                name="OAuth2PasswordRequestForm",
                description="The OAuth2 password grant form (the email is the username).",
                media_type=FORM,
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
        self._schema(
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
        self._schema(
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
        self._user_public()
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
            register_body[item.name] = example_value(item)
        base = f"{self.prefix}/auth"
        limited = f"more than {login_limit} attempts per client IP or per account"
        wrong = "wrong email or password, or the account is inactive"
        invalid = "the body breaks a constraint"
        self._endpoint(
            "auth",
            "register",
            {
                409: "the email is already registered",
                422: "the body breaks a constraint; `details` locate each field",
                429: f"more than {login_limit} registrations per client IP",
            },
            ExampleRequest(method="POST", path=f"{base}/register", body=register_body),
            ExampleResponse(
                status=201,
                headers=(("Location", f"{self.prefix}/users/me"),),
                body={"data": self._user_public_example()},
            ),
        )
        self._endpoint(
            "auth",
            "token",
            {401: wrong, 422: "the form is incomplete", 429: limited},
            ExampleRequest(
                method="POST",
                path=f"{base}/token",
                form=(("username", "ada@example.com"), ("password", "<password>")),
            ),
            ExampleResponse(status=200, body=token_example),
        )
        self._endpoint(
            "auth",
            "login",
            {401: wrong, 422: invalid, 429: limited},
            ExampleRequest(
                method="POST",
                path=f"{base}/login",
                body={"email": "ada@example.com", "password": "<password>"},
            ),
            ExampleResponse(status=200, body=token_example),
        )
        self._endpoint(
            "auth",
            "refresh",
            {
                401: "the refresh token is unknown, expired or revoked; a reused token "
                "revokes every token rotated from the same login",
                422: invalid,
            },
            ExampleRequest(
                method="POST", path=f"{base}/refresh", body={"refresh_token": "<opaque token>"}
            ),
            ExampleResponse(status=200, body=token_example),
            access="holder of a live refresh token",
        )
        self._endpoint(
            "auth",
            "logout",
            {422: invalid},
            ExampleRequest(
                method="POST", path=f"{base}/logout", body={"refresh_token": "<opaque token>"}
            ),
            ExampleResponse(status=204),
            access="holder of the refresh token",
        )

    def _users(self) -> None:
        admin = self.spec.auth.admin_role or "admin"
        extras = [f for f in self._user_extras() if not f.read_only]
        self._schema(
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
                    *(update_field(f) for f in extras),
                ),
            )
        )
        self._schema(
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
        self._user_public()
        base = f"{self.prefix}/users"
        bearer = self._bearer_headers("bearer")
        unauthorized = "no valid access token"
        forbidden = f"the caller is not an administrator ({admin})"
        limited = self._rate_limited().when
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
            self._search_param("Search emails."),
        ]
        user_param = (self._path_param("user_id", "The user."),)
        self._endpoint(
            "users",
            "me",
            {401: unauthorized, 429: limited},
            ExampleRequest(method="GET", path=f"{base}/me", headers=bearer),
            ExampleResponse(status=200, body=one),
        )
        self._endpoint(
            "users",
            "update_me",
            {
                401: unauthorized,
                409: "a unique value is already taken",
                422: "the body breaks a constraint",
                429: limited,
            },
            ExampleRequest(
                method="PATCH",
                path=f"{base}/me",
                headers=bearer,
                body=(
                    {"password": "a new long passphrase"}
                    if self.spec.auth.mode == "builtin"
                    else {}
                ),
            ),
            ExampleResponse(status=200, body=one),
        )
        self._endpoint(
            "users",
            "list",
            {
                401: unauthorized,
                403: forbidden,
                422: "a query parameter is not valid",
                429: limited,
            },
            ExampleRequest(method="GET", path=f"{base}?limit=20", headers=bearer),
            ExampleResponse(status=200, body=last_page([self._user_public_example()], 20)),
            parameters=tuple(params),
            pagination=self._pagination("-created_at"),
        )
        self._endpoint(
            "users",
            "get",
            {
                401: unauthorized,
                403: forbidden,
                404: "no such user",
                422: "the id is not valid",
                429: limited,
            },
            ExampleRequest(method="GET", path=f"{base}/{user_id}", headers=bearer),
            ExampleResponse(status=200, body=one),
            parameters=user_param,
        )
        self._endpoint(
            "users",
            "administer",
            {
                401: unauthorized,
                403: forbidden,
                404: "no such user",
                422: "the body breaks a constraint",
                429: limited,
            },
            ExampleRequest(
                method="PATCH", path=f"{base}/{user_id}", headers=bearer, body={"is_active": False}
            ),
            ExampleResponse(status=200, body=one),
            parameters=user_param,
        )

    def _audit(self) -> None:
        admin = self.spec.auth.admin_role or "admin"
        # How each change was asked for, when the log records it (an MCP endpoint's tools).
        recorded = any(c.name == "channel" for c in self.spec.table("audit_log").columns)
        channel = (
            (FieldDesign(name="channel", type="string", required=True, description="api or mcp"),)
            if recorded
            else ()
        )
        self._schema(
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
                    *channel,
                    self._time("created_at"),
                ),
            )
        )
        api = self.spec.api
        params = (
            *self._page_params(),
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
        route = self.routes["audit", "list"]
        self._endpoint(
            "audit",
            "list",
            {
                401: "no valid access token",
                403: f"the caller is not an administrator ({admin})",
                422: "a query parameter is not valid",
                429: self._rate_limited().when,
            },
            ExampleRequest(
                method="GET",
                path=f"{route.path}?resource={audited.name}",
                headers=self._bearer_headers("bearer"),
            ),
            ExampleResponse(
                status=200,
                body=last_page(
                    [
                        {
                            "id": example_id(self.spec, 3),
                            "actor_id": example_id(self.spec, 1),
                            "action": "update",
                            "resource": audited.name,
                            "resource_id": str(example_id(self.spec, 2)),
                            "changes": {"before": {}, "after": {}},
                            "request_id": "5f0c6e0e9b2d4c1e",
                            **({"channel": "api"} if recorded else {}),
                            "created_at": EXAMPLE_TIME,
                        }
                    ],
                    api.default_page_size,
                ),
            ),
            parameters=params,
            pagination=(
                f"cursor (keyset), newest first: `limit` 1-{api.max_page_size} "
                f"(default {api.default_page_size}); pass `meta.next_cursor` back as `cursor`"
            ),
        )

    # -------------------------------------------------------- resources
