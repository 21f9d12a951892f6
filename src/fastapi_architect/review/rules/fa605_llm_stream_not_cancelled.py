"""FA605: a streamed response relaying a model stream that nothing closes."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import dotted, keyword, last_name, walk
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._ai import LlmCall, llm_call, uses_llm
from fastapi_architect.review.rules._helpers import FunctionNode, imported_name, value_of, walk_body

RESPONSES = frozenset({"StreamingResponse", "EventSourceResponse"})
RESPONSE_LIBRARIES = ("fastapi", "starlette", "sse_starlette")
CLOSERS = frozenset({"close", "aclose", "cancel"})


def _stream_call(ctx: FileContext, node: ast.expr | None, at: ast.AST) -> LlmCall | None:
    """The streaming model call `node` holds (one assignment back)."""
    if node is None:
        return None
    value = value_of(ctx, node, at)
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return None
    found = llm_call(ctx, value)
    return found if found is not None and found.streams and found.method != "stream" else None


class LlmStreamNotCancelled(Rule):
    """## What it does
    Reports the loop of a generator given to `StreamingResponse` or `EventSourceResponse`
    (sse-starlette) that iterates a model stream (`openai`/`anthropic`/`litellm` with
    `stream=True`, created in the generator or passed to it) when the generator neither
    iterates it inside a `with`/`async with` block, nor closes it in a `finally` (or an
    `except` clause), nor checks `await request.is_disconnected()`.

    ## Why is this bad?
    When the client goes away, the server stops sending but nothing stops the model: the
    upstream connection stays open until the abandoned generator and the stream it holds
    are garbage-collected, and the provider goes on generating (and billing) tokens nobody
    reads. Closing the stream closes the connection, which makes the provider stop.

    ## Example
    ```python
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=30)

    @app.post("/chat")
    async def chat(question: str) -> StreamingResponse:
        async def tokens():
            stream = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": question}],
                max_tokens=500,
                stream=True,
            )
            async for chunk in stream:
                yield chunk.choices[0].delta.content or ""

        return StreamingResponse(tokens(), media_type="text/plain")
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from fastapi.responses import StreamingResponse
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=30)

    @app.post("/chat")
    async def chat(question: str) -> StreamingResponse:
        async def tokens():
            stream = await client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": question}],
                max_tokens=500,
                stream=True,
            )
            async with stream:
                async for chunk in stream:
                    yield chunk.choices[0].delta.content or ""

        return StreamingResponse(tokens(), media_type="text/plain")
    ```

    ## Known problems
    Only a generator defined in the same file and called in the response's argument
    (directly or through one assignment) is read. CPython often closes an abandoned
    stream soon, when the last reference to the generator goes; the rule asks for a close
    that does not depend on when that happens, so it reports with low confidence. Any
    `finally`, or `except` clause that closes something, counts as closing the stream.
    The SDKs' `.stream(...)` helpers are context managers and are never reported.

    ## References
    - [Starlette: StreamingResponse](https://www.starlette.io/responses/#streamingresponse)
    - [openai-python: Streaming responses](https://github.com/openai/openai-python#streaming-responses)
    - [sse-starlette: client disconnection](https://github.com/sysid/sse-starlette)
    - [CWE-404](https://cwe.mitre.org/data/definitions/404.html)
    """

    id = "FA605"
    slug = "llm-stream-not-cancelled"
    severity = Severity.WARNING
    confidence = Confidence.LOW
    cwe = 404

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not uses_llm(ctx):
            return
        done: set[int] = set()
        for node in ctx.of(ast.Call):
            if not self._is_response(ctx, node):
                continue
            content = node.args[0] if node.args else keyword(node, "content")
            if content is None:
                continue
            made = value_of(ctx, content, node)
            if not isinstance(made, ast.Call) or not isinstance(made.func, ast.Name):
                continue
            generator = self._function(ctx, made.func.id, node)
            if generator is None or id(generator) in done:
                continue
            done.add(id(generator))
            if self._mitigated(generator):
                continue
            for loop in walk_body(generator):
                if not isinstance(loop, ast.For | ast.AsyncFor):
                    continue
                stream = self._stream(ctx, loop.iter, generator, made)
                if stream is None or self._in_with(generator, loop, loop.iter):
                    continue
                yield self.finding(
                    ctx,
                    loop,
                    f"`{generator.name}` relays a model stream to a streamed response but "
                    "never closes it: when the client leaves, the generation goes on",
                    "iterate inside `async with stream:` (or close it in `finally:`), or "
                    "stop when `await request.is_disconnected()`",
                )

    @staticmethod
    def _is_response(ctx: FileContext, call: ast.Call) -> bool:
        for library in RESPONSE_LIBRARIES:
            name = imported_name(ctx, call, library)
            if name is not None and last_name(name) in RESPONSES:
                return True
        return False

    @staticmethod
    def _function(ctx: FileContext, name: str, at: ast.AST) -> FunctionNode | None:
        """The function of that name nested in the scope of `at`, else at module level."""
        scope = ctx.scope_of(at)
        for candidate in (scope, ctx.tree):
            for node in walk_body(candidate) if candidate is not ctx.tree else ctx.tree.body:
                if isinstance(node, FunctionNode) and node.name == name:
                    return node
        return None

    @staticmethod
    def _stream(
        ctx: FileContext, node: ast.expr, generator: FunctionNode, made: ast.Call
    ) -> LlmCall | None:
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call):
            return _stream_call(ctx, node, node)
        if not isinstance(node, ast.Name):
            return None
        found = _stream_call(ctx, node, node)
        if found is not None:
            return found
        params = [*generator.args.posonlyargs, *generator.args.args]
        for param, arg in zip(params, made.args, strict=False):
            if param.arg == node.id:
                return _stream_call(ctx, arg, made)
        for kw in made.keywords:
            if kw.arg == node.id:
                return _stream_call(ctx, kw.value, made)
        return None

    @staticmethod
    def _mitigated(generator: FunctionNode) -> bool:
        """A `finally`, a closing `except`, or a disconnection check."""
        for node in walk_body(generator):
            if isinstance(node, ast.Try | ast.TryStar):
                if node.finalbody:
                    return True
                for handler in node.handlers:
                    if any(
                        isinstance(n, ast.Call)
                        and isinstance(n.func, ast.Attribute)
                        and n.func.attr in CLOSERS
                        for h in handler.body
                        for n in walk(h)
                    ):
                        return True
            if isinstance(node, ast.Call) and last_name(dotted(node.func)) == "is_disconnected":
                return True
        return False

    @staticmethod
    def _in_with(generator: FunctionNode, loop: ast.AST, iterated: ast.expr) -> bool:
        """The loop runs inside a `with` over the stream (or over `aclosing(stream)`)."""
        target = iterated.value if isinstance(iterated, ast.Await) else iterated
        for node in walk_body(generator):
            if not isinstance(node, ast.With | ast.AsyncWith):
                continue
            if not any(loop is sub for stmt in node.body for sub in walk(stmt)):
                continue
            for item in node.items:
                if isinstance(target, ast.Name) and any(
                    isinstance(n, ast.Name) and n.id == target.id for n in walk(item.context_expr)
                ):
                    return True
                if (
                    isinstance(item.optional_vars, ast.Name)
                    and isinstance(target, ast.Name)
                    and item.optional_vars.id == target.id
                ):
                    return True
        return False
