"""FA604: a model provider's API key written in the source."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from urllib.parse import urlparse

from fastapi_architect.codebase.syntax import keyword, last_name
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule
from fastapi_architect.review.rules._ai import client_class, llm_call, uses_llm
from fastapi_architect.review.rules._helpers import imported_name, value_of
from fastapi_architect.review.rules.fa105_hardcoded_secret import is_placeholder

# Key formats of the providers: OpenAI (project, service-account, admin and legacy user
# keys), Anthropic, OpenRouter, Groq, xAI, Google AI Studio.
KEY_SHAPE = re.compile(
    r"^(sk-(proj|svcacct|admin)-[A-Za-z0-9_-]{20,}"
    r"|sk-ant-(api|admin)\d\d-[A-Za-z0-9_-]{20,}"
    r"|sk-or-v1-[A-Za-z0-9]{32,}"
    r"|sk-[A-Za-z0-9]{32,}"
    r"|gsk_[A-Za-z0-9]{32,}"
    r"|xai-[A-Za-z0-9]{32,}"
    r"|AIza[A-Za-z0-9_-]{35})$"
)
# Values local OpenAI-compatible servers accept (vLLM, Ollama, LM Studio, llama.cpp...)
# and values that say they are not a key.
DUMMY_WORDS = frozenset(
    {
        "empty",
        "none",
        "null",
        "na",
        "dummy",
        "fake",
        "mock",
        "test",
        "placeholder",
        "ollama",
        "lm",
        "studio",
        "lmstudio",
        "vllm",
        "local",
        "localai",
        "llamacpp",
        "no",
        "not",
        "needed",
        "required",
        "unused",
        "key",
        "xxx",
        "sk",
        "your",
        "token",
        "anything",
        "abc",
    }
)
KEY_KEYWORDS = frozenset({"api_key", "openai_api_key", "anthropic_api_key"})
# Other model classes that take a key: LangChain chat models and pydantic-ai providers.
KEYED_LIBRARIES = ("langchain_openai", "langchain_anthropic", "pydantic_ai")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal"})
KEY_ATTRIBUTES = frozenset({"api_key"})
KEY_ENV = re.compile(r"^(OPENAI|ANTHROPIC|AZURE_OPENAI|OPENROUTER|GROQ|XAI|GEMINI)_API_KEY$")


def dummy_key(value: str) -> bool:
    """A value that is no key: empty, a placeholder, or what local servers accept."""
    text = value.strip()
    if not text or any(c.isspace() for c in text) or "..." in text or "xxx" in text.lower():
        return True
    if text.startswith(("<", "${", "$", "{")):
        return True
    words = [w for w in re.split(r"[-_.:/]+", text.lower()) if w]
    if all(w in DUMMY_WORDS for w in words):
        return True
    return is_placeholder(text)


def _literal(ctx: FileContext, node: ast.expr, at: ast.AST) -> ast.Constant | None:
    value = value_of(ctx, node, at)
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value
    return None


def _local_base_url(ctx: FileContext, call: ast.Call) -> bool:
    for name in ("base_url", "api_base", "openai_api_base", "azure_endpoint"):
        node = keyword(call, name)
        if node is None:
            continue
        value = _literal(ctx, node, call)
        if value is None:
            continue
        host = urlparse(str(value.value)).hostname or ""
        if host in LOCAL_HOSTS or host.endswith(".local"):
            return True
    return False


class LlmKeyLiteral(Rule):
    """## What it does
    Reports a model provider's API key written as a string literal: given as `api_key=`
    to an `openai` or `anthropic` client, to `litellm.completion`/`acompletion`, or to a
    LangChain chat model or pydantic-ai provider (directly or through a constant); assigned
    to `openai.api_key`/`litellm.api_key` or to `os.environ["OPENAI_API_KEY"]`; or any
    string in the source shaped like a provider key (`sk-proj-...`, `sk-ant-api03-...`,
    `sk-or-v1-...`, a legacy `sk-` key).

    ## Why is this bad?
    A key in the source is in every clone, fork, image and log of the repository.
    Leaked model keys are found by scanners within minutes and spent on someone else's
    traffic: the bill and the rate limits are yours (CWE-798).

    ## Example
    ```python
    from openai import AsyncOpenAI

    client = AsyncOpenAI(api_key="sk-proj-4fQ2x9LmN7pR3sT8vW1yZ6bC0dE5gH", timeout=30)
    ```

    ## Use instead
    ```python
    from openai import AsyncOpenAI

    client = AsyncOpenAI(timeout=30)  # reads OPENAI_API_KEY from the environment
    ```

    ## Known problems
    Placeholders are not reported: an empty string, values with `...`, `xxx`, `<...>` or
    `${...}`, words such as `EMPTY`, `dummy`, `not-needed`, `ollama`, `lm-studio`,
    `sk-no-key-required`, `your-api-key`, and values shorter than 12 characters that do
    not look like a key. A client whose `base_url` is a literal local address
    (`localhost`, `127.0.0.1`, `host.docker.internal`) talks to a local server that checks
    no key, and is not reported. Test files are skipped. `FA105 hardcoded-secret` may
    report the same literal when its name looks like a secret; this rule knows the
    provider's key formats and client calls.

    ## References
    - [OpenAI: Best practices for API key safety](https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety)
    - [CWE-798](https://cwe.mitre.org/data/definitions/798.html)
    """

    id = "FA604"
    slug = "llm-key-literal"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    cwe = 798

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        reported: set[int] = set()
        llm = uses_llm(ctx)
        for node in ctx.nodes:
            if llm and isinstance(node, ast.Call):
                where = self._keyed_call(ctx, node)
                if where is None:
                    continue
                for kw in node.keywords:
                    if kw.arg not in KEY_KEYWORDS:
                        continue
                    literal = _literal(ctx, kw.value, node)
                    if literal is None or id(literal) in reported:
                        continue
                    finding = self._report(ctx, literal, f"`{kw.arg}=` of `{where}`")
                    if finding is not None:
                        reported.add(id(literal))
                        yield finding
            elif llm and isinstance(node, ast.Assign):
                literal = _literal(ctx, node.value, node)
                if literal is None or id(literal) in reported:
                    continue
                where = next((w for t in node.targets if (w := self._key_target(ctx, t))), None)
                if where is None:
                    continue
                finding = self._report(ctx, literal, where)
                if finding is not None:
                    reported.add(id(literal))
                    yield finding
        for node in ctx.nodes:
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in reported
                and KEY_SHAPE.match(node.value)
                and not dummy_key(node.value)
            ):
                yield self.finding(
                    ctx,
                    node,
                    "a string shaped like a model provider's API key is written in the source",
                    "revoke the key, then read it from the environment or a secret store",
                )

    def _report(self, ctx: FileContext, literal: ast.Constant, where: str) -> Finding | None:
        value = str(literal.value)
        shaped = bool(KEY_SHAPE.match(value))
        if not shaped and (len(value) < 12 or dummy_key(value)):
            return None
        return self.finding(
            ctx,
            literal,
            f"an API key literal is given as {where}",
            "revoke the key, then read it from the environment or a secret store "
            "(the SDKs read `OPENAI_API_KEY`/`ANTHROPIC_API_KEY` themselves)",
            confidence=Confidence.HIGH if shaped else Confidence.MEDIUM,
        )

    @staticmethod
    def _keyed_call(ctx: FileContext, call: ast.Call) -> str | None:
        """The name of a client or call that takes a provider key, unless it talks to a
        local server."""
        name = None
        found = llm_call(ctx, call)
        if client_class(ctx, call) is not None or (
            found is not None and found.provider == "litellm"
        ):
            name = ast.unparse(call.func)
        else:
            for library in KEYED_LIBRARIES:
                qualified = imported_name(ctx, call, library)
                if qualified is not None and last_name(qualified)[:1].isupper():
                    name = ast.unparse(call.func)
        if name is None or _local_base_url(ctx, call):
            return None
        return name

    @staticmethod
    def _key_target(ctx: FileContext, target: ast.expr) -> str | None:
        """`openai.api_key`, `litellm.api_key`, `os.environ["OPENAI_API_KEY"]`."""
        if isinstance(target, ast.Attribute) and target.attr in KEY_ATTRIBUTES:
            for library in ("openai", "anthropic", "litellm"):
                if imported_name(ctx, target, library) is not None:
                    return f"`{ast.unparse(target)}`"
        if (
            isinstance(target, ast.Subscript)
            and imported_name(ctx, target.value, "os") == "os.environ"
            and isinstance(target.slice, ast.Constant)
            and isinstance(target.slice.value, str)
            and KEY_ENV.match(target.slice.value)
        ):
            return f"`{ast.unparse(target)}`"
        return None
