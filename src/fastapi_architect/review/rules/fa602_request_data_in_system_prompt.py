"""FA602: data from the request formatted into a model's system prompt."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import IntEnum

from fastapi_architect.codebase.syntax import dotted, keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._ai import assignments, llm_calls, propagate, uses_llm
from fastapi_architect.review.rules._helpers import (
    FunctionNode,
    imported_name,
    value_of,
    walk_body,
)
from fastapi_architect.review.rules._values import Origin, annotation_origin, is_route_handler

SYSTEM_ROLES = frozenset({"system", "developer"})
# Parameters FastAPI fills itself: not data a client sends as such.
FRAMEWORK_TYPES = frozenset(
    {
        "Request",
        "WebSocket",
        "HTTPConnection",
        "Response",
        "BackgroundTasks",
        "Session",
        "AsyncSession",
        "SecurityScopes",
        "UploadFile",
    }
)
REQUEST_TYPES = frozenset({"Request", "WebSocket", "HTTPConnection"})
REQUEST_PARTS = frozenset(
    {"query_params", "path_params", "headers", "cookies", "form", "json", "body"}
)
# Calls that keep text what it was.
KEEPING = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "capitalize",
        "replace",
        "get",
        "str",
        "join",
        "format",
        "loads",
        "dumps",
        "model_dump",
        "model_dump_json",
        "dict",
        "json",
    }
)
# Calls that fetch one row: `session.get(Doc, id)`, `result.scalar_one()`, `.first()`.
ROW_CALLS = frozenset(
    {
        "first",
        "one",
        "one_or_none",
        "scalar",
        "scalar_one",
        "scalar_one_or_none",
        "fetchone",
        "fetchrow",
        "get_or_404",
        "first_or_404",
    }
)
LANGCHAIN_SYSTEM = frozenset({"SystemMessage", "SystemMessagePromptTemplate"})


class Taint(IntEnum):
    NONE = 0
    ROW = 1  # a field of a row the handler fetched: stored data
    PASSED = 2  # a parameter a handler of the file passes request data to
    INPUT = 3  # request data in the handler itself


class _Tracker:
    """What the names of one function carry."""

    def __init__(
        self, ctx: FileContext, fn: FunctionNode, seeds: dict[str, Taint], parent: _Tracker | None
    ) -> None:
        self.ctx = ctx
        self.fn = fn
        self.parent = parent
        self.names = dict(seeds)
        self.requests: set[str] = set()
        args = fn.args
        self.params = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            kind = _annotation_name(arg.annotation)
            if kind in REQUEST_TYPES or (kind == "" and arg.arg in {"request", "req"}):
                self.requests.add(arg.arg)
        steps = assignments(fn)
        self.local: set[str] = set(self.params) | {name for name, _ in steps}
        propagate(steps, self.names, self.taint, Taint.NONE)

    def taint(self, node: ast.expr, depth: int = 0) -> Taint:
        if depth > 8:
            return Taint.NONE
        if isinstance(node, ast.Await):
            return self.taint(node.value, depth + 1)
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id not in self.local and self.parent is not None:
                return self.parent.taint(node, depth + 1)
            return Taint.NONE
        if self._request_data(node):
            return Taint.INPUT
        if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
            return self.taint(node.value, depth + 1)
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            return max((self.taint(p, depth + 1) for p in parts), default=Taint.NONE)
        if isinstance(node, ast.BinOp):
            return max(self.taint(node.left, depth + 1), self.taint(node.right, depth + 1))
        if isinstance(node, ast.IfExp):
            return max(self.taint(node.body, depth + 1), self.taint(node.orelse, depth + 1))
        if isinstance(node, ast.BoolOp):
            return max(self.taint(v, depth + 1) for v in node.values)
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            return max((self.taint(e, depth + 1) for e in node.elts), default=Taint.NONE)
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in ROW_CALLS or _fetches_row(node):
                return Taint.ROW
            if name not in KEEPING:
                return Taint.NONE
            inputs = list(node.args)
            if isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                inputs = [receiver] if name == "get" else [receiver, *inputs]
            return max((self.taint(a, depth + 1) for a in inputs), default=Taint.NONE)
        return Taint.NONE

    def _request_data(self, node: ast.expr) -> bool:
        """`request.query_params[...]`, `await request.json()`, `request.headers`."""
        if isinstance(node, ast.Call):
            node = node.func
        return (
            isinstance(node, ast.Attribute)
            and node.attr in REQUEST_PARTS
            and isinstance(node.value, ast.Name)
            and node.value.id in self.requests
        )


def _fetches_row(call: ast.Call) -> bool:
    """`session.get(Model, id)`/`db.get(Model, id)`: a class and a key."""
    return (
        isinstance(call.func, ast.Attribute)
        and call.func.attr == "get"
        and len(call.args) == 2
        and isinstance(call.args[0], ast.Name)
        and call.args[0].id[:1].isupper()
    )


def _annotation_name(annotation: ast.expr | None) -> str:
    if annotation is None:
        return ""
    if isinstance(annotation, ast.Subscript) and last_name(dotted(annotation.value)) == "Annotated":
        inner = annotation.slice
        annotation = inner.elts[0] if isinstance(inner, ast.Tuple) else inner
    return last_name(dotted(annotation) or "")


def interpolated(node: ast.expr) -> list[ast.expr]:
    """The values formatted into a built string: f-string placeholders, `%` operands,
    `+` operands and `.format()` arguments; empty for anything else."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        out: list[ast.expr] = []
        for side in (node.left, node.right):
            if isinstance(side, ast.JoinedStr | ast.BinOp):
                out += interpolated(side)
            elif not isinstance(side, ast.Constant):
                out.append(side)
        has_text = any(
            isinstance(s, ast.Constant | ast.JoinedStr | ast.BinOp) for s in (node.left, node.right)
        )
        return out if has_text else []
    if (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
    ):
        right = node.right
        if isinstance(right, ast.Tuple):
            return list(right.elts)
        if isinstance(right, ast.Dict):
            return list(right.values)
        return [right]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return [*node.args, *(k.value for k in node.keywords)]
    return []


