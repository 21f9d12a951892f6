"""FA104: SQL built from strings."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    SQL_WORDS,
    assignments,
    call_name,
    is_built_string,
    string_parts,
)
from fastapi_architect.review.rules._values import Origin, Tracker

MIGRATION_PATH = re.compile(r"(^|/)(migrations?|alembic|versions)(/|\.py$)")
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

    @router.get("/users")
    def find_user(session: SessionDep, name: str):
        return session.execute(text(f"SELECT * FROM users WHERE name = '{name}'")).all()
    ```

    ## Use instead
    ```python
    from sqlalchemy import text

    @router.get("/users")
    def find_user(session: SessionDep, name: str):
        statement = text("SELECT * FROM users WHERE name = :name")
        return session.execute(statement, {"name": name}).all()
    ```

    ## Known problems
    Each spliced value is followed a few assignments back inside its function. A value
    that cannot carry text from a client is not reported: a constant or module constant,
    a parameter typed `int`, `float`, `bool`, `UUID`, a date, a `Literal` or an Enum, a
    value cast with `int(...)`, quoted with the dialect's identifier quoting, or checked
    against an allow-list (`if col not in ALLOWED: raise`). A `str` parameter of a route
    handler or data read from the request is an error whatever its name, and so is a
    parameter of a function that a handler hands such a value to (directly or through up
    to two functions). A plain variable (`{name}`, `% user_id`) whose origin is not seen
    is information: on real code such values are mostly names and fragments the program
    builds (judged on 49 applications, none of them was injectable). Parts that look like
    identifiers or SQL fragments built by the code (`{table_name}`, `{clause}`, helper
    calls, `self.*`, settings) are reported as information only: the rule cannot see
    through helper functions and callers. Migration folders are skipped, as are
    statements marked `# noqa: S608` or `# nosec` (already reviewed for bandit/ruff).
    The statement must look like SQL.

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
        trackers: dict[int, Tracker] = {}
        for node in ctx.of(ast.Call):
            if not node.args:
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
            if id(scope) not in trackers:
                trackers[id(scope)] = Tracker(ctx, scope, _value_name)
            tracker = trackers[id(scope)]
            parts = [(v, tracker.origin(v)) for v in _interpolated(source)]
            worst = max((o for _, o in parts), default=Origin.SAFE)
            if worst is Origin.SAFE:
                continue
            culprit = next(v for v, o in parts if o is worst)
            if worst is Origin.INPUT:
                yield self.finding(
                    ctx,
                    node,
                    f"SQL built from a formatted string with `{ast.unparse(culprit)}` is "
                    f"passed to `{call_name(node)}()`",
                    "use bound parameters: `text('... WHERE id = :id')` with "
                    "`{'id': value}`, or the query builder",
                )
            elif worst is Origin.VALUE:
                yield self.finding(
                    ctx,
                    node,
                    f"SQL text is formatted with `{ast.unparse(culprit)}` before "
                    f"`{call_name(node)}()`; no request data is seen reaching it, check that "
                    "none can",
                    "keep identifiers in an allow-list and values in bound parameters",
                    severity=Severity.INFO,
                    confidence=Confidence.LOW,
                )
            else:
                yield self.finding(
                    ctx,
                    node,
                    f"SQL text is formatted before `{call_name(node)}()`; the parts look like "
                    "identifiers or fragments built by the code, check that none comes from "
                    "a client",
                    "keep identifiers in an allow-list and values in bound parameters",
                    severity=Severity.INFO,
                    confidence=Confidence.LOW,
                )


def _interpolated(node: ast.expr) -> list[ast.expr]:
    out: list[ast.expr] = []
    for sub in walk(node):
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


def _value_name(leaf: str) -> bool:
    """A name that may hold data, not an identifier, constant or SQL fragment."""
    if leaf.isupper() or leaf.startswith("_"):
        return False
    return not set(leaf.lower().split("_")) & IDENTIFIER_WORDS
