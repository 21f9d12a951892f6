"""FA114: a password hashed with a fast digest."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

FAST = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s"})


def _mentions_password(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        name = dotted(sub) if isinstance(sub, ast.Name | ast.Attribute) else None
        if name and any(w in last_name(name).lower() for w in ("password", "passwd", "pwd")):
            return True
    return False


class WeakPasswordHash(Rule):
    """## What it does
    Reports `hashlib.md5/sha1/sha256/...` applied to a value named like a password.

    ## Why is this bad?
    General-purpose digests are built to be fast: a leaked table of SHA-256 password
    hashes is cracked at billions of guesses a second. Passwords need a slow, salted
    hash: argon2, bcrypt or scrypt (CWE-916).

    ## Example
    ```python
    import hashlib

    def hash_password(password: str) -> str:
        return hashlib.sha256(password.encode()).hexdigest()
    ```

    ## Use instead
    ```python
    from argon2 import PasswordHasher

    def hash_password(password: str) -> str:
        return PasswordHasher().hash(password)
    ```

    ## Known problems
    Only arguments whose names say password are recognised.

    ## References
    - [OWASP Password Storage Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html)
    - [CWE-916](https://cwe.mitre.org/data/definitions/916.html)
    """

    id = "FA114"
    slug = "weak-password-hash"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 916

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.nodes:
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = ctx.qualify(node.func)
            if not name.startswith("hashlib.") or last_name(name) not in FAST:
                continue
            if _mentions_password(node.args[0]):
                yield self.finding(
                    ctx,
                    node,
                    f"password hashed with fast digest `{last_name(name)}`",
                    "use argon2 (argon2-cffi), bcrypt or hashlib.scrypt with a salt",
                )
