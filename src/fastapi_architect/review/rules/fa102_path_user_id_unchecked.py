"""FA102: a path `user_id` never compared with the authenticated user."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    auth_params,
    authorizes,
    is_privileged,
    mentions,
    walk_body,
)

USER_LIKE = re.compile(r"(user|account|principal|^me$|current|identity|owner|member)", re.I)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
USER_PARAMS = frozenset({"user_id", "owner_id", "account_id", "uid", "userid", "member_id"})


class PathUserIdUnchecked(Rule):
    """## What it does
    Reports a route with a `{user_id}`-like path parameter and an authenticated user, whose
    handler never relates the two (no comparison, no call that receives both).

    ## Why is this bad?
    Any logged-in user can change the id in the URL and read or change another user's
    data: an insecure direct object reference (IDOR, CWE-639).

    ## Example
    ```python
    from fastapi import APIRouter, Depends

    from app.deps import get_current_user

    router = APIRouter()

    @router.delete("/users/{user_id}/tasks")
    def clear_tasks(user_id: int, current_user=Depends(get_current_user)):
        return delete_tasks(user_id)
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends, HTTPException

    from app.deps import get_current_user

    router = APIRouter()

    @router.delete("/users/{user_id}/tasks")
    def clear_tasks(user_id: int, current_user=Depends(get_current_user)):
        if user_id != current_user.id:
            raise HTTPException(status_code=404)
        return delete_tasks(user_id)
    ```

    ## Known problems
    Reading another user's public profile is often intended: on `GET` routes the rule
    reports a warning with low confidence (information when the declared answer holds no
    private field: no e-mail, phone, address, card, note, token or key); on writes
    (`POST`, `PUT`, `PATCH`, `DELETE`) an error. The authenticated parameter must be
    named like a user (`current_user`, `user`, `account`, ...): service tokens are not
    users. Routes guarded by an admin,
    role, permission, scope or owner-check dependency (`require_owner`) are skipped, as are
    routes whose user is only known through a router-level dependency. A check done in a
    function that receives only one of the two values is not seen (a comparison whose
    branch does nothing, `if user.id != user_id: pass`, is no check); a call named for an
    authorization check that is given the user (`authorize(current_user, UserPolicy.update)`)
    is taken to decide, whatever its policy says, and so is a refusal decided on the user
    (`if structure.manager_id != user.id: raise HTTPException(403)`). Routes guarded by a
    dependency made from the permission or group to hold
    (`Depends(is_user_allowed_to([...]))`, `Depends(has_privilege("X"))`) are skipped. A
    row fetched by the id stands for it (`user = session.get(User, user_id)` then
    `if user == current_user:`).

    ## References
    - [OWASP API1:2023 Broken Object Level Authorization](https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/)
    - [CWE-639](https://cwe.mitre.org/data/definitions/639.html)
    """

    id = "FA102"
    slug = "path-user-id-unchecked"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    cwe = 639

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            path_ids = [p for p in route.fact.params if p.kind == "path" and p.name in USER_PARAMS]
            if not path_ids or is_privileged(route):
                continue
            users = [u for u in auth_params(ctx, route) if USER_LIKE.search(u)]
            handler = ctx.handler(route)
            if not users or handler is None or authorizes(handler, users):
                continue  # an authorization check given the user decides who may
            for param in path_ids:
                if self._related(handler, param.name, users):
                    continue
                reads = not WRITES & set(route.fact.methods)
                # a read answering only public fields (a profile's name and avatar) is
                # often the design; one answering private fields is a leak
                public = reads and _answers_public_fields(ctx, route)
                yield self.finding(
                    ctx,
                    (param.line, param.col, param.line, param.col + len(param.name)),
                    f"path parameter `{param.name}` is never compared with the "
                    f"authenticated user `{users[0]}`"
                    + (" (the answer holds no private field)" if public else ""),
                    f"check `{param.name} == {users[0]}.id` (404 otherwise) or derive the id "
                    "from the authenticated user instead of the path",
                    severity=Severity.INFO if public else Severity.WARNING if reads else None,
                    confidence=Confidence.LOW if reads else None,
                )

    @staticmethod
    def _related(handler: ast.AST, name: str, users: list[str]) -> bool:
        inert = {
            id(sub)
            for node in walk_body(handler)
            if isinstance(node, ast.If) and _does_nothing(node.body)
            for sub in walk(node.test)
        }
        # the row fetched by the id stands for it: `user = session.get(User, user_id)`
        # then `if user == current_user` compares the two
        fetched = {
            target.id
            for node in walk_body(handler)
            if isinstance(node, ast.Assign) and mentions(node.value, name)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in walk_body(handler):
            if (
                isinstance(node, ast.Compare | ast.Call | ast.BoolOp)
                and id(node) not in inert
                and any(mentions(node, n) for n in {name, *fetched})
                and any(mentions(node, user) for user in users)
            ):
                return True
        return False


PRIVATE_FIELD = re.compile(
    r"(email|phone|mobile|address|ssn|birth|credit|card|iban|salary|note|secret|token|"
    r"password|api_?key)",
    re.IGNORECASE,
)


def _answers_public_fields(ctx: FileContext, route: Route) -> bool:
    """The route's declared answer is a schema none of whose fields is private."""
    fact = route.fact
    schema = ctx.index.klass(fact.response_model_type or fact.return_type)
    if schema is None:
        return False
    fields = ctx.index.all_fields(schema)
    return bool(fields) and not any(PRIVATE_FIELD.search(f) for f in fields)


def _does_nothing(body: list[ast.stmt]) -> bool:
    """`if user.id != user_id: pass`: a comparison whose branch neither refuses nor
    changes anything is no check."""
    return all(
        isinstance(stmt, ast.Pass)
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        for stmt in body
    )
