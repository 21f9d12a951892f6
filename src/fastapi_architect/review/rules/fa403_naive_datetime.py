"""FA403: a naive (timezone-less) datetime."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

NAIVE = frozenset(
    {"datetime.datetime.utcnow", "datetime.datetime.utcfromtimestamp", "datetime.datetime.now"}
)


class NaiveDatetime(Rule):
    """## What it does
    Reports `datetime.utcnow()`, `datetime.utcfromtimestamp()` and `datetime.now()`
    without a timezone.

    ## Why is this bad?
    These return naive datetimes: the database, the JSON and the client each guess the
    zone, and comparisons with aware datetimes raise. `utcnow()` is deprecated since
    Python 3.12 for this reason.

    ## Example
    ```python
    from datetime import datetime

    def stamp() -> datetime:
        return datetime.utcnow()
    ```

    ## Use instead
    ```python
    from datetime import UTC, datetime

    def stamp() -> datetime:
        return datetime.now(UTC)
    ```

    ## Known problems
    Code that deliberately works in naive UTC throughout (one column type, one
    convention) is reported anyway.

    ## References
    - [Python: datetime.utcnow (deprecated)](https://docs.python.org/3/library/datetime.html#datetime.datetime.utcnow)
    """

    id = "FA403"
    slug = "naive-datetime"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.nodes:
            if not isinstance(node, ast.Call):
                continue
            name = ctx.qualify(node.func)
            if name.startswith("datetime.") and name.count(".") == 1:
                name = f"datetime.{name}"
            if name not in NAIVE:
                continue
            if name.endswith(".now") and (node.args or node.keywords):
                continue
            short = name.removeprefix("datetime.")
            yield self.finding(
                ctx,
                node,
                f"`{short}()` returns a naive datetime",
                "use `datetime.now(UTC)` (or `datetime.fromtimestamp(ts, UTC)`) and "
                "timezone-aware columns",
            )
