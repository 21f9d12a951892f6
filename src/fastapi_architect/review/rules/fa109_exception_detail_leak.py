"""FA109: an exception's text sent to the client."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name, is_privileged, mentions, walk_body

BROAD = frozenset({"Exception", "BaseException"})
DATABASE = frozenset(
    {
        "SQLAlchemyError",
        "DBAPIError",
        "OperationalError",
        "IntegrityError",
        "ProgrammingError",
        "DatabaseError",
        "InterfaceError",
        "PostgresError",
    }
)
# Errors of the system under the application: their text names hosts, paths, SQL.
INFRASTRUCTURE = DATABASE | frozenset(
    {
        "OSError",
        "IOError",
        "ConnectionError",
        "HTTPError",
        "RequestError",
        "RequestException",
        "ClientError",
        "BotoCoreError",
        "RedisError",
    }
)
RESPONSES = frozenset({"JSONResponse", "PlainTextResponse", "HTMLResponse", "ORJSONResponse"})
SANITISER = re.compile(r"(saniti[sz]e|safe|redact|scrub|mask|public|friendly|user_message)", re.I)
# Calls in the `try` body that reach a database, a file system or the network.
IO_METHODS = frozenset(
    {
        "execute",
        "exec",
        "exec_driver_sql",
        "executemany",
        "flush",
        "commit",
        "refresh",
        "scalar",
        "scalars",
        "scalar_one",
        "fetch",
        "fetchrow",
        "fetchval",
        "fetchall",
        "fetchone",
        "add_all",
        "bulk_save_objects",
        "request",
        "urlopen",
        "upload_file",
        "download_file",
        "put_object",
        "get_object",
    }
)
IO_MODULES = ("httpx", "requests", "aiohttp", "urllib", "boto3", "botocore", "shutil")
# `e.strerror` is the OS message alone ("No space left on device"), without the path.
SAFE_PARTS = frozenset({"strerror", "errno", "status_code", "code"})
IO_NAMES = re.compile(
    r"^(session|db|db_session|conn|connection|cursor|engine|tx|storage|storage_service|s3|"
    r"bucket|minio|redis|http_client|client_session)$",
    re.I,
)
# Building a model from the caller's data, or checking it: the message is about their input.
VALIDATION = re.compile(r"^(validate|check|parse|verify)_|(Form|Request|Payload|Input|Body)$")


def _caught(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {last_name(dotted(t)) for t in types}


def _sanitised(node: ast.AST, name: str) -> bool:
    """Every mention of the exception goes through a sanitiser: `sanitize_error(e)`."""
    covered: set[int] = set()
    for sub in walk(node):
        if isinstance(sub, ast.Call) and (
            SANITISER.search(last_name(call_name(sub))) or _message_helper(sub, name)
        ):
            covered.update(id(n) for n in walk(sub))
    for sub in walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and sub.attr in SAFE_PARTS
            and isinstance(sub.value, ast.Name)
        ):
            covered.add(id(sub.value))
    mentions_ = [n for n in walk(node) if isinstance(n, ast.Name) and n.id == name]
    return bool(mentions_) and all(id(n) in covered for n in mentions_)


def _message_helper(call: ast.Call, name: str) -> bool:
    """`ERROR_MESSAGES.DEFAULT(e, "Could not create the tool")`: a helper given the
    exception and a fixed fallback message chooses what the client reads."""
    args = [*call.args, *(kw.value for kw in call.keywords)]
    return (
        last_name(call_name(call)) not in {"str", "repr", "format", "join", "dict", "getattr"}
        and any(isinstance(a, ast.Name) and a.id == name for a in args)
        and any(
            isinstance(a, ast.Constant) and isinstance(a.value, str) and " " in a.value
            for a in args
        )
    )


def _leaks(node: ast.expr | None, name: str) -> bool:
    if node is None:
        return False
    for sub in walk(node):
        if isinstance(sub, ast.Call) and last_name(call_name(sub)) in {
            "format_exc",
            "format_exception",
        }:
            return True
    return mentions(node, name) and not _sanitised(node, name)


def _io_calls(ctx: FileContext, body: list[ast.stmt]) -> list[ast.Call]:
    """The calls of the `try` body that talk to a database, storage or the network
    (directly, or by handing a session or connection to a helper)."""
    out: list[ast.Call] = []
    for stmt in body:
        for node in [stmt, *walk_body(stmt)]:
            if isinstance(node, ast.Call) and _is_io(ctx, node):
                out.append(node)
    return out


def _is_io(ctx: FileContext, node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in IO_METHODS:
        return True
    receiver = func.value if isinstance(func, ast.Attribute) else None
    while isinstance(receiver, ast.Attribute | ast.Call):
        receiver = receiver.func if isinstance(receiver, ast.Call) else receiver.value
    if isinstance(receiver, ast.Name) and IO_NAMES.match(receiver.id):
        return True
    if isinstance(func, ast.Name) and func.id == "open":
        return True
    qualified = ctx.qualify(func)
    if qualified.partition(".")[0] in IO_MODULES and "." in qualified:
        return True
    arguments = [*node.args, *(kw.value for kw in node.keywords)]
    return any(isinstance(a, ast.Name) and IO_NAMES.match(a.id) for a in arguments)


def _fixed_address(ctx: FileContext, call: ast.Call) -> bool:
    """An HTTP call (`requests.get(...)`, `httpx.post(...)`) to a host written in the
    code: a literal URL, or one starting with a module constant (`f"{API_URL}/{slug}"`)."""
    if ctx.qualify(call.func).partition(".")[0] not in {"requests", "httpx"}:
        return False
    url = keyword(call, "url") or (call.args[0] if call.args else None)
    if isinstance(url, ast.Constant):
        return isinstance(url.value, str)
    if not isinstance(url, ast.JoinedStr) or not url.values:
        return False
    # the host is fixed when the URL starts with a literal address or a module constant;
    # the path after it may vary
    head = url.values[0]
    if isinstance(head, ast.Constant):
        return str(head.value).startswith(("http://", "https://"))
    value = head.value if isinstance(head, ast.FormattedValue) else None
    return isinstance(value, ast.Name) and value.id.isupper()


def _validates_input(body: list[ast.stmt]) -> bool:
    """The `try` body only builds a model from the request or validates a value."""
    calls = [n for stmt in body for n in [stmt, *walk_body(stmt)] if isinstance(n, ast.Call)]
    return bool(calls) and all(VALIDATION.search(last_name(call_name(c))) for c in calls)


def _inspected(handler: ast.ExceptHandler, call: ast.AST, name: str) -> bool:
    """The raise sits under `if isinstance(e, X)` or `if "..." in str(e)`: the code
    knows which error it is answering with."""
    for node in walk_body(handler):
        if (
            isinstance(node, ast.If)
            and mentions(node.test, name)
            and any(sub is call for stmt in node.body for sub in walk(stmt))
        ):
            return True
    return False


class ExceptionDetailLeak(Rule):
    """## What it does
    Inside `except Exception as e` (or bare `except`, or a database error), reports an
    `HTTPException` or a response whose content includes `e` (`str(e)`, `f"{e}"`,
    `repr(e)`) or a formatted traceback.

    ## Why is this bad?
    The text of an unexpected exception carries SQL, file paths, hostnames and library
    versions: a map of the system for an attacker (CWE-209). Log it; answer with a
    generic message and a request id.

    ## Example
    ```python
    from fastapi import HTTPException

    def charge(order) -> None:
        try:
            order.pay()
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))
    ```

    ## Use instead
    ```python
    import logging

    from fastapi import HTTPException

    log = logging.getLogger(__name__)

    def charge(order) -> None:
        try:
            order.pay()
        except Exception:
            log.exception("payment failed")
            raise HTTPException(status_code=500, detail="payment failed")
    ```

    ## Known problems
    Narrow, expected exceptions (`ValueError`, domain errors) are deliberately not
    reported: their messages are usually written for the client. A broad `except` is a
    warning when its `try` talks to a database, storage or the network (directly, or by
    handing a session or connection to a helper), or when the caught type is such an
    error (`SQLAlchemyError`, `OSError`, `httpx.HTTPError`...): those messages carry SQL,
    paths and host names. Around the project's own code the message is often written for
    the caller, so the finding is information only, as it is on an administrator's
    route, in a project that authenticates no route at all (a tool whose users run it,
    and read its errors in their own logs anyway), and when the `try` only calls an HTTP
    address written in the code (`requests.get(f"{API_URL}/x")`: the message names a host
    the code already shows), and in a plain function that nothing in the project calls
    or uses as a dependency (dead code, or called from elsewhere). Not reported: a
    detail that passes the exception through a sanitiser (`sanitize_error(e)`, or a
    helper given a fixed fallback message:
    `ERROR_MESSAGES.DEFAULT(e, "Could not create the tool")`), an answer under
    `if isinstance(e, X)` or `if "..." in str(e)` (the code knows which error it is),
    and a `try` that only validates the caller's own input (`Form(**data)`,
    `validate_password(...)`).

    ## References
    - [CWE-209](https://cwe.mitre.org/data/definitions/209.html)
    """

    id = "FA109"
    slug = "exception-detail-leak"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    cwe = 209

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        tries = {
            id(handler): node
            for node in ctx.of(ast.Try, getattr(ast, "TryStar", ast.Try))
            for handler in node.handlers
        }
        for node in ctx.of(ast.ExceptHandler):
            if node.name is None:
                continue
            caught = _caught(node)
            if not caught & (BROAD | INFRASTRUCTURE):
                continue
            for stmt in node.body:
                for sub in [stmt, *walk_body(stmt)]:
                    call = None
                    if isinstance(sub, ast.Raise) and isinstance(sub.exc, ast.Call):
                        call = sub.exc
                    elif isinstance(sub, ast.Return) and isinstance(sub.value, ast.Call):
                        call = sub.value
                    if call is None:
                        continue
                    func = last_name(call_name(call))
                    if func == "HTTPException" or func.endswith("HTTPException"):
                        payload = keyword(call, "detail")
                        if payload is None and len(call.args) >= 2:
                            payload = call.args[1]
                    elif func in RESPONSES:
                        payload = keyword(call, "content") or (call.args[0] if call.args else None)
                    else:
                        continue
                    if not _leaks(payload, node.name) or _inspected(node, call, node.name):
                        continue
                    finding = self._judge(ctx, node, tries.get(id(node)), call, caught)
                    if finding is not None:
                        yield finding

    def _judge(
        self,
        ctx: FileContext,
        handler: ast.ExceptHandler,
        try_node: ast.AST | None,
        call: ast.Call,
        caught: set[str],
    ) -> Finding | None:
        body: list[ast.stmt] = list(getattr(try_node, "body", []))
        if not caught & INFRASTRUCTURE and body and _validates_input(body):
            return None
        names = ", ".join(sorted(caught))
        message = f"the text of a caught `{names}` is sent to the client"
        fix = "log the exception and answer with a fixed message (and a request id to find the log)"
        admin = any(
            is_privileged(r)
            for r in ctx.routes
            if r.fact.line == getattr(ctx.scope_of(call), "lineno", None)
        )
        scope = ctx.scope_of(call)
        helper = next(
            (
                fn
                for fn in ctx.facts.functions
                if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef)
                and fn.line == scope.lineno
                and fn.name == scope.name
                and not scope.decorator_list
            ),
            None,
        )
        if helper is not None and not ctx.index.used(helper):
            return self.finding(
                ctx,
                call,
                f"{message} (in `{helper.name}`, which nothing in the project calls)",
                fix,
                severity=Severity.INFO,
                confidence=Confidence.LOW,
            )
        io = _io_calls(ctx, body)
        if io and all(_fixed_address(ctx, c) for c in io):
            return self.finding(
                ctx,
                call,
                f"{message} (from a call to an address written in the code)",
                fix,
                severity=Severity.INFO,
                confidence=Confidence.MEDIUM,
            )
        if caught & INFRASTRUCTURE or io:
            if not any(r.auth for r in ctx.index.routes):
                return self.finding(
                    ctx,
                    call,
                    f"{message} (the project authenticates no route: its users run it)",
                    fix,
                    severity=Severity.INFO,
                    confidence=Confidence.MEDIUM,
                )
            if admin:
                return self.finding(
                    ctx,
                    call,
                    f"{message} (on an administrator's route)",
                    fix,
                    severity=Severity.INFO,
                    confidence=Confidence.MEDIUM,
                )
            return self.finding(
                ctx,
                call,
                f"the text of a caught `{names}` from a database, storage or network call "
                "is sent to the client",
                fix,
            )
        # An error of the project's own code: often a message written for the caller.
        return self.finding(
            ctx,
            call,
            message,
            fix,
            severity=Severity.INFO,
            confidence=Confidence.LOW,
        )
