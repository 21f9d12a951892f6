"""FA108: a table model or response schema with sensitive fields sent to the client."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import is_true, keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    assignments,
    call_name,
    is_privileged,
    string_items,
    walk_body,
)

# Fields of a response schema never meant for a client: a password hash anywhere, a
# password on a user's schema (elsewhere it may be a stored credential delivered on
# purpose, as a connection store does: a warning).
HASH_FIELD = re.compile(
    r"^(hashed_password|password_hash|pass_hash|password_digest|hashed_pw|pw_hash)$", re.I
)
PASSWORD_FIELD = re.compile(r"^(password|passwd|plain_password|raw_password)$", re.I)
PERSONAL_FIELD = re.compile(
    r"^(ssn|social_security_number|credit_card|credit_card_number|card_number|cvv|cvc)$",
    re.IGNORECASE,
)
# Credentials: sometimes shown once on purpose (a new API key, a login's tokens, a TOTP
# secret at enrolment), so not on routes that issue them. A bare `token` counts on a
# user's schema only (elsewhere it is often a job or pagination handle).
CREDENTIAL_FIELD = re.compile(
    r"^((\w+_)?(api_?key|secret|secret_key|access_key)|private_key|otp_secret|totp_secret|"
    r"mfa_secret|(access|refresh|id|auth|session|reset|password_reset|verification|verify|"
    r"confirmation|confirm|magic_link|invite|invitation|bearer|jwt|personal_access)_token)$",
    re.IGNORECASE,
)
ADMIN_PATH = re.compile(r"(^|/)(admin|superuser|staff|internal)(/|$)", re.IGNORECASE)
OWN_PATH = re.compile(r"/(me|self|whoami|current|profile|account)(/|$)", re.IGNORECASE)
USER_SCHEMA_WORDS = frozenset({"User", "Account", "Profile", "Me", "Customer", "Member"})
# Routes that hand out credentials: their responses carry tokens and keys by design.
ISSUING_PATH = re.compile(
    r"(login|log-?in|sign-?in|token|(^|[/_-])auth([/_-]|$)|oauth|refresh|register|sign-?up|"
    r"sessions?|sso|callback|verify|confirm|invit|api-?_?keys?|credentials?|secrets?|"
    r"totp|otp|mfa|2fa)",
    re.IGNORECASE,
)
MASKED_TYPES = frozenset({"SecretStr", "SecretBytes", "bool"})


def _is_user_schema(schema: ClassFact, fields: list[str]) -> bool:
    """A schema of a person's account: it has an e-mail or a username, or is named so."""
    if {"email", "username", "email_address", "login_name"} & set(fields):
        return True
    words = re.findall(r"[A-Z][a-z0-9]*", schema.name)
    return bool(words) and words[0] in USER_SCHEMA_WORDS


