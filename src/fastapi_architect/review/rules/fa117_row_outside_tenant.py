"""FA117: a row fetched by id under a tenant in the path, without the tenant condition."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.index import Route
from fastapi_architect.codebase.syntax import walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import FunctionNode, fetched_table, mentions, walk_body

# A path parameter that names the tenant a row belongs to, and the word it is known by.
TENANT_PARAM = re.compile(
    r"^(org|orga|organization|organisation|tenant|team|workspace|project|company)"
    r"_?(id|slug|key|name|uuid)?$",
    re.IGNORECASE,
)
ALIASES = {
    "org": {"org", "orga", "organization", "organisation"},
    "orga": {"org", "orga", "organization", "organisation"},
    "organization": {"org", "orga", "organization", "organisation"},
    "organisation": {"org", "orga", "organization", "organisation"},
}


def _tenant_word(name: str) -> str | None:
    match = TENANT_PARAM.match(name)
    return match.group(1).lower() if match else None


def _tenant_column(model: ClassFact, columns: list[str], word: str) -> str | None:
    """The model's column naming that tenant (`organization_id` for `{org_id}`)."""
    words = ALIASES.get(word, {word})
    for column in columns:
        head = re.split(r"_(?:id|slug|key|name|uuid)$", column.lower())[0]
        if head in words and column != "id":
            return column
    return None


class RowOutsideTenant(Rule):
    """## What it does
    In a route whose path names a tenant and a row (`/orgs/{org_id}/invoices/{invoice_id}`),
    reports a fetch of the row by its id alone (`session.get(Invoice, invoice_id)`, or a
    `select(Invoice)` filtered on its id) when the model has a column for that tenant
    (`org_id`, `organization_id`) and the handler never looks at it: not in the query,
    not compared after the fetch, and the tenant is not handed, with the id, to the
    function that fetches.

    ## Why is this bad?
    Checking that the caller belongs to the organisation in the path is not enough: a
    member of organisation A asks for `/orgs/A/invoices/<an id of organisation B>` and
    gets B's row, since nothing ties the row to the path's tenant (broken object-level
    authorization across tenants, CWE-639).

    ## Example
    ```python
    from fastapi import APIRouter, Depends
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import DeclarativeBase, Session

    from app.deps import get_db, require_member

    class Base(DeclarativeBase): ...

    class Invoice(Base):
        __tablename__ = "invoice"
        id = Column(Integer, primary_key=True)
        org_id = Column(Integer, ForeignKey("org.id"), index=True)

    router = APIRouter()

    @router.get("/orgs/{org_id}/invoices/{invoice_id}")
    def read_invoice(org_id: int, invoice_id: int, db: Session = Depends(get_db),
                     member=Depends(require_member)):
        return db.get(Invoice, invoice_id)
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends, HTTPException
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import DeclarativeBase, Session

    from app.deps import get_db, require_member

    class Base(DeclarativeBase): ...

    class Invoice(Base):
        __tablename__ = "invoice"
        id = Column(Integer, primary_key=True)
        org_id = Column(Integer, ForeignKey("org.id"), index=True)

    router = APIRouter()

    @router.get("/orgs/{org_id}/invoices/{invoice_id}")
    def read_invoice(org_id: int, invoice_id: int, db: Session = Depends(get_db),
                     member=Depends(require_member)):
        invoice = db.get(Invoice, invoice_id)
        if invoice is None or invoice.org_id != org_id:
            raise HTTPException(404)
        return invoice
    ```

    ## Known problems
    The tenant is recognised by its name in the path (`org`, `organization`, `tenant`,
    `team`, `workspace`, `project`, `company`, with `_id`/`_slug`), and the
    model's column by the same word. A fetch done by a function that receives the row id
    but not the tenant is not followed; a check in a route dependency that reads both path
    ids is taken to tie them.

    ## References
    - [OWASP API Security: API1 Broken Object Level Authorization](https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/)
    - [CWE-639](https://cwe.mitre.org/data/definitions/639.html)
    """

    id = "FA117"
    slug = "row-outside-tenant"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 639

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            path = [p.name for p in route.fact.params if p.kind == "path"]
            tenants = [(p, w) for p in path if (w := _tenant_word(p)) is not None]
            handler = ctx.handler(route)
            if not tenants or handler is None or self._dependency_ties(ctx, route, path):
                continue
            rows = [p for p in path if p not in {t for t, _ in tenants}]
            for call, model in self._fetches(ctx, handler, rows):
                columns = [c.name for c in ctx.index.all_columns(model)]
                for tenant, word in tenants:
                    column = _tenant_column(model, columns, word)
                    if column is None or self._ties(handler, call, tenant, column):
                        continue
                    yield self.finding(
                        ctx,
                        call,
                        f"{model.name} is fetched by id under `{{{tenant}}}` but never "
                        f"checked against it (`{model.name}.{column}`)",
                        f"filter on `{model.name}.{column} == {tenant}` (or compare "
                        f"`row.{column}` with it) and answer 404 when the row is another "
                        "tenant's",
                    )
                    break

    @staticmethod
    def _dependency_ties(ctx: FileContext, route: Route, path: list[str]) -> bool:
        """A dependency of the route that reads the row's id from the path too (it can
        tie the row to the tenant)."""
        for dep in route.deps:
            fn = ctx.index.function(dep.target)
            if fn is None:
                continue
            names = {p.name for p in fn.params}
            if len(names & set(path)) >= 2:
                return True
        return False

    @staticmethod
    def _fetches(
        ctx: FileContext, handler: FunctionNode, rows: list[str]
    ) -> Iterator[tuple[ast.Call, ClassFact]]:
        """Calls in the handler that load a table model by one of the path's row ids."""
        for node in walk_body(handler):
            if not isinstance(node, ast.Call):
                continue
            model = fetched_table(ctx, node)
            keys = (
                node.args[1:2]
                if isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                else [*node.args, *(k.value for k in node.keywords)]
            )
            if model is not None and any(mentions(k, r) for k in keys for r in rows):
                yield node, model

    @staticmethod
    def _ties(handler: FunctionNode, call: ast.Call, tenant: str, column: str) -> bool:
        """The handler looks at the row's tenant column anywhere (a condition of the query,
        a comparison after it), or hands the tenant to the call that fetches."""
        if mentions(call, tenant):
            return True
        for node in walk(handler):
            if isinstance(node, ast.Attribute) and node.attr == column:
                return True
            if isinstance(node, ast.keyword) and node.arg == column:
                return True
        return False
