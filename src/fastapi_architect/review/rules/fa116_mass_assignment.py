"""FA116: a request body that lets the caller set privilege or ownership fields."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact, ParamFact
from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    FunctionNode,
    auth_params,
    authorizes,
    call_name,
    is_privileged,
    mentions,
    string_items,
    table_of_schema,
    walk_body,
)

WRITES = frozenset({"POST", "PUT", "PATCH"})
PRIVILEGE_FIELDS = frozenset(
    {
        "role",
        "roles",
        "user_role",
        "is_admin",
        "is_superuser",
        "is_staff",
        "is_active",
        "is_verified",
        "permissions",
    }
)
TENANT_FIELDS = frozenset({"tenant_id", "organization_id", "organisation_id", "org_id"})
ADMIN_WORDS = re.compile(r"(admin|superuser|super_user|staff|moderat|manage)", re.IGNORECASE)
SIGNUP = re.compile(r"(register|sign-?_?up|join|create[-_]?account)", re.IGNORECASE)
OWNER_MOVE = re.compile(r"(transfer|assign|owner|share|delegat)", re.IGNORECASE)
USER_WORDS = frozenset({"User", "Account", "Profile"})
AFFIXES = frozenset(
    {
        "Create",
        "Update",
        "Patch",
        "Put",
        "Edit",
        "New",
        "In",
        "Input",
        "Request",
        "Req",
        "Body",
        "Payload",
        "Schema",
        "Data",
        "Form",
        "Base",
        "Me",
        "Self",
        "Own",
        "Partial",
        "Register",
        "Registration",
        "Signup",
        "Sign",
        "Up",
        "Model",
        "Dto",
        "DTO",
    }
)
WHOLE = frozenset(
    {"model_dump", "dict", "model_dump_json", "json", "__dict__", "model_copy", "copy", "items"}
)
ADMIN_FLAGS = frozenset({"is_superuser", "is_admin", "is_staff", "superuser", "admin"})


def _words(name: str) -> list[str]:
    return re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+", name)


def _is_user_schema(ctx: FileContext, schema: ClassFact) -> bool:
    """A schema of the users themselves: named for a user/account/profile, or carrying
    the fields of one (e-mail, username, password)."""
    fields = set(ctx.index.all_fields(schema))
    if fields & {"email", "username", "password"}:
        return True
    words = [w for w in _words(schema.name) if w not in AFFIXES]
    if words and set(words) <= USER_WORDS:
        return True
    return not words and any(
        w in {"Register", "Registration", "Signup"} for w in _words(schema.name)
    )


class MassAssignment(Rule):
    """## What it does
    Reports a request body on a create or update route (`POST`, `PUT`, `PATCH`) that any
    signed-in user may call (no admin, superuser, role, permission or scope dependency),
    or on a sign-up route, when the body's schema lets the client set a privilege or
    ownership field that the handler passes on: `role`, `roles`, `is_admin`,
    `is_superuser`, `is_staff`, `is_active`, `is_verified`, `permissions` on a user or
    account schema; `owner_id`, or the owner column (`user_id`, `author_id`, ...) of the
    table the schema writes; `tenant_id` / `organization_id` (a warning).

    ## Why is this bad?
    Whatever the schema accepts, the client can send: a user who sends
    `{"is_superuser": true}` to their own profile update becomes an administrator, and
    one who sends `{"owner_id": 7}` creates or moves rows into another user's account
    (mass assignment, CWE-915; OWASP API3:2023).

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from pydantic import BaseModel

    from app.deps import get_current_user

    class UserUpdate(BaseModel):
        full_name: str | None = None
        is_superuser: bool = False

    router = APIRouter()

    @router.patch("/users/me")
    def update_me(body: UserUpdate, user=Depends(get_current_user)):
        for key, value in body.model_dump(exclude_unset=True).items():
            setattr(user, key, value)
        return user
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends
    from pydantic import BaseModel

    from app.deps import get_current_user

    class UserUpdateMe(BaseModel):
        full_name: str | None = None

    router = APIRouter()

    @router.patch("/users/me")
    def update_me(body: UserUpdateMe, user=Depends(get_current_user)):
        for key, value in body.model_dump(exclude_unset=True).items():
            setattr(user, key, value)
        return user
    ```

    ## Known problems
    The field counts as handled when the handler (or a function of the same file it
    hands the body to) names it: excludes it (`model_dump(exclude={"role"})`), sets it
    itself (`owner_id=user.id`, `task.owner_id = user.id`), compares it, or reads only
    other fields of the body. Ownership and tenant fields also count as handled when the
    body is handed to a function together with the signed-in user, which may set them;
    a role or admin flag handed on that way is a low-confidence warning (the function
    knows who asks and may check what they may grant). What a function in another file
    does with the body is not seen. Routes, handlers and
    schemas named for administrators (`UserAdminUpdate`, `/admin/...`) are taken as
    admin-only, and so are handlers that refuse non-administrators first
    (`if not user.is_superuser: raise ...`) or call an authorization check with the user
    (`authorize(user, UserPolicy.update)`, `require_permission(user, ...)`): whether that
    check demands an administrator is not verified.

    ## References
    - [OWASP API3:2023 Broken Object Property Level Authorization](https://owasp.org/API-Security/editions/2023/en/0xa3-broken-object-property-level-authorization/)
    - [OWASP Mass Assignment Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html)
    - [CWE-915](https://cwe.mitre.org/data/definitions/915.html)
    """

    id = "FA116"
    slug = "mass-assignment"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    cwe = 915

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            if not WRITES & set(fact.methods) or is_privileged(route):
                continue
            if ADMIN_WORDS.search(route.full_path) or ADMIN_WORDS.search(fact.handler):
                continue
            signup = bool(SIGNUP.search(route.full_path) or SIGNUP.search(fact.handler))
            if not (route.auth or route.auth_in_body or signup):
                continue
            handler = ctx.handler(route)
            if handler is None or self._admin_only(ctx, route, handler):
                continue
            users = auth_params(ctx, route)
            if authorizes(handler, users):
                continue
            for param in fact.params:
                if param.kind not in {"plain", "body"} or param.is_list:
                    continue
                schema = ctx.index.klass(param.type_name)
                if schema is None or ADMIN_WORDS.search(schema.name):
                    continue
                finding = self._check_body(ctx, route, handler, param, schema, users, signup)
                if finding is not None:
                    yield finding

    def _check_body(
        self,
        ctx: FileContext,
        route: Route,
        handler: FunctionNode,
        param: ParamFact,
        schema: ClassFact,
        users: list[str],
        signup: bool,
    ) -> Finding | None:
        fields = ctx.index.all_fields(schema)
        privilege = (
            [f for f in fields if f in PRIVILEGE_FIELDS] if _is_user_schema(ctx, schema) else []
        )
        table = table_of_schema(ctx, schema)
        owner = ctx.index.owner_column(table) if table is not None else None
        ownership = [
            f for f in fields if (f == "owner_id" or f == owner) and f not in TENANT_FIELDS
        ]
        if ownership and OWNER_MOVE.search(route.full_path + " " + route.fact.handler):
            ownership = []
        tenant = [f for f in fields if f in TENANT_FIELDS]
        if not (privilege or ownership or tenant):
            return None
        scopes = [(handler, param.name)]
        scopes += self._same_file_callees(ctx, handler, param.name)
        with_user = self._passed_with_user(handler, param.name, users)
        kept_privilege = [f for f in privilege if not self._handled(scopes, f, users)]
        kept_owner = [
            f for f in ownership + tenant if not with_user and not self._handled(scopes, f, users)
        ]
        kept = kept_privilege + [f for f in kept_owner if f not in TENANT_FIELDS]
        tenant_only = not kept and bool(kept_owner)
        if tenant_only:
            kept = kept_owner
        if not kept:
            return None
        who = "anyone signing up" if signup and not route.auth else "any signed-in user"
        fact = route.fact
        # handed on together with the caller: the code it goes to knows who asks, and may
        # check what they may grant (`users.update_user(caller, roles=data.roles)`)
        told = with_user and not tenant_only
        return self.finding(
            ctx,
            (param.line, param.col, param.line, param.col + len(param.name)),
            f"`{param.name}: {schema.name}` lets {who} set {', '.join(f'`{f}`' for f in kept)} "
            f"on {'/'.join(fact.methods)} {route.full_path}"
            + (" (handed on with the caller, who may be checked there)" if told else ""),
            "drop those fields from the request schema (a separate admin schema for them), "
            "or set them from the signed-in user and exclude them when copying the body",
            severity=Severity.WARNING if tenant_only or told else None,
            confidence=Confidence.LOW if told else None,
        )

    @staticmethod
    def _admin_only(ctx: FileContext, route: Route, handler: FunctionNode) -> bool:
        """`Security(..., scopes=[...])` on a parameter, or a first check that refuses
        callers who are not administrators."""
        for node in walk(handler.args):
            if (
                isinstance(node, ast.Call)
                and last_name(call_name(node)) == "Security"
                and keyword(node, "scopes") is not None
            ):
                return True
        for stmt in handler.body:
            if not isinstance(stmt, ast.If) or not any(isinstance(s, ast.Raise) for s in stmt.body):
                continue
            test = stmt.test
            if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
                test = test.operand
            if isinstance(test, ast.Attribute) and test.attr in ADMIN_FLAGS:
                return True
            if isinstance(test, ast.Compare) and any(
                isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and ADMIN_WORDS.search(n.value)
                for n in walk(test)
            ):
                return True
        return False

    @staticmethod
    def _same_file_callees(
        ctx: FileContext, handler: FunctionNode, body: str
    ) -> list[tuple[FunctionNode, str]]:
        """Functions of this file the body is handed to, with their parameter's name."""
        by_name: dict[str, FunctionNode] = {}
        for fn in ctx.functions().values():
            by_name.setdefault(fn.name, fn)
        out: list[tuple[FunctionNode, str]] = []
        for node in walk_body(handler):
            if not isinstance(node, ast.Call):
                continue
            callee = by_name.get(last_name(call_name(node)))
            if callee is None or callee is handler:
                continue
            params = [a.arg for a in [*callee.args.posonlyargs, *callee.args.args]]
            if params and params[0] in {"self", "cls"}:
                params = params[1:]
            for i, arg in enumerate(node.args):
                if isinstance(arg, ast.Name) and arg.id == body and i < len(params):
                    out.append((callee, params[i]))
            for kw in node.keywords:
                if isinstance(kw.value, ast.Name) and kw.value.id == body and kw.arg:
                    out.append((callee, kw.arg))
        return out

    @staticmethod
    def _passed_with_user(handler: FunctionNode, body: str, users: list[str]) -> bool:
        """The body is handed to a call that also receives the signed-in user."""
        for node in walk_body(handler):
            if isinstance(node, ast.Call):
                args = [*node.args, *(k.value for k in node.keywords)]
                if any(mentions(a, body) for a in args) and any(
                    mentions(a, u) for a in args for u in users
                ):
                    return True
        return False

    @staticmethod
    def _handled(scopes: list[tuple[FunctionNode, str]], field: str, users: list[str]) -> bool:
        """The field is excluded, overridden or checked in one of the scopes, or no scope
        copies the body whole or reads the field."""
        handed = {id(fn) for fn, _ in scopes[1:]}
        used = False
        for fn, body in scopes:
            bases: set[int] = set()
            for node in walk_body(fn):
                if isinstance(node, ast.Constant) and node.value == field:
                    return True  # exclude={"role"}, data.pop("role"), data["owner_id"] = ...
                if (
                    isinstance(node, ast.keyword)
                    and node.arg == field
                    and not mentions(node.value, body)
                ):
                    return True  # Task(**data, owner_id=user.id)
                if isinstance(node, ast.keyword) and node.arg == "include":
                    items = string_items(node.value)
                    if items is not None and field not in items:
                        return True
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if any(
                        isinstance(t, ast.Attribute) and t.attr == field for t in targets
                    ) and not (node.value is not None and mentions(node.value, body)):
                        return True  # task.owner_id = user.id
                if isinstance(node, ast.Compare) and _checks(node, field, users):
                    return True  # if body.owner_id != user.id: raise
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == body
                ):
                    bases.add(id(node.value))
                    if node.attr == field or node.attr in WHOLE:
                        used = True
            for node in walk_body(fn):
                if (
                    isinstance(node, ast.Name)
                    and node.id == body
                    and id(node) not in bases
                    and not _handed_on(fn, node, handed, scopes)
                ):
                    used = True
        return not used


def _checks(node: ast.Compare, field: str, users: list[str]) -> bool:
    """A comparison of `x.field` with the signed-in user or with a constant value."""
    if not any(isinstance(n, ast.Attribute) and n.attr == field for n in walk(node)):
        return False
    if any(mentions(node, u) for u in users):
        return True
    return any(
        isinstance(n, ast.Constant) and n.value is not None and not isinstance(n.value, bool)
        for n in walk(node)
    )


def _handed_on(
    fn: FunctionNode, name: ast.Name, handed: set[int], scopes: list[tuple[FunctionNode, str]]
) -> bool:
    """`name` is an argument of a call to one of the functions followed as scopes."""
    names = {f.name for f, _ in scopes if id(f) in handed}
    for node in walk_body(fn):
        if (
            isinstance(node, ast.Call)
            and last_name(call_name(node)) in names
            and any(a is name for a in [*node.args, *(k.value for k in node.keywords)])
        ):
            return True
    return False
