"""FA114: a password hashed with a fast digest or a weak passlib scheme."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import imported_name, string_items, value_of

FAST = frozenset({"md5", "sha1", "sha224", "sha256", "sha384", "sha512", "blake2b", "blake2s"})
# passlib schemes that are broken, unsalted, fast or not hashes at all.
WEAK_SCHEMES = frozenset(
    {
        "md5_crypt",
        "apr_md5_crypt",
        "sun_md5_crypt",
        "des_crypt",
        "bsdi_crypt",
        "bigcrypt",
        "crypt16",
        "plaintext",
        "ldap_plaintext",
        "ldap_md5",
        "ldap_sha1",
        "ldap_salted_md5",
        "ldap_salted_sha1",
        "ldap_hex_md5",
        "ldap_hex_sha1",
        "ldap_des_crypt",
        "ldap_bsdi_crypt",
        "ldap_md5_crypt",
        "roundup_plaintext",
        "hex_md4",
        "hex_md5",
        "hex_sha1",
        "hex_sha256",
        "hex_sha512",
        "htdigest",
        "mysql323",
        "mysql41",
        "postgres_md5",
        "oracle10",
        "oracle11",
        "lmhash",
        "nthash",
        "msdcc",
        "msdcc2",
        "cisco_pix",
        "cisco_asa",
        "cisco_type7",
    }
)
HASHING_METHODS = frozenset({"hash", "encrypt", "genhash"})


def _stores_passwords(ctx: FileContext) -> bool:
    """Some table of the project has a password column: a digest of a password may be
    what it stores."""
    index = ctx.index
    return any(
        "passw" in column.name.lower() or "pwd" in column.name.lower()
        for table in index.tables
        for column in index.all_columns(table)
    )


def _mentions_password(node: ast.AST) -> bool:
    for sub in walk(node):
        name = dotted(sub) if isinstance(sub, ast.Name | ast.Attribute) else None
        if name and any(w in last_name(name).lower() for w in ("password", "passwd", "pwd")):
            return True
    return False


class WeakPasswordHash(Rule):
    """## What it does
    Reports `hashlib.md5/sha1/sha256/...` applied to a value named like a password, a
    passlib `CryptContext` whose default scheme (`default=`, or the first of `schemes`)
    is weak (`md5_crypt`, `des_crypt`, `bsdi_crypt`, `plaintext`, `ldap_md5`,
    `ldap_sha1`, `hex_md5`, `mysql323`, `postgres_md5`, `lmhash`, `nthash`, ...), and
    `passlib.hash.<weak scheme>.hash(...)` called directly. A weak scheme kept beside a
    strong default, so that old hashes still verify, is reported as a warning unless it is
    deprecated (`deprecated="auto"` or listed in `deprecated=`), which makes passlib
    replace those hashes at the next login.

    ## Why is this bad?
    General-purpose digests and the old crypt schemes are built to be fast, or are not
    salted: a leaked table of such password hashes is cracked at billions of guesses a
    second. Passwords need a slow, salted hash: argon2, bcrypt or scrypt (CWE-916).

    ## Example
    ```python
    import hashlib

    from passlib.context import CryptContext

    pwd_context = CryptContext(schemes=["md5_crypt"])

    def hash_password(password: str) -> str:
        return hashlib.sha256(password.encode()).hexdigest()
    ```

    ## Use instead
    ```python
    from argon2 import PasswordHasher
    from passlib.context import CryptContext

    pwd_context = CryptContext(schemes=["argon2", "md5_crypt"], deprecated="auto")

    def hash_password(password: str) -> str:
        return PasswordHasher().hash(password)
    ```

    ## Known problems
    For `hashlib`, only arguments whose names say password are recognised, and the
    finding is information when no table of the project has a password column (the
    digest is then often a token derived from a configured password, not a stored hash). A
    `CryptContext` is read when its schemes are written in the call or in a name assigned
    once in the same module; schemes read from settings or from a configuration string
    (`CryptContext.from_string`) are not checked.

    ## References
    - [OWASP Password Storage Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html)
    - [passlib: CryptContext](https://passlib.readthedocs.io/en/stable/lib/passlib.context.html)
    - [CWE-916](https://cwe.mitre.org/data/definitions/916.html)
    """

    id = "FA114"
    slug = "weak-password-hash"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 916

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.of(ast.Call):
            name = ctx.qualify(node.func)
            if name.startswith("hashlib.") and last_name(name) in FAST:
                if node.args and _mentions_password(node.args[0]):
                    stored = _stores_passwords(ctx)
                    yield self.finding(
                        ctx,
                        node,
                        f"password hashed with fast digest `{last_name(name)}`"
                        + ("" if stored else " (no table of the project stores a password)"),
                        "use argon2 (argon2-cffi), bcrypt or hashlib.scrypt with a salt",
                        severity=None if stored else Severity.INFO,
                        confidence=None if stored else Confidence.MEDIUM,
                    )
            elif imported_name(ctx, node, "passlib.context.CryptContext") == name:
                yield from self._context(ctx, node)
            elif (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in HASHING_METHODS
                and (scheme := self._passlib_hash(ctx, node.func.value)) is not None
            ):
                yield self.finding(
                    ctx,
                    node,
                    f"password hashed with weak passlib scheme `{scheme}`",
                    "hash with `passlib.hash.argon2` or `bcrypt` (or a CryptContext whose "
                    "default is one of them)",
                )

    @staticmethod
    def _passlib_hash(ctx: FileContext, node: ast.expr) -> str | None:
        """`md5_crypt` for `passlib.hash.md5_crypt` (or `...md5_crypt.using(...)`)."""
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "using"
        ):
            node = node.func.value
        name = imported_name(ctx, node, "passlib.hash")
        if name is None:
            return None
        scheme = last_name(name)
        return scheme if scheme in WEAK_SCHEMES else None

    def _context(self, ctx: FileContext, call: ast.Call) -> Iterator[Finding]:
        raw = keyword(call, "schemes") or (call.args[0] if call.args else None)
        if raw is None:
            return
        schemes = string_items(value_of(ctx, raw, call))
        if not schemes:
            return
        default_node = keyword(call, "default")
        default = None
        if default_node is not None:
            items = string_items(value_of(ctx, default_node, call))
            default = items[0] if items else None
            if default is None:
                return
        default = default or schemes[0]
        if default in WEAK_SCHEMES:
            yield self.finding(
                ctx,
                call,
                f"CryptContext hashes new passwords with weak scheme `{default}`",
                "put `argon2` or `bcrypt` first and keep the old scheme only with "
                '`deprecated="auto"`, so that its hashes are replaced at the next login',
            )
            return
        deprecated_node = keyword(call, "deprecated")
        deprecated: set[str] = set()
        if deprecated_node is not None:
            items = string_items(value_of(ctx, deprecated_node, call))
            if items is None or "auto" in items:
                return
            deprecated = set(items)
        kept = [s for s in schemes if s in WEAK_SCHEMES and s not in deprecated]
        if kept:
            yield self.finding(
                ctx,
                call,
                f"CryptContext still accepts weak scheme(s) {', '.join(kept)} and never "
                "replaces those hashes",
                'add `deprecated="auto"` so that passlib rehashes them with the default at '
                "the next login (`verify_and_update`)",
                severity=Severity.WARNING,
                confidence=Confidence.MEDIUM,
            )
