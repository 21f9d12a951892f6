"""FA601: an LLM client or call that can wait for minutes, or forever."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.codebase.syntax import keyword
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._ai import LlmCall, client_class, llm_calls, uses_llm
from fastapi_architect.review.rules._helpers import request_path_functions, value_of

FIX = (
    "pass `timeout=` sized to what the request can wait (e.g. "
    "`timeout=httpx.Timeout(60, connect=5)`), on the client or with "
    "`client.with_options(timeout=...)`"
)


def _is_none(ctx: FileContext, node: ast.expr | None, at: ast.AST) -> bool:
    if node is None:
        return False
    value = value_of(ctx, node, at)
    return isinstance(value, ast.Constant) and value.value is None


class LlmCallWithoutTimeout(Rule):
    """## What it does
    Reports an `openai` or `anthropic` client (`OpenAI`, `AsyncOpenAI`, `AzureOpenAI`,
    `Anthropic`, `AsyncAnthropic`, ...) built without `timeout=` in an application that
    serves routes, unless every call the file makes on it sets a timeout (on the call or
    with `.with_options(timeout=...)`); a client or call given `timeout=None`; and, in a
    route handler, a route dependency or a function one of them calls directly, a
    `litellm.completion`/`acompletion` call without `timeout=`.

    A client left at the SDK's default is a warning when the same file bounds another
    client or call (the project sizes its timeouts and this one was missed); otherwise it
    is information, since the default is a bound, if a long one, and long generations
    may be what the project wants.

    ## Why is this bad?
    The `openai` and `anthropic` SDKs wait 10 minutes for a response by default and retry
    twice: a stalled provider holds the request, its worker and its connection for up to
    half an hour while the client has long given up. `litellm` waits 6000 seconds by
    default. `timeout=None` removes the bound altogether. A bound sized to the endpoint
    turns a stalled upstream into a quick, handled error.

    ## Example
    ```python
    from fastapi import FastAPI
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI()

    @app.post("/summaries")
    async def summarize(text: str) -> dict:
        response = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=300
        )
        return {"summary": response.choices[0].message.content}
    ```

    ## Use instead
    ```python
    import httpx
    from fastapi import FastAPI
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=httpx.Timeout(30, connect=5), max_retries=1)

    @app.post("/summaries")
    async def summarize(text: str) -> dict:
        response = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": text}], max_tokens=300
        )
        return {"summary": response.choices[0].message.content}
    ```

    ## Known problems
    A client is followed only within its file: one built in a factory and used elsewhere
    is reported at its construction even when every caller passes a timeout (suppress it
    there with the reason). A client given `http_client=` or `**kwargs` is assumed to carry
    its timeout (the SDKs take the timeout of a custom `httpx` client). Long generations
    (reasoning models, large outputs) may need minutes: the rule asks for an explicit,
    deliberate bound, not a short one. `litellm.request_timeout = ...` set in the same file
    counts as a timeout for its calls; one set elsewhere is not seen. A client built in a
    script (a file with `if __name__ == "__main__":`) is not reported. LangChain and
    pydantic-ai models are not checked.

    ## References
    - [openai-python: Timeouts](https://github.com/openai/openai-python#timeouts)
    - [anthropic-sdk-python: Timeouts](https://github.com/anthropics/anthropic-sdk-python#timeouts)
    - [LiteLLM: Timeouts](https://docs.litellm.ai/docs/completion/reliable_completions)
    - [CWE-400](https://cwe.mitre.org/data/definitions/400.html)
    """

    id = "FA601"
    slug = "llm-call-without-timeout"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 400

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not uses_llm(ctx):
            return
        calls = list(llm_calls(ctx))
        serves = bool(ctx.index.routes)
        script = _is_script(ctx)
        # The file bounds some client or call: one left at the default is an oversight.
        bounded = any(
            client_class(ctx, n) is not None and keyword(n, "timeout") is not None
            for n in ctx.of(ast.Call)
        ) or any(_covered(ctx, c) and not c.passes_kwargs for c in calls)
        for node in ctx.of(ast.Call):
            provider = client_class(ctx, node)
            if provider is None or any(k.arg is None for k in node.keywords):
                continue
            if keyword(node, "http_client") is not None:
                continue
            timeout = keyword(node, "timeout")
            name = ast.unparse(node.func)
            if timeout is not None:
                if _is_none(ctx, timeout, node):
                    yield self.finding(
                        ctx,
                        node,
                        f"`{name}(timeout=None)` lets every call wait forever",
                        FIX,
                        confidence=Confidence.HIGH,
                    )
                continue
            if not serves or script:
                continue
            uses = [c for c in calls if c.client is not None and c.client.made is node]
            if uses and all(_covered(ctx, c) for c in uses):
                continue
            yield self.finding(
                ctx,
                node,
                f"`{name}()` is built without `timeout=`: each call on it waits up to "
                "10 minutes by default, and is retried twice",
                FIX,
                severity=None if bounded else Severity.INFO,
                confidence=None if bounded else Confidence.LOW,
            )
        for found in calls:
            timeout = keyword(found.call, "timeout")
            if _is_none(ctx, timeout, found.call):
                yield self.finding(
                    ctx,
                    found.call,
                    f"`{ast.unparse(found.call.func)}(timeout=None)` can wait forever",
                    FIX,
                    confidence=Confidence.HIGH,
                )
        yield from self._litellm(ctx, calls)

    def _litellm(self, ctx: FileContext, calls: list[LlmCall]) -> Iterator[Finding]:
        litellm = [c for c in calls if c.provider == "litellm"]
        if not litellm or _sets_default_timeout(ctx):
            return
        request_path = {id(fn) for fn in request_path_functions(ctx)}
        for found in litellm:
            if found.passes_kwargs or keyword(found.call, "timeout") is not None:
                continue
            if keyword(found.call, "request_timeout") is not None:
                continue
            if id(ctx.scope_of(found.call)) not in request_path:
                continue
            yield self.finding(
                ctx,
                found.call,
                f"`{ast.unparse(found.call.func)}()` has no `timeout=` (litellm waits "
                "6000 seconds by default) in a function a request runs",
                "pass `timeout=` (seconds), or set `litellm.request_timeout` at start-up",
            )


def _sets_default_timeout(ctx: FileContext) -> bool:
    """`litellm.request_timeout = 30` in the file."""
    for node in ctx.of(ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Attribute) and target.attr == "request_timeout":
                return True
    return False


def _covered(ctx: FileContext, found: LlmCall) -> bool:
    """The call sets a timeout itself or through `.with_options(timeout=...)`."""
    timeout = found.keyword("timeout")
    return found.passes_kwargs or (timeout is not None and not _is_none(ctx, timeout, found.call))


def _is_script(ctx: FileContext) -> bool:
    """A file run as a script: `if __name__ == "__main__":` at module level."""
    for stmt in ctx.tree.body:
        if isinstance(stmt, ast.If) and "__main__" in ast.unparse(stmt.test):
            return True
    return False
