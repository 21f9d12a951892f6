"""FA115: TLS certificate checks turned off."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import keyword
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

CLIENTS = ("requests.", "httpx.")


class TlsVerificationDisabled(Rule):
    """## What it does
    Reports `verify=False` given to `requests` or `httpx` (calls, sessions and clients).

    ## Why is this bad?
    Without certificate verification anyone on the network path can read and change the
    traffic, credentials included (CWE-295).

    ## Example
    ```python
    import httpx

    def fetch(url: str) -> bytes:
        return httpx.get(url, verify=False).content
    ```

    ## Use instead
    ```python
    import httpx

    def fetch(url: str) -> bytes:
        return httpx.get(url).content
    ```

    ## Known problems
    Clients created elsewhere and called through a variable are only seen where they are
    created. A value of `verify` read from settings is not followed.

    ## References
    - [CWE-295](https://cwe.mitre.org/data/definitions/295.html)
    """

    id = "FA115"
    slug = "tls-verification-disabled"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 295

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.of(ast.Call):
            verify = keyword(node, "verify")
            if not (isinstance(verify, ast.Constant) and verify.value is False):
                continue
            if ctx.qualify(node.func).startswith(CLIENTS):
                yield self.finding(
                    ctx,
                    node,
                    "TLS certificate verification is turned off",
                    "remove `verify=False`; trust a private CA with `verify='/path/ca.pem'`",
                )
