"""FA103: an owned model fetched by id with no owner condition."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact, FunctionFact
from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    FunctionNode,
    auth_params,
    call_name,
    fetched_table,
    is_privileged,
    mentions,
    table_of_schema,
    walk_body,
)

# A dependency named with one of these words, or one that reads the route's path id, is
# taken to check the row against the caller.
OWNERSHIP_WORDS = frozenset(
    {
        "own",
        "owns",
        "owned",
        "owner",
        "ownership",
        "access",
        "authorize",
        "authorise",
        "authorized",
        "permission",
        "permissions",
        "can",
        "member",
        "membership",
        "allowed",
    }
)
USER_PARAM = re.compile(r"(user|owner|account|caller|principal|actor|member|me$|identity)", re.I)


AUDIT_COLUMNS = frozenset({"created_by", "created_by_id"})


class OwnedFetchWithoutOwner(Rule):
    """## What it does
    In a route with an authenticated user (a parameter, or a dependency of the route or
    its router), reports `session.get(Model, id)` (or a `select(Model)` filtered on its
    id) where `Model` has an owner column (`owner_id`, `user_id`, ...) and the handler
    never looks at that column. Reads (`GET`) are checked like writes, and the fetch is
    followed one level: into a function of the same file that the handler calls with the
    id but not the user. When that function is in another file, the route's response
    model says what is fetched: a route that returns an owned model (or its schema,
    `TaskOut` for `Task`), hands the path id to a function without the user, and never
    uses the user is reported as a warning.

    ## Why is this bad?
    Any logged-in user can fetch another user's row by guessing its id (IDOR, CWE-639).
    An owned row must be looked up together with its owner, and a row of another owner
    must be answered as a 404.

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(
        task_id: int, user=Depends(get_current_user), session: Session = Depends(get_session)
    ):
        return session.get(Task, task_id)
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends, HTTPException
    from sqlmodel import Field, Session, SQLModel

    from app.deps import get_current_user, get_session

    class Task(SQLModel, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(
        task_id: int, user=Depends(get_current_user), session: Session = Depends(get_session)
    ):
        task = session.get(Task, task_id)
        if task is None or task.owner_id != user.id:
            raise HTTPException(status_code=404)
        return task
    ```

    ## Known problems
    When the handler passes the user to another function (a service or repository), the
    rule assumes that function filters and stays silent; so it does when a dependency of
    the route receives the path id or is named for ownership or access
    (`Depends(get_owned_task)`, `Depends(check_access)`): that dependency is taken to
    compare the row with the caller. A fetch by values taken from the caller
    (`Tenant.id.in_(ids)` where `ids` comes from `user.tenants`, a line or two before)
    is scoped to what the caller holds. Admin-, role- and scope-guarded routes are
    skipped.
    A function in another file is not read: only what the route returns says what it
    fetched, and that case, like a route whose user is only known to a router-level
    dependency, needs the owner column to be a foreign key. Reading the users table
    itself by id is left to FA102. A row whose only owner column is its creator
    (`created_by`) may be an audit trail on a catalogue every user reads: such a read
    is a warning with low confidence.

    ## References
    - [OWASP API1:2023 Broken Object Level Authorization](https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/)
    - [CWE-639](https://cwe.mitre.org/data/definitions/639.html)
    """

    id = "FA103"
    slug = "owned-fetch-without-owner"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    cwe = 639

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            users = auth_params(ctx, route)
            handler = ctx.handler(route)
            if handler is None or is_privileged(route) or not (users or route.auth):
                continue
            if self._ownership_dep(ctx, route):
                continue
            fetches: list[tuple[ast.Call, ClassFact, str, str | None]] = []
            delegated = False
            callers = self._from_caller(handler, users)
            for node in walk_body(handler):
                if not isinstance(node, ast.Call):
                    continue
                hit = self._fetch(ctx, node)
                if hit is not None:
                    if not any(mentions(a, u) for a in node.args for u in callers):
                        fetches.append((node, *hit, None))
                elif any(any(mentions(a, u) for u in users) for a in [*node.args, *node.keywords]):
                    delegated = True
            if delegated:
                continue
            path_ids = {p.name for p in route.fact.params if p.kind == "path"}
            if not fetches:
                fetches = self._followed(ctx, handler, path_ids)
            for call, model, owner, via in fetches:
                if self._mentions_owner(handler, owner):
                    continue
                if not users and not self._user_key(ctx, model, owner):
                    continue
                where = f"`{via}` fetches it" if via else "it is fetched"
                # a creator column on a read is often an audit trail of a shared
                # catalogue (roles, templates) that every user may read
                audit = owner in AUDIT_COLUMNS and set(route.fact.methods) <= {"GET", "HEAD"}
                yield self.finding(
                    ctx,
                    call,
                    f"{model.name} is owned (`{owner}`) but {where} by id with no owner condition",
                    self._fix(model, owner, users),
                    severity=Severity.WARNING if audit else None,
                    confidence=Confidence.LOW if audit else None,
                )
            if (
                not fetches
                and not any(mentions(s, u) for s in handler.body for u in users)
                and not self._scoped(handler)
            ):
                found = self._by_response(ctx, route, handler, path_ids)
                if found is not None:
                    yield found

    @staticmethod
    def _fix(model: ClassFact, owner: str, users: list[str]) -> str:
        user = users[0] if users else "current_user"
        return (
            f"filter on `{model.name}.{owner} == {user}.id` and answer 404 when the row "
            "belongs to someone else"
        )

    @staticmethod
    def _ownership_dep(ctx: FileContext, route: Route) -> bool:
        """A dependency that receives a path id of the route, or is named for ownership."""
        path_ids = {p.name for p in route.fact.params if p.kind == "path"}
        for dep in route.deps:
            words = re.findall(
                r"[a-z0-9]+", re.sub(r"([A-Z])", r"_\1", last_name(dep.target)).lower()
            )
            if OWNERSHIP_WORDS & set(words):
                return True
            fn = ctx.index.function(dep.target)
            if fn is not None and path_ids & {p.name for p in fn.params}:
                return True
        return False

    def _followed(
        self, ctx: FileContext, handler: FunctionNode, path_ids: set[str]
    ) -> list[tuple[ast.Call, ClassFact, str, str | None]]:
        """Fetches in functions of this file that the handler hands a path id to."""
        by_name: dict[str, FunctionNode] = {}
        for fn in ctx.functions().values():
            by_name.setdefault(fn.name, fn)
        out: list[tuple[ast.Call, ClassFact, str, str | None]] = []
        for node in walk_body(handler):
            if not isinstance(node, ast.Call):
                continue
            args = [*node.args, *(k.value for k in node.keywords)]
            if not any(mentions(a, p) for a in args for p in path_ids):
                continue
            callee = by_name.get(last_name(call_name(node)))
            if callee is None or callee is handler or self._takes_user(callee):
                continue
            for inner in walk_body(callee):
                if isinstance(inner, ast.Call):
                    hit = self._fetch(ctx, inner)
                    if hit is not None and not self._mentions_owner(callee, hit[1]):
                        out.append((node, hit[0], hit[1], callee.name))
                        break
        return out

    @staticmethod
    def _takes_user(fn: FunctionNode | FunctionFact) -> bool:
        if isinstance(fn, FunctionFact):
            names = [p.name for p in fn.params]
        else:
            names = [a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]]
        return any(USER_PARAM.search(n) for n in names if n not in {"self", "cls"})

    def _by_response(
        self, ctx: FileContext, route: Route, handler: FunctionNode, path_ids: set[str]
    ) -> Finding | None:
        """A route returning an owned model that hands its path id to a function of
        another file without the user."""
        fact = route.fact
        if fact.response_model_is_list or fact.return_is_list or not path_ids:
            return None
        declared = fact.response_model_type if fact.response_model else fact.return_type
        schema = ctx.index.klass(declared)
        model = table_of_schema(ctx, schema) if schema is not None else None
        owner = ctx.index.owner_column(model) if model is not None else None
        if model is None or owner is None or self._mentions_owner(handler, owner):
            return None
        if not self._user_key(ctx, model, owner):
            return None
        for node in walk_body(handler):
            if not isinstance(node, ast.Call):
                continue
            args = [*node.args, *(k.value for k in node.keywords)]
            if not any(mentions(a, p) for a in args for p in path_ids):
                continue
            callee = ctx.function(node.func)
            if callee is None or ctx.index.class_paths.get(model.qualname) is None:
                continue
            if self._takes_user(callee) or callee.qualname.startswith(ctx.facts.module + "."):
                continue
            return self.finding(
                ctx,
                node,
                f"{'/'.join(fact.methods)} {route.full_path} returns owned {model.name} "
                f"(`{owner}`) fetched by `{callee.name}` with the path id only, never with "
                "the caller",
                self._fix(model, owner, auth_params(ctx, route)),
                severity=Severity.WARNING,
            )
        return None

    @staticmethod
    def _from_caller(handler: FunctionNode, users: list[str]) -> set[str]:
        """The caller's parameters and the local names computed from them
        (`ids = [t["id"] for t in user.tenants]`): a fetch by those ids is scoped to
        what the caller holds."""
        names = set(users)
        assigns = [n for n in walk_body(handler) if isinstance(n, ast.Assign | ast.AnnAssign)]
        for _ in range(2):  # a value computed from one computed from the caller
            for node in assigns:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if node.value is not None and any(mentions(node.value, u) for u in names):
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
        return names

    @staticmethod
    def _user_key(ctx: FileContext, model: ClassFact, owner: str) -> bool:
        """The owner column is a foreign key (to the users, an account, a member...)."""
        return any(
            c.name == owner and c.foreign_key is not None for c in ctx.index.all_columns(model)
        )

    @staticmethod
    def _scoped(handler: FunctionNode) -> bool:
        """`Security(..., scopes=[...])` in the decorators or parameters: access is
        granted by permission, not by who owns the row (left to a human)."""
        nodes = [*handler.decorator_list, handler.args]
        return any(
            isinstance(n, ast.Call)
            and last_name(call_name(n)) == "Security"
            and any(k.arg == "scopes" for k in n.keywords)
            for node in nodes
            for n in walk(node)
        )

    @staticmethod
    def _mentions_owner(handler: ast.AST, owner: str) -> bool:
        for node in walk(handler):
            if isinstance(node, ast.Attribute) and node.attr == owner:
                return True
            if isinstance(node, ast.keyword) and node.arg == owner:
                return True
            if isinstance(node, ast.Constant) and node.value == owner:
                return True
        return False

    @staticmethod
    def _fetch(ctx: FileContext, call: ast.Call) -> tuple[ClassFact, str] | None:
        model = fetched_table(ctx, call)
        if model is None:
            return None
        by_key = isinstance(call.func, ast.Attribute) and call.func.attr == "get"
        if not by_key and not any(
            isinstance(n, ast.Attribute) and n.attr == "id" for a in call.args for n in walk(a)
        ):
            return None
        owner = ctx.index.owner_column(model)
        return (model, owner) if owner is not None else None
