"""FA404: a mutable default argument that the function changes or lets escape."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.facts import FunctionFact
from fastapi_architect.codebase.mutation import changed_self_attrs, param_use
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


def _defaults(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    """Each parameter with a mutable default, and that default."""
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    pairs = list(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    pairs.extend(
        (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=False) if d is not None
    )
    return {a.arg: d for a, d in pairs if _mutable(d)}


class MutableDefault(Rule):
    """## What it does
    Reports a function parameter whose default is a list, dict or set literal (or
    `list()`, `dict()`, `set()`) when the function changes that value in place
    (`append`, `update`, item or attribute assignment, `+=`, ...), keeps it on an object,
    returns it, or hands it to a function of the project that does.

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
    A default that is only read, unpacked or copied is harmless and not reported. A value
    handed to a library function is assumed not to be changed there. Route parameters
    declared as `Query([])` are created per request by FastAPI and are not reported.

    ## References
    - [Python FAQ: default values are shared](https://docs.python.org/3/faq/programming.html#why-are-default-values-shared-between-objects)
    """

    id = "FA404"
    slug = "mutable-default"
    severity = Severity.WARNING
    confidence = Confidence.HIGH

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        facts: dict[tuple[int, str], FunctionFact] = {
            (f.line, f.name): f for f in ctx.facts.functions
        }
        for fn in ctx.functions().values():
            defaults = _defaults(fn)
            if not defaults:
                continue
            fact = facts.get((fn.lineno, fn.name))
            if fact is not None:
                mutated, returned = set(fact.mutates), set(fact.returns_param)
                forwards = fact.forwards
            else:
                use = param_use(fn, ctx.qualify, set(defaults), changed_self_attrs(ctx.tree))
                mutated, returned = set(use.mutated), set(use.returned)
                forwards = use.forwards
            for name, default in defaults.items():
                how = "is changed in place"
                if name in returned and name not in mutated:
                    how = "is returned to the caller"
                elif name not in mutated:
                    callee = next(
                        (
                            c
                            for p, c, key in forwards
                            if p == name
                            and (target := ctx.index.callee(c)) is not None
                            and ctx.index.mutates(target, key)
                        ),
                        None,
                    )
                    if callee is None:
                        continue
                    how = f"is changed by `{callee.rsplit('.', 1)[-1]}()`"
                yield self.finding(
                    ctx,
                    default,
                    f"mutable default of `{name}` in `{fn.name}()` {how} and shared by every call",
                    "default to None and create the value inside the function",
                )
