"""FA107: a password stored or compared without hashing."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule

REQUEST_OBJECT = re.compile(
    r"(^|_)(form|form_data|body|payload|request|req|credentials|login|data|input|in|dto|"
    r"schema|params|creds|signup|register|registration)$",
    re.IGNORECASE,
)
STORED = frozenset({"password", "hashed_password", "password_hash", "passwd", "pwd_hash"})


def _password_ref(node: ast.expr) -> str | None:
    """`form.password` / `password`: a plain reference (not a call) to a password."""
    name = dotted(node)
    if name is None:
        return None
    leaf = name.rsplit(".", 1)[-1].lower()
    return name if "password" in leaf or leaf in {"passwd", "pwd"} else None


def _from_request(name: str) -> bool:
    """`form.password`, `body.password`, `user_in.password`: a value the client sent."""
    return bool(REQUEST_OBJECT.search(_base(name))) and "hash" not in name.lower()


def _base(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name else ""


class PlaintextPassword(Rule):
    """## What it does
    Reports a password compared with `==`/`!=` against a stored value, and a request's
    password put into a table model's password field (constructor keyword or attribute
    assignment) without passing through a hash function.

    ## Why is this bad?
    A stored plain password leaks every account the day the database leaks, and `==`
    comparisons leak timing. Passwords are stored as slow salted hashes (argon2, bcrypt)
    and checked with the hash library's verify function (CWE-256).

    ## Example
    ```python
    def login(user, form) -> bool:
        return user.password == form.password
    ```

    ## Use instead
    ```python
    from argon2 import PasswordHasher

    hasher = PasswordHasher()

    def login(user, form) -> bool:
        return hasher.verify(user.hashed_password, form.password)
    ```

    ## Known problems
    The client's value is recognised by the object it is read from (`form`, `body`,
    `payload`, `data`, `credentials`, `*_in`, ...); comparing two stored values (an
    optimistic-concurrency check of a hash) is not reported, nor are values named like a
    hash. Comparisons of two values of the same object (`body.password == body.confirm`)
    are not reported. Hashing done before the value reaches a variable named like a password
    is not seen, so the value must be a plain reference for the rule to speak. A model
    whose column is `_password` behind a `password` property is taken to encrypt or hash
    in the setter.

    ## References
    - [OWASP Password Storage Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html)
    - [CWE-256](https://cwe.mitre.org/data/definitions/256.html)
    """

    id = "FA107"
    slug = "plaintext-password"
    severity = Severity.ERROR
    confidence = Confidence.MEDIUM
    cwe = 256

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.of(ast.Compare, ast.Call, ast.Assign):
            if isinstance(node, ast.Compare) and len(node.comparators) == 1:
                if not isinstance(node.ops[0], ast.Eq | ast.NotEq):
                    continue
                left, right = _password_ref(node.left), _password_ref(node.comparators[0])
                if (
                    left
                    and right
                    and _base(left) != _base(right)
                    and _from_request(left) != _from_request(right)
                ):
                    yield self.finding(
                        ctx,
                        node,
                        f"password compared in plain text: `{left}` with `{right}`",
                        "store an argon2/bcrypt hash and check it with the library's verify()",
                    )
            elif isinstance(node, ast.Call) and any(kw.arg in STORED for kw in node.keywords):
                table = ctx.index.table(ctx.qualify(node.func))
                if table is None:
                    continue
                # `_password` is the column and `password` a property that encrypts or
                # hashes on the way in
                wrapped = {c.name for c in ctx.index.all_columns(table) if c.name[:1] == "_"}
                for kw in node.keywords:
                    ref = _password_ref(kw.value)
                    stored = kw.arg in STORED and f"_{kw.arg}" not in wrapped
                    if kw.arg is not None and stored and ref and _from_request(ref):
                        yield self._stored(ctx, kw.value, kw.arg)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if (
                    isinstance(target, ast.Attribute)
                    and target.attr in STORED
                    and _from_request(_password_ref(node.value) or "")
                    and _base(dotted(target) or "") != _base(dotted(node.value) or "")
                ):
                    yield self._stored(ctx, node.value, target.attr)

    def _stored(self, ctx: FileContext, node: ast.AST, field: str) -> Finding:
        return self.finding(
            ctx,
            node,
            f"`{field}` is stored from a plain password",
            "hash it first (argon2/bcrypt, e.g. `hashed_password=hash_password(body.password)`)",
        )
