"""FA502: a lower layer importing the API layer."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

LOWER = frozenset({"services", "repositories", "models", "schemas"})


class LayerReachesUp(Rule):
    """## What it does
    Reports an import, in a services, repositories, models or schemas module, of a
    module of the API layer (routers, endpoints, views). It is information: layers are
    read from folder and file names, and a module of constants or shared logic that
    lives under an `api` folder is not HTTP code.

    ## Why is this bad?
    Layers depend downwards: API -> services -> repositories -> models. A service that
    imports a router couples business rules to HTTP, invites import cycles, and makes the
    service impossible to reuse from a worker or a CLI.

    ## Example
    ```python
    # file: app/api/routes.py
    PAGE_SIZE = 50

    # file: app/services/tasks.py
    from app.api.routes import PAGE_SIZE
    ```

    ## Use instead
    ```python
    # file: app/core/config.py
    PAGE_SIZE = 50

    # file: app/services/tasks.py
    from app.core.config import PAGE_SIZE
    ```

    ## Known problems
    Layers are recognised by folder and file names (`api`, `routers`, `endpoints`,
    `views`, `services`, `repositories`, `crud`, `models`, `schemas`). Imports inside
    functions are reported too.

    ## References
    - [Layered architecture](https://en.wikipedia.org/wiki/Multitier_architecture)
    """

    id = "FA502"
    slug = "layer-reaches-up"
    severity = Severity.INFO
    confidence = Confidence.MEDIUM

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        own = ctx.index.layers.get(ctx.path)
        if own not in LOWER:
            return
        for node in ctx.of(ast.Import, ast.ImportFrom):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                full = ctx.imports.get(node.names[0].asname or node.names[0].name, "")
                names = [full, full.rpartition(".")[0]]
            else:
                continue
            for name in names:
                target = ctx.index.module_for(name) if name else None
                if target is None or target.path == ctx.path:
                    continue
                if ctx.index.layers.get(target.path) == "api":
                    yield self.finding(
                        ctx,
                        node,
                        f"{own} module imports the API layer ({target.module})",
                        "move what is shared (constants, schemas, helpers) down into core, "
                        "schemas or services",
                    )
                    break
