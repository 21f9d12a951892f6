"""FA603: a model call with no bound on the length of its output."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._ai import OUTPUT_BOUNDS, llm_calls, uses_llm
from fastapi_architect.review.rules._helpers import request_path_functions


class LlmOutputUnbounded(Rule):
    """## What it does
    Reports, in a route handler, a route dependency or a function one of them calls
    directly, an `openai` chat or responses call (`client.chat.completions.create`,
    `client.responses.create`, their `parse`/`stream` forms) or a
    `litellm.completion`/`acompletion` call that sets no bound on the output:
    no `max_tokens`, `max_completion_tokens` or `max_output_tokens`.

    ## Why is this bad?
    Without a bound the model writes until it stops or reaches the model's own output
    limit, which is tens of thousands of tokens for current models. A prompt crafted by a
    client ("repeat this forever") turns one request into the most expensive and slowest
    answer the model can give, and a few of them run up cost and hold workers
    (CWE-770, unbounded consumption in the OWASP LLM Top 10). Anthropic's API requires
    `max_tokens`, so its calls are never reported.

    ## Example
    ```python
    from fastapi import FastAPI
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=30)

    @app.post("/answers")
    async def answer(question: str) -> dict:
        response = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
        )
        return {"answer": response.choices[0].message.content}
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from openai import AsyncOpenAI

    app = FastAPI()
    client = AsyncOpenAI(timeout=30)

    @app.post("/answers")
    async def answer(question: str) -> dict:
        response = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": question}],
            max_completion_tokens=500,
        )
        return {"answer": response.choices[0].message.content}
    ```

    ## Known problems
    Only code a request runs is checked (handlers, route dependencies and the functions
    they call by name, not methods of objects); background jobs and scripts are left
    alone. A call passing `**kwargs` is assumed to carry a bound. A bound set by a proxy
    or gateway (LiteLLM proxy, a provider-side limit) is not seen.

    ## References
    - [OpenAI API: max_completion_tokens](https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens)
    - [OWASP Top 10 for LLM Applications: LLM10 Unbounded Consumption](https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/)
    - [CWE-770](https://cwe.mitre.org/data/definitions/770.html)
    """

    id = "FA603"
    slug = "llm-output-unbounded"
    severity = Severity.WARNING
    confidence = Confidence.MEDIUM
    cwe = 770

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        if not uses_llm(ctx):
            return
        request_path = {id(fn) for fn in request_path_functions(ctx)}
        if not request_path:
            return
        for found in llm_calls(ctx):
            if found.provider == "anthropic" or found.passes_kwargs:
                continue
            if any(found.keyword(name) is not None for name in OUTPUT_BOUNDS):
                continue
            if id(ctx.scope_of(found.call)) not in request_path:
                continue
            yield self.finding(
                ctx,
                found.call,
                f"`{ast.unparse(found.call.func)}()` sets no `max_tokens`/"
                "`max_completion_tokens`: a client's prompt decides how long (and how "
                "costly) the answer is",
                "pass `max_completion_tokens=` (chat), `max_output_tokens=` (responses) or "
                "`max_tokens=` (litellm) sized to what the endpoint returns",
            )
