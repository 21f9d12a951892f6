"""FA106: `jwt.decode` without algorithms or with verification turned off."""

from __future__ import annotations

import ast
import weakref
from collections.abc import Iterator

from fastapi_architect.codebase.index import ProjectIndex
from fastapi_architect.codebase.syntax import keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._values import jwt_function

VERIFY_OPTIONS = frozenset({"verify_signature", "verify_exp", "verify_aud", "verify_iss"})


PEEKED_CLAIMS = frozenset({"exp", "iss", "kid", "nbf", "iat", "aud", "alg", "typ"})


_DEPENDENCIES: weakref.WeakKeyDictionary[ProjectIndex, frozenset[str]] = weakref.WeakKeyDictionary()


def _dependencies(index: ProjectIndex) -> frozenset[str]:
    """Qualified names of the functions routes depend on (`Depends(get_current_user)`)."""
    cached = _DEPENDENCIES.get(index)
    if cached is None:
        names = set()
        for route in index.routes:
            for dep in route.deps:
                fn = index.function(dep.target)
                if fn is not None:
                    names.add(fn.qualname)
        cached = _DEPENDENCIES[index] = frozenset(names)
    return cached


def _checks_expiry(scope: ast.AST, module: ast.AST) -> bool:
    """Expiry is checked by hand: the function reads the `exp` claim (`payload["exp"]`,
    `claims.get("exp")`, `token.exp`), or the module compares a `.exp` or hands the
    claims to an expiry check (`_validate_token_expiry(...)`) after the decode returns."""
    for node in walk(scope):
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.ctx, ast.Load)
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "exp"
        ):
            return True
        if isinstance(node, ast.Call) and last_name(ast.unparse(node.func)) == "get":
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and first.value == "exp":
                return True
    for node in walk(module):
        if isinstance(node, ast.Compare) and any(
            isinstance(side, ast.Attribute) and side.attr == "exp"
            for side in (node.left, *node.comparators)
        ):
            return True
        if isinstance(node, ast.Call) and "expir" in last_name(ast.unparse(node.func)).lower():
            return True
    return False


def _authenticates(ctx: FileContext, call: ast.Call) -> bool:
    """The decode is in a dependency of a route: its claims decide who the caller is."""
    scope = ctx.scope_of(call)
    if scope is ctx.tree:
        return False
    line = getattr(scope, "lineno", 0)
    names = _dependencies(ctx.index)
    return any(fn.line == line and fn.qualname in names for fn in ctx.facts.functions)


def is_jwt_decode(ctx: FileContext, call: ast.Call) -> bool:
    return jwt_function(ctx, call) == "decode"


def _opt_in(ctx: FileContext, call: ast.Call) -> bool:
    """The decode runs only under an explicit flag: `if settings.TRUSTED_JWT_DECODE:`."""
    scope = ctx.scope_of(call)
    for node in walk(scope):
        if not isinstance(node, ast.If):
            continue
        test = node.test.operand if isinstance(node.test, ast.UnaryOp) else node.test
        if not isinstance(test, ast.Name | ast.Attribute):
            continue
        branch = node.orelse if isinstance(node.test, ast.UnaryOp) else node.body
        if any(sub is call for stmt in branch for sub in walk(stmt)):
            return True
    return False


def _peeks_claim(ctx: FileContext, call: ast.Call) -> bool:
    """`jwt.decode(...)["iss"]` or `.get("exp")`: only a claim that picks a key or a
    refresh time is read."""
    for node in ctx.nodes:
        if isinstance(node, ast.Subscript) and node.value is call:
            key = node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.value is call
            and node.func.attr == "get"
            and node.args
        ):
            key = node.args[0]
        else:
            continue
        return isinstance(key, ast.Constant) and key.value in PEEKED_CLAIMS
    return False