class SensitiveFieldExposed(Rule):
    """## What it does
    Reports a route whose response is a table model with sensitive fields (`password`,
    `hashed_password`, `*_token`, `secret`, `api_key`, ...): as its `response_model`, as
    its return annotation, or returned from a handler that declares no response model.
    Also reports a response schema (a Pydantic model that is not a table) declared as
    `response_model` or return annotation, graded by what it exposes:

    - a password hash (`hashed_password`, `password_hash`, ...) anywhere, or a `password`
      on a user's schema (one with an `email` or `username`, or named `User...`,
      `Account...`, `Profile...`) returned by a route that is neither admin-only nor a
      `POST`: an error;
    - that `password` on an admin-only or `POST` route, personal data (`ssn`,
      `credit_card`, `card_number`, `cvv`), and credentials on a user's schema
      (`api_key`, `secret`, `access_token`, `reset_token`, `private_key`, a bare `token`,
      ...) returned for other users (a path id or a list): a warning;
    - a user's credentials returned to that user (`/me`), a `password` on another schema
      (a stored connection's credentials), and credentials on another schema (a webhook's
      secret), often shown on purpose: info, with low confidence.

    Credentials are not reported on routes that issue them by design (`POST`/`PUT`
    routes, paths about login, tokens, auth, registration, API keys, secrets or MFA), and
    credentials and personal data not on admin-only routes.

    ## Why is this bad?
    FastAPI serialises every field of the response model. A table model carries the
    password hash and tokens, which then reach every client (CWE-200). A response schema
    with a password, a card number or a stored credential sends it to whoever may read
    the resource, and into every log and cache on the way.

    ## Example
    ```python
    from fastapi import APIRouter
    from sqlmodel import Field, SQLModel

    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        email: str = Field(max_length=255)
        hashed_password: str = Field(max_length=255)

    router = APIRouter()

    @router.get("/users/{user_id}", response_model=User)
    def read_user(user_id: int): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter
    from sqlmodel import Field, SQLModel

    class User(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        email: str = Field(max_length=255)
        hashed_password: str = Field(max_length=255)

    class UserPublic(SQLModel):
        id: int
        email: str

    router = APIRouter()

    @router.get("/users/{user_id}", response_model=UserPublic)
    def read_user(user_id: int): ...
    ```

    ## Known problems
    Without a response model the rule follows only values fetched or built in the
    handler itself (`session.get(User, id)`, `User(...)`, `select(User)`); a model
    returned from another function is not followed. Schema fields typed `SecretStr`,
    `SecretBytes` or `bool`, fields excluded with `response_model_exclude=` (or left out
    of `response_model_include=`) and, when the schema is written in the route's file,
    with `Field(exclude=True)` or a `field_serializer`, are not reported; a mask applied
    elsewhere (a validator in another file) is not seen. Schemas nested in another
    schema or wrapped in a generic (`Page[UserOut]`) are not opened.

    ## References
    - [FastAPI: Response Model](https://fastapi.tiangolo.com/tutorial/response-model/)
    - [CWE-200](https://cwe.mitre.org/data/definitions/200.html)
    """

    id = "FA108"
    slug = "sensitive-field-exposed"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 200

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            if fact.response_model_none or (
                fact.response_class and "Response" in last_name(fact.response_class)
            ):
                continue
            declared = fact.response_model_type if fact.response_model else fact.return_type
            if declared is not None:
                table = ctx.index.table(declared)
                if table is not None and ctx.index.sensitive_fields(table):
                    yield self._report(ctx, route, table, Confidence.HIGH)
                elif table is None and (schema := ctx.index.klass(declared)) is not None:
                    found = self._schema(ctx, route, schema)
                    if found is not None:
                        yield found
                continue
            handler = ctx.handler(route)
            if handler is not None:
                table = self._returned_table(ctx, handler)
                if table is not None and ctx.index.sensitive_fields(table):
                    yield self._report(ctx, route, table, Confidence.MEDIUM)

    def _report(
        self, ctx: FileContext, route: Route, table: ClassFact, confidence: Confidence
    ) -> Finding:
        fields = ", ".join(ctx.index.sensitive_fields(table))
        fact = route.fact
        return self.finding(
            ctx,
            (fact.decorator_line, fact.decorator_col, fact.decorator_line, fact.decorator_col),
            f"{'/'.join(fact.methods)} {route.full_path} returns table model {table.name} "
            f"with sensitive field(s) {fields}",
            f"declare a public schema without those fields (e.g. `{table.name}Public`) as "
            "`response_model`",
            confidence=confidence,
        )

    def _schema(self, ctx: FileContext, route: Route, schema: ClassFact) -> Finding | None:
        """A finding for a response schema with secret fields, or None."""
        if ctx.index.is_table_part(schema) and not ctx.index.sensitive_fields(schema):
            return None
        fact = route.fact
        excluded = self._excluded(ctx, route) | self._masked_here(ctx, schema)
        included = self._excluded(ctx, route, "response_model_include")
        if included:  # `response_model_include={"id", "email"}`: only those go out
            excluded |= set(ctx.index.all_fields(schema)) - included
        types: dict[str, str] = {}
        for part in reversed(ctx.index.ancestors(schema)):
            types.update({c.name: last_name(c.type_name) for c in part.columns})
        fields = [
            f
            for f in ctx.index.all_fields(schema)
            if f not in excluded and types.get(f) not in MASKED_TYPES
        ]
        user = _is_user_schema(schema, fields)
        admin = is_privileged(route) or bool(ADMIN_PATH.search(route.full_path))
        issuing = bool({"POST", "PUT"} & set(fact.methods)) or any(
            ISSUING_PATH.search(p) for p in (route.full_path, fact.handler)
        )
        hashes = [f for f in fields if HASH_FIELD.match(f)]
        passwords = [f for f in fields if PASSWORD_FIELD.match(f)]
        personal = [] if admin else [f for f in fields if PERSONAL_FIELD.match(f)]
        credentials = (
            []
            if admin or issuing
            else [f for f in fields if CREDENTIAL_FIELD.match(f) or (user and f == "token")]
        )
        # The caller's own account (`/me`, no path id and not a list) may show its own key.
        own = not (fact.response_model_is_list or fact.return_is_list) and (
            OWN_PATH.search(route.full_path) is not None or "{" not in route.full_path
        )
        local = ctx.index.class_paths.get(schema.qualname) == ctx.path
        if hashes or (user and passwords and not admin and "POST" not in fact.methods):
            shown = hashes + (passwords if user else [])
            severity, confidence = Severity.ERROR, Confidence.HIGH if local else Confidence.MEDIUM
        elif personal or (user and passwords) or (user and credentials and not own):
            shown = (passwords if user else []) + personal + credentials
            severity, confidence = Severity.WARNING, Confidence.MEDIUM
        elif (passwords and not admin) or credentials:
            shown = ([] if admin else passwords) + credentials
            severity, confidence = Severity.INFO, Confidence.LOW
        else:
            return None
        return self.finding(
            ctx,
            (fact.decorator_line, fact.decorator_col, fact.decorator_line, fact.decorator_col),
            f"{'/'.join(fact.methods)} {route.full_path} returns schema {schema.name} with "
            f"sensitive field(s) {', '.join(shown)}",
            "remove those fields from the response schema (or type them `SecretStr`); "
            "return a credential only from the route that creates it",
            severity=severity,
            confidence=confidence,
        )

    @staticmethod
    def _excluded(
        ctx: FileContext, route: Route, argument: str = "response_model_exclude"
    ) -> set[str]:
        """Fields named in the decorator's `response_model_exclude=` (or another such
        argument)."""
        handler = ctx.handler(route)
        for dec in handler.decorator_list if handler is not None else ():
            if isinstance(dec, ast.Call) and dec.lineno == route.fact.decorator_line:
                node = keyword(dec, argument)
                if isinstance(node, ast.Dict):
                    return {
                        k.value
                        for k in node.keys
                        if isinstance(k, ast.Constant) and isinstance(k.value, str)
                    }
                items = string_items(node) if node is not None else None
                return set(items or ())
        return set()

    @staticmethod
    def _masked_here(ctx: FileContext, schema: ClassFact) -> set[str]:
        """Fields the schema (written in this file) excludes or serialises itself."""
        out: set[str] = set()
        for part in ctx.index.ancestors(schema):
            if ctx.index.class_paths.get(part.qualname) != ctx.path:
                continue
            node = next(
                (
                    n
                    for n in ctx.nodes
                    if isinstance(n, ast.ClassDef) and n.name == part.name and n.lineno == part.line
                ),
                None,
            )
            for stmt in node.body if node is not None else ():
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and any(
                        isinstance(sub, ast.Call) and is_true(keyword(sub, "exclude"))
                        for sub in walk(stmt)
                    )
                ):
                    out.add(stmt.target.id)
                if isinstance(stmt, ast.FunctionDef):
                    for dec in stmt.decorator_list:
                        if isinstance(dec, ast.Call) and last_name(call_name(dec)) in {
                            "field_serializer",
                            "serializer",
                        }:
                            out.update(
                                a.value
                                for a in dec.args
                                if isinstance(a, ast.Constant) and isinstance(a.value, str)
                            )
        return out

    @staticmethod
    def _returned_table(ctx: FileContext, handler: ast.AST) -> ClassFact | None:
        assigned = assignments(handler)
        for node in walk_body(handler):
            if not isinstance(node, ast.Return) or node.value is None:
                continue
            value = node.value
            if isinstance(value, ast.Name) and value.id in assigned:
                value = assigned[value.id]
            if isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, ast.Call):
                continue
            table = ctx.index.table(ctx.qualify(value.func))
            if table is not None:
                return table
            for inner in walk(value):
                if not isinstance(inner, ast.Call) or not inner.args:
                    continue
                if last_name(call_name(inner)) in {"get", "select", "query", "get_or_404"}:
                    table = ctx.index.table(ctx.qualify(inner.args[0]))
                    if table is not None:
                        return table
        return None
