"""FA404: a mutable default argument."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule


def _mutable(node: ast.expr | None) -> bool:
    if isinstance(node, ast.List | ast.Dict | ast.Set | ast.ListComp | ast.DictComp):
        return True
    return (
        isinstance(node, ast.Call)
        and dotted(node.func) in {"list", "dict", "set", "collections.defaultdict"}
        and not node.args
    )


class MutableDefault(Rule):
    """## What it does
    Reports a function parameter whose default is a list, dict or set literal (or
    `list()`, `dict()`, `set()`).

    ## Why is this bad?
    The default is created once and shared by every call: an item appended in one
    request shows up in the next one, across users.

    ## Example
    ```python
    def add_tag(tag: str, tags: list[str] = []) -> list[str]:
        tags.append(tag)
        return tags
    ```

    ## Use instead
    ```python
    def add_tag(tag: str, tags: list[str] | None = None) -> list[str]:
        tags = [*(tags or []), tag]
        return tags
    ```

    ## Known problems
    Route parameters declared as `Query([])` are created per request by FastAPI and are
    not reported; a plain `= []` on a route parameter is reported although FastAPI copies
    it, because the same function called directly shares it.

    ## References
    - [Python FAQ: default values are shared](https://docs.python.org/3/faq/programming.html#why-are-default-values-shared-between-objects)
    """

    id = "FA404"
    slug = "mutable-default"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for fn in ctx.functions().values():
            for default in [*fn.args.defaults, *fn.args.kw_defaults]:
                if default is not None and _mutable(default):
                    yield self.finding(
                        ctx,
                        default,
                        f"mutable default in `{fn.name}()` is shared by every call",
                        "default to None and create the value inside the function",
                    )