class JwtVerificationDisabled(Rule):
    """## What it does
    Reports `jwt.decode(...)` (PyJWT, python-jose, authlib-style) called without an
    `algorithms` list, with `verify=False`, or with `options` that turn off signature or
    expiry verification. Expiry turned off is not reported when it is checked by hand:
    the function reads the `exp` claim, or the module compares a `.exp` or calls an
    expiry check on the claims.

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
    Only the JWT libraries are checked (PyJWT `jwt`, python-jose `jose.jwt`, authlib),
    resolved through the imports: a project's own wrapper called `jwt` or `JWT` that
    fixes the algorithm inside is not reported at its call sites (the wrapper's own
    `jwt.decode` is checked where it is written). Reading unverified claims to pick a
    key before a verified decode is legitimate: when the same function decodes again
    with a key and the signature check on, the peek is not reported, nor is a peek that
    only reads `exp`, `iss` or `kid`. A decode with `verify_signature` off is an
    error in a route dependency (its claims say who the caller is) and information
    elsewhere (it is usually a peek at a claim); turning off expiry, or omitting
    `algorithms`, is an error; turning off only the audience or issuer check is a
    warning (the token is still the signer's and still expires). A decode that runs
    only under an explicit flag (`if settings.TRUSTED_JWT_DECODE:`, a proxy that
    already verified the token) is information: the intent is written down. Options
    built in a variable are not followed.

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
        for node in ctx.of(ast.Call):
            if not is_jwt_decode(ctx, node):
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
            opt_in = bool(disabled) and _opt_in(ctx, node)
            if "verify_signature" in disabled:
                if self._verified_later(ctx, node) or _peeks_claim(ctx, node):
                    continue
                # Who is calling is decided from these claims only in a route dependency;
                # elsewhere an unverified decode is usually a peek at a claim.
                trusted = _authenticates(ctx, node) and not opt_in
                yield self.finding(
                    ctx,
                    node,
                    "jwt.decode reads the token without verifying its signature"
                    + (
                        f" (nor {', '.join(d for d in disabled if d != 'verify_signature')})"
                        if len(disabled) > 1
                        else ""
                    )
                    + (" (behind an explicit opt-in)" if opt_in else "")
                    + (" in an authentication dependency" if trusted else ""),
                    "verify the signature before trusting any claim; to peek at the issuer or "
                    "key id use `jwt.get_unverified_header` and then a verified decode",
                    severity=Severity.ERROR if trusted else Severity.INFO,
                    confidence=Confidence.HIGH if trusted else Confidence.MEDIUM,
                )
            elif disabled:
                if set(disabled) <= {"verify_exp"} and _checks_expiry(ctx.scope_of(node), ctx.tree):
                    continue
                yield self.finding(
                    ctx,
                    node,
                    f"jwt.decode turns off {', '.join(disabled)}"
                    + (" behind an explicit opt-in" if opt_in else ""),
                    "verify the signature and expiry; read unverified claims only with "
                    "`jwt.get_unverified_header` before a verified decode",
                    # audience and issuer checks narrow which signed tokens are accepted;
                    # without them the token is still the signer's, and still expires
                    severity=Severity.INFO
                    if opt_in
                    else Severity.WARNING
                    if set(disabled) <= {"verify_aud", "verify_iss"}
                    else None,
                    confidence=Confidence.MEDIUM if opt_in else None,
                )
            elif keyword(node, "algorithms") is None and len(node.args) < 3:
                yield self.finding(
                    ctx,
                    node,
                    "jwt.decode without `algorithms=[...]` lets the token choose its algorithm",
                    'pass the expected algorithm list, e.g. `algorithms=["HS256"]`',
                )

    @classmethod
    def _verified_later(cls, ctx: FileContext, call: ast.Call) -> bool:
        """Another decode in the same function that passes a key and keeps the
        signature check: the first one only peeks."""
        scope = ctx.scope_of(call)
        for node in walk(scope):
            if node is call or not isinstance(node, ast.Call) or not is_jwt_decode(ctx, node):
                continue
            off = {
                k.value
                for k, v in cls._options(node)
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and v.value is False
            }
            has_key = len(node.args) >= 2 or keyword(node, "key") is not None
            if has_key and "verify_signature" not in off:
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
