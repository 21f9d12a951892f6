"""FA105: a secret written in the source."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._values import jwt_function

SECRET_NAME = re.compile(
    r"(secret|secret_?key|password|passwd|api_?key|private_?key|signing_?key|jwt_?key|"
    r"access_?key|auth_?token|client_?secret|encryption_?key)$",
    re.IGNORECASE,
)
NOT_A_SECRET = re.compile(
    r"^([A-Z][A-Z0-9_]+|[A-Z][A-Za-z]*(-[A-Z][A-Za-z]*)+|[a-z]+(_[a-z]+)+|\$\{?.*|<.*>|\*+|x+|\.+|/.*)$"
)


COMMON_WORDS = frozenset({"password", "secret", "apikey", "api_key", "token", "changeme"})
# Keys that are public by design: PostHog project keys, Stripe publishable keys.
PUBLIC_KEY = re.compile(
    r"^(phc_|pk_live_|pk_test_|\s*-----BEGIN (RSA |EC )?PUBLIC KEY-----|"
    r"\s*-----BEGIN CERTIFICATE-----|ssh-(rsa|ed25519) )"
)
# What a secret is hidden behind when shown: `url._replace(password="[redacted]")`, "****".
MASK = re.compile(
    r"^\W*(redacted|hidden|masked|removed|obfuscated|censored|x+|\*+|•+)\W*$", re.IGNORECASE
)
PLACEHOLDER_WORDS = frozenset(
    {
        "change",
        "changeme",
        "changethis",
        "replace",
        "example",
        "sample",
        "dummy",
        "placeholder",
        "default",
        "dev",
        "development",
        "test",
        "testing",
        "local",
        "insecure",
        "unsafe",
        "weak",
        "your",
        "my",
        "todo",
        "fixme",
        "secret",
        "password",
        "apikey",
        "key",
        "token",
        "production",
        "prod",
    }
)
WEAK_PASSWORD = re.compile(r"password|passwd|pwd|pin$", re.IGNORECASE)
SIGNING_CALLS = frozenset({"encode", "decode"})
SETTINGS_BASE = re.compile(r"(BaseSettings|Settings|Config)$")


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _secret_literal(node: ast.expr | None, name: str = "") -> str | None:
    value = _literal(node)
    if value is None or PUBLIC_KEY.match(value):
        return None
    if len(value) < 8:
        # a short password made of digits ("1234") is a weak default credential
        if WEAK_PASSWORD.search(name) and len(value) >= 4 and any(c.isdigit() for c in value):
            return value
        return None
    if any(c.isspace() for c in value) or NOT_A_SECRET.match(value) or MASK.match(value):
        return None
    if value.lower() in {name.lower(), *COMMON_WORDS} - {"changeme"}:
        return None
    if _label(value, name):
        return None
    return value


def _label(value: str, name: str) -> bool:
    """`RESOURCE_PASSWORD = "Passwords"`: a capitalised word, or the name's own word."""
    if value.isalpha() and value[0].isupper() and value[1:].islower():
        return True
    stem = value.lower().rstrip("s")
    return value.isalpha() and len(stem) > 3 and stem in name.lower().replace("_", "")


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"[-_.:/\s]+", value.lower()) if w]


def is_placeholder(value: str) -> bool:
    """A value that says what it is rather than being one: `change-me`,
    `argilla.apikey`, `intentionally-weak-secret-key-do-not-use-in-production`."""
    words = _words(value)
    if any(w in PLACEHOLDER_WORDS or w.startswith("change") for w in words):
        return not any(c.isdigit() for c in value) or len(words) > 2
    return len(words) > 1 and all(w.isalpha() for w in words)


