"""FA109: an exception's text sent to the client."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._helpers import call_name, mentions, walk_body

BROAD = frozenset({"Exception", "BaseException"})
DATABASE = frozenset(
    {"SQLAlchemyError", "DBAPIError", "OperationalError", "IntegrityError", "ProgrammingError"}
)
RESPONSES = frozenset({"JSONResponse", "PlainTextResponse", "HTMLResponse", "ORJSONResponse"})


def _caught(handler: ast.ExceptHandler) -> set[str]:
    if handler.type is None:
        return {"BaseException"}
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return {last_name(dotted(t)) for t in types}


def _leaks(node: ast.expr | None, name: str) -> bool:
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and last_name(call_name(sub)) in {
            "format_exc",
            "format_exception",
        }:
            return True
    return mentions(node, name)


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
    reported: their messages are usually written for the client.

    ## References
    - [CWE-209](https://cwe.mitre.org/data/definitions/209.html)
    """

    id = "FA109"
    slug = "exception-detail-leak"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    cwe = 209

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for node in ctx.nodes:
            if not isinstance(node, ast.ExceptHandler) or node.name is None:
                continue
            if not _caught(node) & (BROAD | DATABASE):
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
                    if _leaks(payload, node.name):
                        yield self.finding(
                            ctx,
                            call,
                            f"the text of a caught `{', '.join(sorted(_caught(node)))}` is sent "
                            "to the client",
                            "log the exception and answer with a fixed message (and a "
                            "request id to find the log)",
                        )
