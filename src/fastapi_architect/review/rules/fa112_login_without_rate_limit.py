"""FA112: a login or password-reset route with no rate limit."""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator

from fastapi_architect.codebase.facts import ParamFact
from fastapi_architect.codebase.index import ProjectIndex, Route
from fastapi_architect.codebase.syntax import identifier, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import (
    PRIVILEGED,
    FunctionNode,
    call_name,
    is_privileged,
    walk_body,
)

LOGIN_PATH = re.compile(r"/(login|sign-?in|signin|token|access-token|authenticate)/?$", re.I)
_PASSWORD = r"pass(word|wd)?"
_RESET = r"(forgot(ten)?|reset|recover(y)?|lost)"
RESET_NAME = re.compile(
    rf"({_RESET}[-_/]?(my[-_/]?|your[-_/]?)?{_PASSWORD}|{_PASSWORD}[-_/]?{_RESET})", re.I
)
RESET_MAIL = re.compile(
    rf"(send|mail|email)\w*{_RESET}|{_RESET}\w*(mail|email|link)", re.IGNORECASE
)
LIMIT_WORDS = re.compile(r"(limit|throttl)", re.IGNORECASE)
LIMIT_MODULES = re.compile(r"(slowapi|fastapi_limiter|ratelimit|rate_limit|limiter)", re.I)
LIMITER_OBJECT = re.compile(r"(limiter|throttl)", re.IGNORECASE)
LIMIT_MIDDLEWARE = re.compile(r"(rate_?limit|limiter|throttl|slowapi)\w*middleware", re.I)
LOCKOUT = re.compile(
    r"^(failed_(login_)?(attempts?|logins?|login_count|count)|login_attempts?|"
    r"(invalid|bad)_(login_)?attempts|locked_until|lock_until|lockout\w*|locked_out|is_locked|"
    r"account_locked|\w*_lockout|check_lock(out)?|lock_account)$",
    re.IGNORECASE,
)
WRITES = frozenset({"POST", "PUT", "PATCH"})
SCALARS = frozenset({"str", "int", "float", "bool", "UUID", "EmailStr"})
# Dependencies that demand a credential already issued (a token, a key, a session user).
SIGNED_IN_DEP = re.compile(
    r"((^|_)(verify|require|check|validate)_\w*(token|key|auth|user)|api_?key|bearer|"
    r"authenticator$|current_?(active_?)?(super_?)?user$|^get_user$|principal)",
    re.IGNORECASE,
)
PASSWORD_FORM = re.compile(r"(password|passwd|basic|form)", re.IGNORECASE)

_GLOBAL: weakref.WeakKeyDictionary[ProjectIndex, tuple[bool, bool]] = weakref.WeakKeyDictionary()


def _project_limits(index: ProjectIndex) -> tuple[bool, bool]:
    """(a rate-limit middleware is in the project, user rows carry lockout columns)."""
    cached = _GLOBAL.get(index)
    if cached is not None:
        return cached
    names = [v for m in index.modules.values() for _, v in m.imports]
    names += [c.qualname for c in index.classes.values()]
    names += [f.name for f in index.functions.values()]
    middleware = any(LIMIT_MIDDLEWARE.search(last_name(n)) for n in names) or any(
        LIMIT_WORDS.search(c.name) and any("Middleware" in last_name(b) for b in c.bases)
        for c in index.classes.values()
    )
    lockout = any(LOCKOUT.match(c.name) for t in index.tables for c in index.all_columns(t))
    _GLOBAL[index] = (middleware, lockout)
    return middleware, lockout


def _limits_in_body(handler: FunctionNode) -> bool:
    """A call in the handler body to `limit_login(...)`, `rate_limit(...)`,
    `limiter.hit(...)` and the like. A bare `.limit(n)` is a query, not a rate limit."""
    for node in walk_body(handler):
        if not isinstance(node, ast.Call):
            continue
        receiver, _, name = call_name(node).rpartition(".")
        if name != "limit" and LIMIT_WORDS.search(name):
            return True
        if LIMITER_OBJECT.search(last_name(receiver)):
            return True
    return False


def _lockout_in_body(handler: FunctionNode) -> bool:
    """The handler counts failed attempts or locks the account."""
    for node in walk_body(handler):
        name = (
            node.value
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            else identifier(node)
        )
        if name is not None and LOCKOUT.match(name):
            return True
    return False


