"""FA104: SQL built from strings."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.review.facts import last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    SQL_WORDS,
    assignments,
    call_name,
    is_built_string,
    string_parts,
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
    The rule cannot tell a value the code controls (a table name from a constant) from
    user input, so every built statement is reported; review and suppress with a reason
    when the parts are trusted. The statement must look like SQL (a SQL keyword in its
    constant parts).

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
            yield self.finding(
                ctx,
                node,
                f"SQL built from a formatted string is passed to `{call_name(node)}()`",
                "use bound parameters: `text('... WHERE id = :id')` with "
                "`{'id': value}`, or the query builder",
            )
