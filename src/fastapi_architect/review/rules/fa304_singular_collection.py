"""FA304: a singular collection name."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

UNCOUNTABLE = frozenset(
    {
        "me",
        "auth",
        "health",
        "data",
        "info",
        "status",
        "metadata",
        "search",
        "config",
        "media",
        "news",
        "feedback",
        "content",
        "history",
        "admin",
        "api",
        "static",
        "storage",
        "inventory",
        "equipment",
        "software",
        "staff",
        "personnel",
        "analytics",
        "stats",
        "settings",
    }
)
SEGMENT = re.compile(r"^[a-z][a-z0-9_-]*$")


class SingularCollection(Rule):
    """## What it does
    Reports a collection segment in singular form followed by an id: `/user/{user_id}`,
    `/task/{id}`.

    ## Why is this bad?
    A collection is named in the plural (`/users`, `/users/{id}`) so that the list and
    its items share one prefix; mixing `/user/{id}` with `/users` doubles the surface
    clients must learn.

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/task/{task_id}")
    def read_task(task_id: int): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.get("/tasks/{task_id}")
    def read_task(task_id: int): ...
    ```

    ## Known problems
    Plural forms are guessed from the final `s`; irregular plurals (`people`, `children`)
    and uncountable nouns outside a small built-in list may be reported. A prefix
    computed at run time (`{settings.prefix}`) is not taken for a path parameter.

    ## References
    - [Google API design guide: resource names](https://cloud.google.com/apis/design/resource_names)
    """

    id = "FA304"
    slug = "singular-collection"
    severity = Severity.INFO
    confidence = Confidence.LOW

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for route in ctx.routes:
            fact = route.fact
            parts = [p for p in route.full_path.split("/") if p]
            for name, following in itertools.pairwise(parts):
                if (
                    not following.startswith("{")
                    or following in route.dynamic_prefix
                    or not SEGMENT.match(name)
                ):
                    continue
                if name.endswith("s") or name in UNCOUNTABLE or re.match(r"^v\d+$", name):
                    continue
                if name in {"people", "children", "men", "women", "data"}:
                    continue
                yield self.finding(
                    ctx,
                    (
                        fact.decorator_line,
                        fact.decorator_col,
                        fact.decorator_line,
                        fact.decorator_col,
                    ),
                    f"collection `{name}` is singular in {route.full_path}",
                    f"use the plural: `/{name}s/{following}`",
                )
                break
