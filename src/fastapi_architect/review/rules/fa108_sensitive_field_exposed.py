"""FA108: a table model with sensitive fields sent to the client."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import assignments, call_name, walk_body


class SensitiveFieldExposed(Rule):
    """## What it does
    Reports a route whose response is a table model with sensitive fields (`password`,
    `hashed_password`, `*_token`, `secret`, `api_key`, ...): as its `response_model`, as
    its return annotation, or returned from a handler that declares no response model.

    ## Why is this bad?
    FastAPI serialises every field of the response model. A table model carries the
    password hash and tokens, which then reach every client (CWE-200).

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
    returned from another function is not followed.

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
            for inner in ast.walk(value):
                if not isinstance(inner, ast.Call) or not inner.args:
                    continue
                if last_name(call_name(inner)) in {"get", "select", "query", "get_or_404"}:
                    table = ctx.index.table(ctx.qualify(inner.args[0]))
                    if table is not None:
                        return table
        return None
