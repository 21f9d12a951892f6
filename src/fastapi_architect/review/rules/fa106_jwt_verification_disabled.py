"""FA106: `jwt.decode` without algorithms or with verification turned off."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.review.facts import keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

VERIFY_OPTIONS = frozenset({"verify_signature", "verify_exp", "verify_aud", "verify_iss"})


def is_jwt_decode(ctx: FileContext, call: ast.Call) -> bool:
    name = ctx.qualify(call.func)
    return last_name(name) == "decode" and ("jwt" in name.lower() or "jose" in name.lower())


class JwtVerificationDisabled(Rule):
    """## What it does
    Reports `jwt.decode(...)` (PyJWT, python-jose, authlib-style) called without an
    `algorithms` list, with `verify=False`, or with `options` that turn off signature or
    expiry verification.

    ## Why is this bad?
    Without a fixed algorithm list a token can pick its own algorithm (the `none` and
    key-confusion attacks); without signature or expiry checks any token, forged or
    expired, is accepted (CWE-347).

    ## Example
    ```python
    import jwt

    def read_token(token: str, key: str) -> dict:
        return jwt.decode(token, key, options={"verify_exp": False})
    ```

    ## Use instead
    ```python
    import jwt

    def read_token(token: str, key: str) -> dict:
        return jwt.decode(token, key, algorithms=["HS256"])
    ```

    ## Known problems
    Reading the unverified header or issuer to pick a JWKS key before a verified decode
    is legitimate; suppress that call with a reason. Options built in a variable are not
    followed.

    ## References
    - [PyJWT: decode](https://pyjwt.readthedocs.io/en/stable/api.html#jwt.decode)
    - [CWE-347](https://cwe.mitre.org/data/definitions/347.html)
    """

    id = "FA106"
    slug = "jwt-verification-disabled"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 347

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.nodes:
            if not isinstance(node, ast.Call) or not is_jwt_decode(ctx, node):
                continue
            if any(kw.arg is None for kw in node.keywords):
                continue
            disabled = [
                str(k.value)
                for k, v in self._options(node)
                if isinstance(k, ast.Constant)
                and k.value in VERIFY_OPTIONS
                and isinstance(v, ast.Constant)
                and v.value is False
            ]
            verify = keyword(node, "verify")
            if isinstance(verify, ast.Constant) and verify.value is False:
                disabled.append("verify")
            if disabled:
                yield self.finding(
                    ctx,
                    node,
                    f"jwt.decode turns off {', '.join(disabled)}",
                    "verify the signature and expiry; read unverified claims only with "
                    "`jwt.get_unverified_header` before a verified decode",
                )
            elif keyword(node, "algorithms") is None and len(node.args) < 3:
                yield self.finding(
                    ctx,
                    node,
                    "jwt.decode without `algorithms=[...]` lets the token choose its algorithm",
                    'pass the expected algorithm list, e.g. `algorithms=["HS256"]`',
                )

    @staticmethod
    def _options(call: ast.Call) -> list[tuple[ast.expr | None, ast.expr]]:
        options = keyword(call, "options")
        if isinstance(options, ast.Dict):
            return list(zip(options.keys, options.values, strict=True))
        if isinstance(options, ast.Call) and last_name(getattr(options.func, "id", "")) == "dict":
            return [(ast.Constant(kw.arg), kw.value) for kw in options.keywords]
        return []