def _settings_fields(ctx: FileContext) -> set[int]:
    """The assignments in the body of a settings class (pydantic `BaseSettings`, a class
    named `...Settings`/`...Config`): defaults the environment overrides."""
    out: set[int] = set()
    for node in ctx.of(ast.ClassDef):
        if any(SETTINGS_BASE.search(last_name(dotted(b) or "")) for b in node.bases) or (
            SETTINGS_BASE.search(node.name)
        ):
            out.update(id(stmt) for stmt in node.body)
    return out


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
    Values that look like environment-variable or header names, values that repeat
    their own name (`password = "password"`) or are a capitalised label
    (`RESOURCE_PASSWORD = "Passwords"`), enum members, keys that are public by design
    (PostHog `phc_`, Stripe `pk_live_`/`pk_test_`, a PEM public key or certificate that
    only verifies), masks that hide a secret when it is
    shown (`url._replace(password="[redacted]")`, `"****"`), values read with
    `os.getenv("X", default)` and values shorter than 8 characters are not reported,
    except a short password with digits (`DEFAULT_PASSWORD = "1234"`, information). Test
    files are skipped. A default in a settings class (pydantic `BaseSettings`, a class
    named `...Settings`) is overridden from the environment: it is a warning, and only
    information when it is a placeholder that says so (`change-me`,
    `insecure-dev-secret`). A placeholder elsewhere is information too. A literal that
    is given to `jwt.encode`/`jwt.decode` as the key, directly or through a module
    constant, is an error whatever it looks like.

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
            for node in ctx.of(ast.ClassDef)
            if any("Enum" in (dotted(b) or "") or dotted(b) == "str" for b in node.bases)
            for stmt in node.body
        }
        settings = _settings_fields(ctx)
        signing = self._signing_constants(ctx)
        reported: set[int] = set()
        kinds = (ast.Assign, ast.AnnAssign, ast.Call, ast.FunctionDef, ast.AsyncFunctionDef)
        for node in ctx.of(*kinds):
            if isinstance(node, ast.Assign | ast.AnnAssign) and id(node) in enums:
                continue
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    name = target.id if isinstance(target, ast.Name) else None
                    if isinstance(target, ast.Attribute):
                        name = target.attr
                    if name is None or node.value is None:
                        continue
                    if id(node.value) in signing:
                        reported.add(id(node.value))
                        yield self._report(ctx, node.value, name, signing=True)
                    elif SECRET_NAME.search(name) and _secret_literal(node.value, name):
                        yield self._report(ctx, node.value, name, settings=id(node) in settings)
            elif isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg and SECRET_NAME.search(kw.arg) and _secret_literal(kw.value):
                        yield self._report(ctx, kw.value, kw.arg)
                key = self._signing_key(ctx, node)
                literal = _literal(key)
                if (
                    key is not None
                    and literal
                    and not PUBLIC_KEY.match(literal)
                    and id(key) not in reported
                ):
                    reported.add(id(key))
                    yield self._report(ctx, key, "the JWT signing key", signing=True)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                args = node.args
                positional = [*args.posonlyargs, *args.args]
                firsts = positional[len(positional) - len(args.defaults) :]
                pairs = list(zip(firsts, args.defaults, strict=True))
                pairs += [
                    (a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d
                ]
                for arg, default in pairs:
                    if SECRET_NAME.search(arg.arg) and _secret_literal(default, arg.arg):
                        yield self._report(ctx, default, arg.arg)

    @staticmethod
    def _signing_key(ctx: FileContext, call: ast.Call) -> ast.expr | None:
        """The key argument of `jwt.encode(claims, key)` / `jwt.decode(token, key)`."""
        if jwt_function(ctx, call) not in SIGNING_CALLS:
            return None
        key = call.args[1] if len(call.args) >= 2 else keyword(call, "key")
        if key is None:
            return None
        return key

    def _signing_constants(self, ctx: FileContext) -> set[int]:
        """Module constants written as literals and given to jwt.encode/decode as the key:
        whatever they look like, they sign the tokens."""
        constants: dict[str, ast.expr] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, ast.Assign) and _literal(stmt.value):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        constants[target.id] = stmt.value
            elif (
                isinstance(stmt, ast.AnnAssign)
                and isinstance(stmt.target, ast.Name)
                and _literal(stmt.value)
                and stmt.value is not None
            ):
                constants[stmt.target.id] = stmt.value
        out: set[int] = set()
        for node in ctx.of(ast.Call):
            key = self._signing_key(ctx, node)
            if not isinstance(key, ast.Name) or key.id not in constants:
                continue
            value = _literal(constants[key.id])
            if value is not None and not PUBLIC_KEY.match(value):  # a public key only verifies
                out.add(id(constants[key.id]))
        return out

    def _report(
        self,
        ctx: FileContext,
        node: ast.AST,
        name: str,
        *,
        signing: bool = False,
        settings: bool = False,
    ) -> Finding:
        value = _literal(node) if isinstance(node, ast.expr) else None
        placeholder = value is not None and is_placeholder(value)
        severity, confidence = Severity.ERROR, Confidence.HIGH
        what = f"hardcoded secret for `{name}`"
        if signing:
            what = f"`{name}` is a literal that signs tokens"
        elif settings:
            # a settings default the environment overrides: only a forgotten override
            # ships it; a placeholder says so itself
            severity = Severity.INFO if placeholder else Severity.WARNING
            confidence = Confidence.MEDIUM
            what = f"settings default for `{name}` is a literal secret"
        elif placeholder:
            severity, confidence = Severity.INFO, Confidence.MEDIUM
            what = f"placeholder secret for `{name}`"
        elif value is not None and len(value) < 8:
            # often the documented default of a quickstart user: worth a look, not a gate
            severity, confidence = Severity.INFO, Confidence.MEDIUM
            what = f"weak hardcoded password for `{name}`"
        return self.finding(
            ctx,
            node,
            what,
            "read it from the environment or a secret store (pydantic-settings with no "
            "default), and rotate the value that was committed",
            severity=severity,
            confidence=confidence,
        )
