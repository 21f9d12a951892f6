"""FA105: a secret written in the source."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name

SECRET_NAME = re.compile(
    r"(secret|secret_?key|password|passwd|api_?key|private_?key|signing_?key|jwt_?key|"
    r"access_?key|auth_?token|client_?secret|encryption_?key)$",
    re.IGNORECASE,
)
NOT_A_SECRET = re.compile(
    r"^([A-Z][A-Z0-9_]+|[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+|[a-z]+(_[a-z]+)+|\$\{?.*|<.*>|\*+|x+|\.+|/.*)$"
)


COMMON_WORDS = frozenset({"password", "secret", "apikey", "api_key", "token", "changeme"})


def _secret_literal(node: ast.expr | None, name: str = "") -> str | None:
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    value = node.value
    if len(value) < 8 or any(c.isspace() for c in value) or NOT_A_SECRET.match(value):
        return None
    if value.lower() in {name.lower(), *COMMON_WORDS} - {"changeme"}:
        return None
    return value


class HardcodedSecret(Rule):
    """## What it does
    Reports a string literal assigned to a secret-like name (`SECRET_KEY`, `password`,
    `api_key`, `client_secret`, ...), passed as such a keyword (`secret_key="..."`), or
    given to `jwt.encode` as its key.

    ## Why is this bad?
    A secret in the source is in every clone, fork, log and backup of the repository.
    Anyone who reads it can sign tokens or log in (CWE-798).

    ## Example
    ```python
    SECRET_KEY = "9f8e7d6c5b4a3f2e1d0c"
    ```

    ## Use instead
    ```python
    import os

    SECRET_KEY = os.environ["SECRET_KEY"]
    ```

    ## Known problems
    Values that look like placeholders, environment-variable or header names, values
    that repeat their own name (`password = "password"`), enum members, and values
    shorter than 8 characters are not reported. Test files are skipped. A default
    in a settings class is reported too: a forgotten override ships it to production.

    ## References
    - [CWE-798](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "FA105"
    slug = "hardcoded-secret"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 798

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if ctx.is_test:
            return
        enums = {
            id(stmt)
            for node in ctx.nodes
            if isinstance(node, ast.ClassDef)
            and any("Enum" in (dotted(b) or "") or dotted(b) == "str" for b in node.bases)
            for stmt in node.body
        }
        for node in ctx.nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign) and id(node) in enums:
                continue
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    name = target.id if isinstance(target, ast.Name) else None
                    if isinstance(target, ast.Attribute):
                        name = target.attr
                    if name and SECRET_NAME.search(name) and _secret_literal(node.value, name):
                        yield self._report(ctx, node.value or node, name)
            elif isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg and SECRET_NAME.search(kw.arg) and _secret_literal(kw.value):
                        yield self._report(ctx, kw.value, kw.arg)
                if (
                    last_name(call_name(node)) == "encode"
                    and "jwt" in ctx.qualify(node.func).lower()
                    and len(node.args) >= 2
                    and _secret_literal(node.args[1])
                ):
                    yield self._report(ctx, node.args[1], "the JWT signing key")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = [*args.posonlyargs, *args.args]
                firsts = positional[len(positional) - len(args.defaults) :]
                pairs = list(zip(firsts, args.defaults, strict=True))
                pairs += [
                    (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d
                ]
                for arg, default in pairs:
                    if SECRET_NAME.search(arg.arg) and _secret_literal(default):
                        yield self._report(ctx, default, arg.arg)

    def _report(self, ctx: FileContext, node: ast.AST, name: str) -> Finding:
        return self.finding(
            ctx,
            node,
            f"hardcoded secret for `{name}`",
            "read it from the environment or a secret store (pydantic-settings with no "
            "default), and rotate the value that was committed",
        )
