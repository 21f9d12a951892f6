"""FA113: the `none` JWT algorithm."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule


class JwtNoneAlgorithm(Rule):
    """## What it does
    Reports `jwt.encode(..., algorithm="none")` and `jwt.decode(..., algorithms=[...
    "none" ...])`.

    ## Why is this bad?
    A token with the `none` algorithm carries no signature: anyone can write one with
    any claims and it will be accepted (CWE-327).

    ## Example
    ```python
    import jwt

    def read(token: str) -> dict:
        return jwt.decode(token, "", algorithms=["none"])
    ```

    ## Use instead
    ```python
    import jwt

    def read(token: str, key: str) -> dict:
        return jwt.decode(token, key, algorithms=["HS256"])
    ```

    ## Known problems
    Algorithm names held in variables or settings are not followed. `jwt.encode` in a
    test file is not reported: a test forges an unsigned token to check that it is
    refused.

    ## References
    - [RFC 8725: JWT Best Current Practices](https://www.rfc-editor.org/rfc/rfc8725)
    - [CWE-327](https://cwe.mitre.org/data/definitions/327.html)
    """

    id = "FA113"
    slug = "jwt-none-algorithm"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 327

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.of(ast.Call):
            name = ctx.qualify(node.func)
            if last_name(name) not in {"encode", "decode"} or "jwt" not in name.lower():
                continue
            values: list[ast.expr] = []
            for kw in ("algorithm", "algorithms"):
                value = keyword(node, kw)
                if isinstance(value, ast.List | ast.Tuple):
                    values.extend(value.elts)
                elif value is not None:
                    values.append(value)
            if any(isinstance(v, ast.Constant) and str(v.value).lower() == "none" for v in values):
                yield self.finding(
                    ctx,
                    node,
                    "JWT with the unsigned `none` algorithm",
                    "sign and verify with a real algorithm (HS256 and a strong key, or RS256)",
                )
