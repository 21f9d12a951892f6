"""FA104: SQL built from strings."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    SQL_WORDS,
    assignments,
    call_name,
    is_built_string,
    string_parts,
)

MIGRATION_PATH = re.compile(r"(^|/)(migrations?|alembic|versions)(/|\.py$)")
DDL = re.compile(r"\s*(create|alter|drop|truncate|comment on)\b", re.IGNORECASE)
REVIEWED = re.compile(r"(noqa:[^\n]*S608|nosec)")
IDENTIFIER_WORDS = frozenset(
    {
        "table",
        "tables",
        "tbl",
        "tablename",
        "column",
        "columns",
        "col",
        "cols",
        "schema",
        "index",
        "field",
        "fields",
        "placeholder",
        "placeholders",
        "clause",
        "where",
        "order",
        "sort",
        "dialect",
        "join",
        "joins",
        "conditions",
        "condition",
        "filters",
        "sql",
        "query",
        "stmt",
        "op",
        "operator",
        "direction",
        "alias",
        "ref",
        "serial",
        "primary",
        "type",
        "params",
        "param",
        "source",
        "role",
        "expr",
        "fragment",
        "cte",
        "select",
        "subquery",
        "keys",
        "names",
        "prefix",
        "suffix",
    }
)
SQL_SINKS = frozenset(
    {
        "text",
        "execute",
        "executemany",
        "executescript",
        "exec_driver_sql",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetchone",
        "raw",
    }
)


class SqlInjection(Rule):
    """## What it does
    Reports SQL text built with an f-string, `%`, `+` or `.format()` and passed to
    `text()`, `execute()` and similar calls.

    ## Why is this bad?
    A value spliced into SQL text can change the statement: SQL injection (CWE-89).
    Bound parameters keep data apart from the statement.

    ## Example
    ```python
    from sqlalchemy import text

    def find_user(session, name: str):
        return session.execute(text(f"SELECT * FROM users WHERE name = '{name}'"))
    ```

    ## Use instead
    ```python
    from sqlalchemy import text

    def find_user(session, name: str):
        return session.execute(text("SELECT * FROM users WHERE name = :name"), {"name": name})
    ```

    ## Known problems
    The rule cannot see where a value comes from. A statement that splices a plain
    variable (`{name}`, `% user_id`) and binds no parameters is an error; one whose
    spliced parts look like identifiers or SQL fragments (`{table_name}`, `{clause}`,
    constants, helper calls, bind-parameter names after `:`), that also binds parameters,
    or that is DDL (`CREATE`, `ALTER`, `DROP`) is a low-confidence warning.
    Migration folders are skipped, as are statements marked `# noqa: S608` or `# nosec`
    (already reviewed for bandit/ruff). The statement must look like SQL.

    ## References
    - [SQLAlchemy: Using textual SQL](https://docs.sqlalchemy.org/en/20/tutorial/dbapi_transactions.html)
    - [CWE-89](https://cwe.mitre.org/data/definitions/89.html)
    """

    id = "FA104"
    slug = "sql-injection"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 89

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if MIGRATION_PATH.search(ctx.path):
            return
        cache: dict[int, dict[str, ast.expr]] = {}
        for node in ctx.nodes:
            if not isinstance(node, ast.Call) or not node.args:
                continue
            if last_name(call_name(node)) not in SQL_SINKS:
                continue
            scope = ctx.scope_of(node)
            if id(scope) not in cache:
                cache[id(scope)] = assignments(scope)
            assigned = cache[id(scope)]
            arg = node.args[0]
            if not is_built_string(arg, assigned):
                continue
            source = assigned.get(arg.id, arg) if isinstance(arg, ast.Name) else arg
            if not SQL_WORDS.search(string_parts(source)):
                continue
            statement = "\n".join(ctx.lines[node.lineno - 1 : node.end_lineno or node.lineno])
            if REVIEWED.search(statement):
                continue
            ddl = DDL.match(string_parts(source))
            values = [] if ddl else [v for v in _interpolated(source) if _value_like(v)]
            bound = len(node.args) > 1 or _has_bound_parameters(ctx, node)
            if values and not bound:
                yield self.finding(
                    ctx,
                    node,
                    f"SQL built from a formatted string with `{ast.unparse(values[0])}` is "
                    f"passed to `{call_name(node)}()`",
                    "use bound parameters: `text('... WHERE id = :id')` with "
                    "`{'id': value}`, or the query builder",
                )
            else:
                yield self.finding(
                    ctx,
                    node,
                    f"SQL text is formatted before `{call_name(node)}()`; the parts look like "
                    "identifiers, check that none comes from a client",
                    "keep identifiers in an allow-list and values in bound parameters",
                    severity=Severity.WARNING,
                    confidence=Confidence.LOW,
                )


def _interpolated(node: ast.expr) -> list[ast.expr]:
    out: list[ast.expr] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            previous = ""
            for part in sub.values:
                if isinstance(part, ast.FormattedValue) and not previous.endswith(":"):
                    out.append(part.value)
                previous = str(part.value) if isinstance(part, ast.Constant) else ""
        elif isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Mod | ast.Add):
            for side in (sub.left, sub.right):
                if isinstance(side, ast.Tuple):
                    out.extend(side.elts)
                elif not isinstance(side, ast.Constant | ast.JoinedStr | ast.BinOp):
                    out.append(side)
        elif (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr == "format"
        ):
            out.extend(sub.args)
            out.extend(kw.value for kw in sub.keywords)
    return out


def _value_like(node: ast.expr) -> bool:
    """A plain variable that may hold data, not an identifier, constant or SQL fragment."""
    name = dotted(node) if isinstance(node, ast.Name | ast.Attribute) else None
    if isinstance(node, ast.Subscript):
        name = dotted(node.value)
    if name is None:
        return False
    leaf = name.rsplit(".", 1)[-1]
    if leaf.isupper() or leaf.startswith("_"):
        return False
    return not set(leaf.lower().split("_")) & IDENTIFIER_WORDS


def _has_bound_parameters(ctx: FileContext, call: ast.Call) -> bool:
    if call.keywords:
        return True
    for node in ctx.nodes:
        if (
            isinstance(node, ast.Attribute)
            and node.value is call
            and node.attr in {"bindparams", "params"}
        ):
            return True
    return False
