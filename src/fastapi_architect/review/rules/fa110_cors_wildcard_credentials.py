"""FA110: CORS for any origin with credentials."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, is_true, keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name


def _any_origin(call: ast.Call) -> bool:
    origins = keyword(call, "allow_origins")
    if isinstance(origins, ast.List | ast.Tuple | ast.Set) and any(
        isinstance(e, ast.Constant) and e.value == "*" for e in origins.elts
    ):
        return True
    regex = keyword(call, "allow_origin_regex")
    return isinstance(regex, ast.Constant) and regex.value in {".*", "^.*$", ".+", "^.+$"}


class CorsWildcardCredentials(Rule):
    """## What it does
    Reports `CORSMiddleware` configured with `allow_origins=["*"]` (or a match-all
    `allow_origin_regex`) together with `allow_credentials=True`.

    ## Why is this bad?
    With credentials allowed, Starlette answers a wildcard configuration by echoing the
    caller's origin: every website a user visits can make authenticated requests with
    the user's cookies and read the answers (CWE-942).

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.middleware.cors import CORSMiddleware

    app = FastAPI()
    app.add_middleware(
        CORSMiddleware, allow_origins=["https://app.example.com"], allow_credentials=True
    )
    ```

    ## Known problems
    Origins read from settings are not followed; only literal lists are checked. It is
    an error when the project sets a cookie or session with `samesite="none"` or takes
    HTTP Basic: credentials a browser attaches to any site's request. Cookies left at
    the default SameSite=Lax stay off cross-site fetches: a warning (the next cookie set
    with `samesite="none"` opens it). In a project with no cookie, session or HTTP Basic
    handling (bearer tokens in a header only) the finding is information: a browser has
    no credentials to attach for a foreign origin.

    ## References
    - [FastAPI: CORS](https://fastapi.tiangolo.com/tutorial/cors/)
    - [CWE-942](https://cwe.mitre.org/data/definitions/942.html)
    """

    id = "FA110"
    slug = "cors-wildcard-credentials"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 942

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.of(ast.Call):
            func = last_name(call_name(node))
            is_cors = func == "CORSMiddleware" or (
                func in {"add_middleware", "Middleware"}
                and node.args
                and last_name(dotted(node.args[0])) == "CORSMiddleware"
            )
            if is_cors and _any_origin(node) and is_true(keyword(node, "allow_credentials")):
                # Credentials here are what a browser attaches by itself; a bearer token
                # in a header is not one of them.
                # Cookies default to SameSite=Lax, which keeps them off cross-site
                # fetches: only `samesite="none"` cookies and HTTP Basic ride along.
                index = ctx.index
                cross_site = index.cross_site_credentials
                rides = index.browser_credentials
                yield self.finding(
                    ctx,
                    node,
                    "CORS allows any origin with credentials"
                    + (
                        ""
                        if cross_site
                        else " (cookies seen, none set SameSite=None)"
                        if rides
                        else " (no cookie, session or HTTP Basic auth seen)"
                    ),
                    "list the exact front-end origins in `allow_origins` (from settings)",
                    severity=None if cross_site else Severity.WARNING if rides else Severity.INFO,
                    confidence=None if cross_site or rides else Confidence.MEDIUM,
                )