class LoginWithoutRateLimit(Rule):
    """## What it does
    Reports a `POST` login or token route, and a password reset or recovery request (its
    path or function name says forgot/reset/recover password, or it sends a
    password-reset email), with no rate limit: no limit decorator (`@limiter.limit`) or
    dependency (`Depends(RateLimiter(...))`), no call in the handler body to a function
    named like a limit (`limit_login(...)`, `check_rate_limit(...)`) or to a method of a
    limiter (`request.app.state.rate_limiter.hit(...)`), and no rate-limit middleware in
    the project (`SlowAPIMiddleware`, or any middleware named like RateLimit, Limiter or
    Throttle). A login is also taken as limited when it counts failed attempts or locks
    accounts (lockout columns on a table, or lockout logic in the handler).

    ## Why is this bad?
    Without a limit, an attacker can try passwords as fast as the server answers:
    credential stuffing and brute force (CWE-307). An unlimited password-reset route sends
    as many e-mails as it is asked to, to any address (mail bombing, a burnt sender
    reputation), tells an attacker which addresses have accounts, and lets reset tokens
    be guessed at full speed.

    ## Example
    ```python
    from fastapi import APIRouter

    router = APIRouter()

    @router.post("/auth/login")
    def login(form: dict): ...

    @router.post("/auth/forgot-password")
    def forgot_password(email: str): ...
    ```

    ## Use instead
    ```python
    from fastapi import APIRouter, Depends

    from app.limits import login_rate_limit

    router = APIRouter()

    @router.post("/auth/login", dependencies=[Depends(login_rate_limit)])
    def login(form: dict): ...

    @router.post("/auth/forgot-password", dependencies=[Depends(login_rate_limit)])
    def forgot_password(email: str): ...
    ```

    ## Known problems
    Limits applied by a gateway or a reverse proxy are invisible, and so is a limit
    applied deeper than the handler body (inside the service it calls); when the project
    uses a rate-limit library anywhere the finding is reported with low confidence. A
    rate-limit middleware is taken to cover every route, and a call is taken on its name:
    it is not checked that the middleware has a default limit or that the call's result
    is used. Password-reset routes that need a signed-in user (a change of password) and
    routes guarded by an admin or role dependency are left alone, and so is the second
    step of a reset, which takes the e-mailed token (a token that cannot be guessed), and
    a token route whose caller is already authenticated by a token or key (it mints a
    token, it does not check a password), that swaps a long random secret for one
    (`device_code`, `client_secret`, `refresh_token`, an OAuth `code`) and takes no
    password, that only sends the browser to an identity provider (an OAuth
    redirect), or whose every input is known and none carries a secret (a development
    token route taking a `subject` and a `role`: nothing to guess). Lockout counts for
    logins only: it does not stop reset e-mails.

    ## References
    - [OWASP Authentication Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html)
    - [OWASP Forgot Password Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html)
    - [CWE-307](https://cwe.mitre.org/data/definitions/307.html)
    """

    id = "FA112"
    slug = "login-without-rate-limit"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 307

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not ctx.routes:
            return
        middleware, lockout_columns = _project_limits(ctx.index)
        if middleware:
            return
        limited_project = any(LIMIT_MODULES.search(m) for m in ctx.index.imported_modules)
        for route in ctx.routes:
            fact = route.fact
            handler = ctx.handler(route)
            kind = self._kind(ctx, route, handler)
            if kind is None:
                continue
            if fact.rate_limited or any(LIMIT_WORDS.search(d.target) for d in route.deps):
                continue
            if handler is not None and _limits_in_body(handler):
                continue
            if kind == "login" and (
                lockout_columns or (handler is not None and _lockout_in_body(handler))
            ):
                continue
            yield self.finding(
                ctx,
                (fact.line, fact.col, fact.line, fact.col + 4 + len(fact.handler)),
                f"{kind} route {route.full_path} has no rate limit",
                "limit attempts per client and per account (e.g. slowapi or a "
                "`Depends(rate_limit)` backed by Redis)",
                confidence=Confidence.LOW if limited_project else None,
            )

    @staticmethod
    def _kind(ctx: FileContext, route: Route, handler: FunctionNode | None) -> str | None:
        fact = route.fact
        if "POST" in fact.methods and LOGIN_PATH.search(route.full_path):
            own = [*fact.deps, *(d for p in fact.params if (d := ctx.index.param_dep(p)))]
            admin = any(PRIVILEGED.search(last_name(d.target)) for d in own)
            signed_in = admin or _signed_in(ctx, route, handler) or _redirects_only(route, handler)
            if signed_in or _exchanges_secret(ctx, route) or _takes_no_secret(ctx, route):
                return None
            return "login"
        if not WRITES & set(fact.methods) or route.auth or is_privileged(route):
            return None
        sends = handler is not None and any(
            isinstance(node, ast.Call) and RESET_MAIL.search(last_name(call_name(node)))
            for node in walk_body(handler)
        )
        named = RESET_NAME.search(route.full_path) or RESET_NAME.search(fact.handler)
        if sends or (named and not _takes_token(ctx, route)):
            return "password reset"
        return None


def _signed_in(ctx: FileContext, route: Route, handler: FunctionNode | None) -> bool:
    """The caller is already authenticated by a token or key, and sends no password: the
    route mints a token for someone who has one."""
    if handler is not None and any(
        isinstance(d, ast.Call) and last_name(call_name(d)) in {"requires", "login_required"}
        for d in handler.decorator_list
    ):
        return True
    if _password_input(ctx, route.fact.params):
        return False
    optional = {
        p.dep.target
        for p in route.fact.params
        if p.dep is not None
        and p.annotation
        and ("None" in p.annotation or "Optional" in p.annotation)
    }
    for dep in route.deps:
        name = last_name(dep.target)
        if dep.target in optional or "optional" in name.lower() or not SIGNED_IN_DEP.search(name):
            continue
        fn = ctx.index.function(dep.target)
        if fn is None or not _password_input(ctx, fn.params):
            return True
    return False