class RequestDataInSystemPrompt(Rule):
    """## What it does
    Reports data from the request formatted (f-string, `.format()`, `+`, `%`) into a
    system prompt: the `content` of a message whose role is `system` or `developer`,
    `system=` of an `anthropic` `messages.create`/`stream` call, `instructions=` of an
    `openai` `responses.create` call, or a LangChain `SystemMessage`. Request data is a
    parameter of the route handler that a client fills (a path, query or body parameter,
    a field of the body model), `request.query_params`, `request.headers`,
    `await request.json()` and values copied or formatted from them.

    ## Why is this bad?
    Models give the system prompt more authority than the conversation: it holds the
    instructions, the rules and often the data the user may not see. Text a client
    writes into it can override those instructions ("ignore the rules above and ...") or
    pull out what it holds: prompt injection (CWE-1427, LLM01 in the OWASP LLM Top 10).
    In the user message the same text is at least marked as the user's.

    ## Example
    ```python
    from fastapi import FastAPI
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=30)

    @app.post("/support")
    async def support(product: str, question: str) -> dict:
        response = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[
                {"role": "system", "content": f"You answer questions about {product}."},
                {"role": "user", "content": question},
            ],
            max_tokens=500,
        )
        return {"answer": response.choices[0].message.content}
    ```

    ## Use instead
    ```python
    from typing import Literal

    from fastapi import FastAPI
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=30)

    @app.post("/support")
    async def support(product: Literal["router", "modem"], question: str) -> dict:
        response = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[
                {"role": "system", "content": f"You answer questions about our {product}."},
                {"role": "user", "content": question},
            ],
            max_tokens=500,
        )
        return {"answer": response.choices[0].message.content}
    ```

    ## Known problems
    Request data in the handler itself is an error. Request data a handler of the same
    file passes to a function that builds the prompt is a warning with medium
    confidence, and a field of a row the handler fetched (`session.get(Doc, id)`,
    `.first()`, `.scalar_one()`: stored data, which another user may have written) a
    warning with low confidence. Parameters typed as numbers, dates, UUIDs, booleans,
    `Literal` or an Enum cannot carry instructions and are not reported, nor are the
    dependencies (`Depends`) or values that went through a function the rule cannot see
    (retrieval, validation). A system prompt that the client sends whole (an
    OpenAI-compatible proxy) is the API's contract and is not reported; only
    interpolation is. Messages built in another file are not seen.

    ## References
    - [OWASP Top 10 for LLM Applications: LLM01 Prompt Injection](https://genai.owasp.org/llmrisk/llm01-prompt-injection/)
    - [OWASP LLM Prompt Injection Prevention Cheat Sheet](https://cheatsheetseries.owasp.org/cheatsheets/LLM_Prompt_Injection_Prevention_Cheat_Sheet.html)
    - [CWE-1427](https://cwe.mitre.org/data/definitions/1427.html)
    """

    id = "FA602"
    slug = "request-data-in-system-prompt"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 1427

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not uses_llm(ctx) or not ctx.routes:
            return
        trackers = self._trackers(ctx)
        if not trackers:
            return
        reported: set[int] = set()
        for prompt in self._prompts(ctx):
            scope = ctx.scope_of(prompt)
            tracker = trackers.get(id(scope))
            if tracker is None:
                continue
            built = value_of(ctx, prompt, prompt)
            if id(built) in reported:
                continue
            parts = [(p, tracker.taint(p)) for p in interpolated(built)]
            worst = max((t for _, t in parts), default=Taint.NONE)
            if worst is Taint.NONE:
                continue
            reported.add(id(built))
            culprit = ast.unparse(next(p for p, t in parts if t is worst))
            if worst is Taint.INPUT:
                yield self.finding(
                    ctx,
                    built,
                    f"request data `{culprit}` is formatted into the system prompt",
                    FIX,
                )
            elif worst is Taint.PASSED:
                yield self.finding(
                    ctx,
                    built,
                    f"`{culprit}`, which a route handler fills from the request, is "
                    "formatted into the system prompt",
                    FIX,
                    severity=Severity.WARNING,
                    confidence=Confidence.MEDIUM,
                )
            else:
                yield self.finding(
                    ctx,
                    built,
                    f"`{culprit}`, a field of a row fetched while serving the request, is "
                    "formatted into the system prompt; check that no client wrote it",
                    FIX,
                    severity=Severity.WARNING,
                    confidence=Confidence.LOW,
                )

    def _trackers(self, ctx: FileContext) -> dict[int, _Tracker]:
        """Trackers of the handlers, the functions nested in them, and the functions of
        the file a handler passes request data to."""
        out: dict[int, _Tracker] = {}
        by_name: dict[str, FunctionNode] = {}
        for stmt in ctx.tree.body:
            if isinstance(stmt, FunctionNode):
                by_name[stmt.name] = stmt
        passed: dict[int, dict[str, Taint]] = {}
        handlers = [fn for fn in ctx.functions().values() if is_route_handler(ctx, fn)]
        for fn in handlers:
            tracker = _Tracker(ctx, fn, self._seeds(ctx, fn), None)
            out[id(fn)] = tracker
            self._nested(ctx, fn, tracker, out)
            for node in walk_body(fn):
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                    continue
                callee = by_name.get(node.func.id)
                if callee is None or callee is fn or is_route_handler(ctx, callee):
                    continue
                params = [*callee.args.posonlyargs, *callee.args.args]
                seeds = passed.setdefault(id(callee), {})
                pairs = list(zip(params, node.args, strict=False))
                pairs += [(a, k.value) for k in node.keywords for a in params if a.arg == k.arg]
                pairs += [
                    (a, k.value)
                    for k in node.keywords
                    for a in callee.args.kwonlyargs
                    if a.arg == k.arg
                ]
                for param, arg in pairs:
                    if tracker.taint(arg) is Taint.INPUT and not _safe(ctx, param):
                        seeds[param.arg] = Taint.PASSED
        for stmt in ctx.tree.body:
            if isinstance(stmt, FunctionNode) and passed.get(id(stmt)) and id(stmt) not in out:
                tracker = _Tracker(ctx, stmt, passed[id(stmt)], None)
                out[id(stmt)] = tracker
                self._nested(ctx, stmt, tracker, out)
        return out

    def _nested(
        self, ctx: FileContext, fn: ast.AST, parent: _Tracker, out: dict[int, _Tracker]
    ) -> None:
        for node in walk_body(fn):
            if isinstance(node, FunctionNode) and id(node) not in out:
                tracker = _Tracker(ctx, node, {}, parent)
                out[id(node)] = tracker
                self._nested(ctx, node, tracker, out)

    @staticmethod
    def _seeds(ctx: FileContext, fn: FunctionNode) -> dict[str, Taint]:
        """The handler's parameters a client fills."""
        route = next(r for r in ctx.routes if r.fact.line == fn.lineno)
        facts = {p.name: p for p in route.fact.params}
        seeds: dict[str, Taint] = {}
        for arg in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]:
            fact = facts.get(arg.arg)
            if fact is not None and ctx.index.param_dep(fact) is not None:
                continue
            if _safe(ctx, arg) or _annotation_name(arg.annotation) in FRAMEWORK_TYPES:
                continue
            if arg.arg in {"self", "cls", "request", "req"}:
                continue
            if _default_is_dependency(fn, arg):
                continue
            seeds[arg.arg] = Taint.INPUT
        return seeds

    @staticmethod
    def _prompts(ctx: FileContext) -> Iterator[ast.expr]:
        """The expressions that become a system prompt."""
        for node in ctx.of(ast.Dict, ast.Call):
            if isinstance(node, ast.Dict):
                role = content = None
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "role":
                        role = value
                    elif isinstance(key, ast.Constant) and key.value == "content":
                        content = value
                if (
                    content is not None
                    and isinstance(role, ast.Constant)
                    and role.value in SYSTEM_ROLES
                ):
                    yield content
            elif (
                isinstance(node, ast.Call)
                and last_name(dotted(node.func)) in LANGCHAIN_SYSTEM
                and (
                    imported_name(ctx, node, "langchain_core")
                    or imported_name(ctx, node, "langchain")
                )
            ):
                content = keyword(node, "content") or (node.args[0] if node.args else None)
                if content is not None:
                    yield content
        for found in llm_calls(ctx):
            if found.api == "messages":
                system = keyword(found.call, "system")
                if system is not None:
                    yield system
            elif found.api == "responses":
                instructions = keyword(found.call, "instructions")
                if instructions is not None:
                    yield instructions


FIX = (
    "keep the system prompt constant: put the client's text in a `user` message (delimited, "
    "as data), or map it to one of a fixed set of values (a `Literal`/Enum parameter)"
)


def _safe(ctx: FileContext, arg: ast.arg) -> bool:
    return annotation_origin(ctx, arg.annotation) is Origin.SAFE


def _default_is_dependency(fn: FunctionNode, arg: ast.arg) -> bool:
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr] = {
        a.arg: d
        for a, d in zip(
            positional[len(positional) - len(args.defaults) :], args.defaults, strict=True
        )
    }
    defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
    default = defaults.get(arg.arg)
    return isinstance(default, ast.Call) and last_name(dotted(default.func)) in {
        "Depends",
        "Security",
    }


def _call_name(call: ast.Call) -> str:
    """The last name of the called function or method (`strip` of `a[0].b.strip()`)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""
