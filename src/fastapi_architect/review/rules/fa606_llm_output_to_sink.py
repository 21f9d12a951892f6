"""FA606: text a model wrote, run as code, shell or SQL."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from enum import IntEnum

from fastapi_architect.codebase.syntax import is_true, keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._ai import assignments, llm_call, propagate, uses_llm
from fastapi_architect.review.rules._helpers import imported_name, value_of

# Parts of a response that hold what the model wrote.
TEXT_PARTS = frozenset({"content", "text", "output_text", "arguments"})
# Calls that keep the text what it was: string methods, parsing, conversion.
KEEPING = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "removeprefix",
        "removesuffix",
        "lower",
        "upper",
        "split",
        "splitlines",
        "partition",
        "rpartition",
        "format",
        "join",
        "get",
        "loads",
        "str",
        "dedent",
    }
)
SUBPROCESS = frozenset(
    {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"}
)
SHELL_ALWAYS = frozenset({"getoutput", "getstatusoutput"})
SQL_SINKS = frozenset(
    {"execute", "executemany", "executescript", "exec_driver_sql", "fetch", "fetchrow", "fetchval"}
)


class Flow(IntEnum):
    NONE = 0
    DERIVED = 1  # passed through a function the rule cannot see
    DIRECT = 2


class _Tracker:
    """Which names of one function hold model output."""

    def __init__(self, ctx: FileContext, fn: ast.AST) -> None:
        self.ctx = ctx
        self.fn = fn
        self.names: dict[str, Flow] = {}
        propagate(assignments(fn), self.names, self.flow, Flow.NONE)

    def flow(self, node: ast.expr, depth: int = 0) -> Flow:
        if depth > 8:
            return Flow.NONE
        if isinstance(node, ast.Await):
            return self.flow(node.value, depth + 1)
        if self.is_output(node):
            return Flow.DIRECT
        if isinstance(node, ast.Name):
            return self.names.get(node.id, Flow.NONE)
        if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
            return self.flow(node.value, depth + 1)
        if isinstance(node, ast.JoinedStr):
            parts = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
            return max((self.flow(p, depth + 1) for p in parts), default=Flow.NONE)
        if isinstance(node, ast.BinOp):
            return max(self.flow(node.left, depth + 1), self.flow(node.right, depth + 1))
        if isinstance(node, ast.IfExp):
            return max(self.flow(node.body, depth + 1), self.flow(node.orelse, depth + 1))
        if isinstance(node, ast.BoolOp):
            return max(self.flow(v, depth + 1) for v in node.values)
        if isinstance(node, ast.List | ast.Tuple):
            return max((self.flow(e, depth + 1) for e in node.elts), default=Flow.NONE)
        if isinstance(node, ast.Call):
            name = _call_name(node)
            inputs = list(node.args)
            if isinstance(node.func, ast.Attribute):
                receiver = node.func.value
                inputs = (
                    [receiver] if name in {"get", "split", "partition"} else [receiver, *inputs]
                )
            flow = max((self.flow(a, depth + 1) for a in inputs), default=Flow.NONE)
            if name in KEEPING:
                return flow
            return min(flow, Flow.DERIVED)
        return Flow.NONE

    def is_output(self, node: ast.expr) -> bool:
        """`r.choices[0].message.content`, `r.output_text`, `r.content[0].text`,
        `r["choices"][0]["message"]["content"]` of a model call `r`."""
        parts: list[str] = []
        value = node
        for _ in range(4):
            while isinstance(value, ast.Attribute | ast.Subscript):
                if isinstance(value, ast.Attribute):
                    parts.append(value.attr)
                elif isinstance(value.slice, ast.Constant) and isinstance(value.slice.value, str):
                    parts.append(value.slice.value)
                value = value.value
            if isinstance(value, ast.Await):
                value = value.value
            if not isinstance(value, ast.Name):
                break
            assigned = value_of(self.ctx, value, value)
            if assigned is value:
                return False
            value = assigned
        if not parts or parts[0] not in TEXT_PARTS or not isinstance(value, ast.Call):
            return False
        found = llm_call(self.ctx, value)
        return found is not None and not found.streams


class LlmOutputToSink(Rule):
    """## What it does
    Reports text written by a model (`response.choices[0].message.content`,
    `response.output_text`, `message.content[0].text`, a tool call's `arguments`, or
    litellm's `response["choices"][0]["message"]["content"]`, followed through the
    assignments of its function) passed to `eval`/`exec`, to a shell (`os.system`,
    `os.popen`, `subprocess` with `shell=True` or a command string, or as the program of
    an argument list), or run as SQL (`text(...)`, `.execute(...)` and similar, as the
    statement itself or formatted into it). The response must come from an `openai`,
    `anthropic` or `litellm` call.

    ## Why is this bad?
    A model's output is as trustworthy as its input: a prompt, a document or a web page
    it was shown can make it write any code, command or statement (prompt injection). Run
    as-is, that text executes with the server's rights: code injection (CWE-94), OS
    command injection (CWE-78) or SQL injection (CWE-89), the "improper output handling"
    of the OWASP LLM Top 10.

    ## Example
    ```python
    from fastapi import FastAPI
    from openai import OpenAI
    from sqlalchemy import text

    app = FastAPI()
    client = OpenAI(timeout=30)

    @app.post("/ask-db")
    def ask_db(question: str, db) -> list:
        response = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": f"Write SQL for: {question}"}],
            max_tokens=200,
        )
        sql = response.choices[0].message.content.strip()
        return db.execute(text(sql)).all()
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from openai import OpenAI
    from pydantic import BaseModel
    from sqlalchemy import select

    from app.models import Order

    app = FastAPI()
    client = OpenAI(timeout=30)

    class OrderFilter(BaseModel):
        status: str
        limit: int

    @app.post("/ask-db")
    def ask_db(question: str, db) -> list:
        response = client.chat.completions.parse(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
            response_format=OrderFilter,
            max_tokens=200,
        )
        wanted = response.choices[0].message.parsed
        query = select(Order).where(Order.status == wanted.status).limit(min(wanted.limit, 100))
        return db.execute(query).scalars().all()
    ```

    ## Known problems
    Output is followed inside one function only; output returned by a helper and run by
    its caller is not seen, nor streamed chunks. Output that goes through a function the
    rule cannot see (`sql = extract_sql(text)`) is still reported for `eval`, `exec` and
    the shell, with medium confidence (the function may validate it); for SQL only text
    passed on as-is, or through string methods, is reported. An intended code interpreter
    or text-to-SQL feature is reported too: run such text in a sandbox, or with a
    read-only database role, and suppress the finding with the reason.

    ## References
    - [OWASP Top 10 for LLM Applications: LLM05 Improper Output Handling](https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/)
    - [CWE-94](https://cwe.mitre.org/data/definitions/94.html)
    - [CWE-78](https://cwe.mitre.org/data/definitions/78.html)
    - [CWE-89](https://cwe.mitre.org/data/definitions/89.html)
    """

    id = "FA606"
    slug = "llm-output-to-sink"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 94

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not uses_llm(ctx):
            return
        trackers: dict[int, _Tracker] = {}
        for node in ctx.of(ast.Call):
            if not node.args:
                continue
            sink = self._sink(ctx, node)
            if sink is None:
                continue
            kind, arg = sink
            scope = ctx.scope_of(node)
            if id(scope) not in trackers:
                trackers[id(scope)] = _Tracker(ctx, scope)
            flow = trackers[id(scope)].flow(arg)
            if flow is Flow.NONE or (kind == "SQL" and flow is not Flow.DIRECT):
                continue
            yield self.finding(
                ctx,
                node,
                f"model output reaches `{ast.unparse(node.func)}()` and is run as {kind}",
                "never run model output: have the model fill a schema (structured output) "
                "and act on validated fields, or run it in a sandbox / read-only role",
                confidence=Confidence.HIGH if flow is Flow.DIRECT else Confidence.MEDIUM,
            )

    @staticmethod
    def _sink(ctx: FileContext, call: ast.Call) -> tuple[str, ast.expr] | None:
        """What `call` runs and the argument holding it."""
        first = call.args[0]
        func = call.func
        if isinstance(func, ast.Name) and func.id in {"eval", "exec"}:
            if func.id not in ctx.imports:
                return "code", first
            return None
        name = imported_name(ctx, call, "os")
        if name in {"os.system", "os.popen"}:
            return "a shell command", first
        name = imported_name(ctx, call, "asyncio")
        if name == "asyncio.create_subprocess_shell":
            return "a shell command", first
        if name == "asyncio.create_subprocess_exec":
            return "a command", first
        name = imported_name(ctx, call, "subprocess")
        if name is not None and last_name(name) in SUBPROCESS:
            if last_name(name) in SHELL_ALWAYS or is_true(keyword(call, "shell")):
                return "a shell command", first
            if isinstance(first, ast.List | ast.Tuple):
                return ("a command", first.elts[0]) if first.elts else None
            return "a command", first
        name = imported_name(ctx, call, "sqlalchemy")
        if name is not None and last_name(name) == "text":
            return "SQL", first
        if isinstance(func, ast.Attribute) and func.attr in SQL_SINKS:
            if isinstance(first, ast.Call) and imported_name(ctx, first, "sqlalchemy"):
                return None  # `text(...)` is checked itself
            return "SQL", first
        return None


def _call_name(call: ast.Call) -> str:
    """The last name of the called function or method (`strip` of `a[0].b.strip()`)."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""