def _redirects_only(route: Route, handler: FunctionNode | None) -> bool:
    """An OAuth/SSO login: it takes nothing from the client but the request and sends
    the browser to the identity provider (`authorize_redirect(...)`)."""
    if handler is None or any(
        p.kind not in {"depends"} and last_name(p.type_name) not in {"Request", "Response"}
        for p in route.fact.params
    ):
        return False
    requests = {p.name for p in route.fact.params if last_name(p.type_name) == "Request"}
    given = [
        last_name(call_name(n)).lower()
        for n in walk_body(handler)
        if isinstance(n, ast.Call)
        and any(
            isinstance(a, ast.Name) and a.id in requests
            for a in [*n.args, *(k.value for k in n.keywords)]
        )
    ]
    return bool(given) and all("redirect" in c for c in given)


def _password_input(ctx: FileContext, params: tuple[ParamFact, ...]) -> bool:
    """A parameter, or a field of a body schema, that carries a password or a form."""
    for param in params:
        names = [param.name, last_name(param.type_name)]
        schema = ctx.index.klass(param.type_name) if param.kind in {"plain", "body"} else None
        if schema is not None:
            names += ctx.index.all_fields(schema)
        if any(PASSWORD_FORM.search(n) for n in names if n):
            return True
    return False


PASSWORD_FIELD = re.compile(r"^(password|passwd|pass|username)$", re.IGNORECASE)
RANDOM_SECRET = re.compile(r"^(device_code|client_secret|refresh_token|code|assertion)$")


def _exchanges_secret(ctx: FileContext, route: Route) -> bool:
    """The route swaps a long random secret (a device code, a client secret, a refresh
    token, an OAuth `grant_type` other than a password) for a token and takes no password:
    guessing it is not a threat a limit stops."""
    names = [p.name for p in route.fact.params]
    for param in route.fact.params:
        schema = ctx.index.klass(param.type_name) if param.kind != "header" else None
        if schema is None or ctx.index.is_table_part(schema):
            continue
        # the request's own fields: a body, or a form read by the schema itself
        # (`Depends(TokenReq.as_form)`), not an object a dependency looks up
        if param.dep is None or last_name(param.dep.target.rpartition(".")[0]) == schema.name:
            names += ctx.index.all_fields(schema)
    if any(PASSWORD_FIELD.match(n) for n in names):
        return False
    if "grant_type" in names:
        return True  # an OAuth token endpoint; HTTP Basic there carries the client's secret
    return not _password_input(ctx, route.fact.params) and any(
        RANDOM_SECRET.match(n) for n in names
    )


SECRET_INPUT = re.compile(
    r"(password|passwd|pass$|secret|code|token|key|credential|pin$|otp|assertion|basic|"
    r"form|signature|auth)",
    re.IGNORECASE,
)


def _takes_no_secret(ctx: FileContext, route: Route) -> bool:
    """Every input of the route is known and none carries a secret (`subject`, `role`):
    it checks nothing a client could guess (a development token route)."""
    for param in route.fact.params:
        if param.kind == "depends":
            # `form: OAuth2PasswordRequestForm = Depends()`, or a dependency taking one
            target = param.dep.target if param.dep is not None else param.type_name or ""
            fn = ctx.index.function(target)
            names = [param.name, last_name(param.type_name), last_name(target)]
            names += [p.name for p in fn.params] if fn is not None else []
            schema = ctx.index.klass(param.type_name)
            names += ctx.index.all_fields(schema) if schema is not None else []
            if any(n and SECRET_INPUT.search(n) for n in names) or (
                fn is not None and any(last_name(p.type_name) == "Request" for p in fn.params)
            ):
                return False
            continue
        if param.type_name is None or last_name(param.type_name) in {"Request", "dict", "Any"}:
            return False  # read by hand: the inputs are not known
        names = [param.name]
        if param.kind in {"plain", "body"} and last_name(param.type_name) not in SCALARS:
            schema = ctx.index.klass(param.type_name)
            if schema is None:
                return False
            names += ctx.index.all_fields(schema)
        if any(SECRET_INPUT.search(n) for n in names):
            return False
    return bool(route.fact.params)


def _takes_token(ctx: FileContext, route: Route) -> bool:
    """The second step of a reset: the client sends the token it received by e-mail,
    which is signed or long and random, so it cannot be guessed."""
    for param in route.fact.params:
        if "token" in param.name.lower():
            return True
        schema = ctx.index.klass(param.type_name) if param.kind in {"plain", "body"} else None
        if schema is not None and any("token" in f for f in ctx.index.all_fields(schema)):
            return True
    return False
