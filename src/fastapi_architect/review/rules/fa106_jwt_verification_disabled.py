"""FA106: `jwt.decode` without algorithms or with verification turned off."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import keyword, last_name
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
    Reading unverified claims to pick a JWKS key before a verified decode is legitimate:
    when the same function decodes again with verification the peek is not reported,
    and a decode with only `verify_signature` off is a warning (it may only read a claim
    such as `exp`); turning off expiry or other checks, or omitting `algorithms`, is an
    error. Options built in a variable are not
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
            if disabled == ["verify_signature"]:
                if self._verified_later(ctx, node):
                    continue
                yield self.finding(
                    ctx,
                    node,
                    "jwt.decode reads the token without verifying its signature",
                    "verify the signature before trusting any claim; to peek at the issuer or "
                    "key id use `jwt.get_unverified_header` and then a verified decode",
                    severity=Severity.WARNING,
                    confidence=Confidence.MEDIUM,
                )
            elif disabled:
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
    def _verified_later(ctx: FileContext, call: ast.Call) -> bool:
        """Another, verifying decode in the same function: the first one only peeks."""
        scope = ctx.scope_of(call)
        for node in ast.walk(scope):
            if node is call or not isinstance(node, ast.Call) or not is_jwt_decode(ctx, node):
                continue
            if keyword(node, "options") is None and keyword(node, "algorithms") is not None:
                return True
        return False

    @staticmethod
    def _options(call: ast.Call) -> list[tuple[ast.expr | None, ast.expr]]:
        options = keyword(call, "options")
        if isinstance(options, ast.Dict):
            return list(zip(options.keys, options.values, strict=True))
        if isinstance(options, ast.Call) and last_name(getattr(options.func, "id", "")) == "dict":
            return [(ast.Constant(kw.arg), kw.value) for kw in options.keywords]
        return []
