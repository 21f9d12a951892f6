"""Calls to LLM SDKs, resolved through the imports: shared by the FA6xx rules.

`llm_call()` says whether a call really goes to a model: `client.chat.completions.create`
and `client.responses.create` on an `openai` client, `client.messages.create/stream` on an
`anthropic` client, `litellm.completion/acompletion`, and the module-level
`openai.ChatCompletion.create` of `openai` before 1.0. The client is followed back to its
construction: a constructor call, a name assigned one (one assignment back, in the
function or at module level), `self.client` assigned in a method of the class, a
parameter or attribute annotated with a client class, and `.with_options(...)` on any of
these.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TypeVar

from fastapi_architect.codebase.syntax import dotted, keyword, last_name, walk
from fastapi_architect.review.rule import FileContext
from fastapi_architect.review.rules._helpers import FunctionNode, imported_name, value_of, walk_body

OPENAI_CLIENTS = frozenset(
    {"OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI", "Client", "AsyncClient"}
)
ANTHROPIC_CLIENTS = frozenset(
    {
        "Anthropic",
        "AsyncAnthropic",
        "AnthropicBedrock",
        "AsyncAnthropicBedrock",
        "AnthropicVertex",
        "AsyncAnthropicVertex",
        "Client",
        "AsyncClient",
    }
)
LITELLM_CALLS = frozenset({"completion", "acompletion"})
# The module-level API of `openai` before 1.0.
LEGACY_OPENAI = frozenset({"openai.ChatCompletion.create", "openai.ChatCompletion.acreate"})
# The libraries whose import makes a file worth reading for the FA6xx rules.
LLM_LIBRARIES = frozenset(
    {
        "openai",
        "anthropic",
        "litellm",
        "langchain",
        "langchain_core",
        "langchain_openai",
        "langchain_anthropic",
        "langchain_community",
        "pydantic_ai",
    }
)
OUTPUT_BOUNDS = frozenset({"max_tokens", "max_completion_tokens", "max_output_tokens"})


@dataclass(frozen=True, slots=True)
class Client:
    """An SDK client: its provider, its construction when seen, the `.with_options(...)`
    calls between the construction and the use."""

    provider: str
    made: ast.Call | None
    options: tuple[ast.Call, ...] = ()


@dataclass(frozen=True, slots=True)
class LlmCall:
    """A call to a model. `api` is `chat`, `responses`, `messages` or `completion`
    (litellm); `method` the last name (`create`, `stream`, `parse`, `acompletion`)."""

    call: ast.Call
    provider: str
    api: str
    method: str
    client: Client | None = None

    def keyword(self, name: str) -> ast.expr | None:
        """A keyword of the call, or of a `.with_options(...)` on its client."""
        found = keyword(self.call, name)
        if found is None and self.client is not None:
            for options in self.client.options:
                found = keyword(options, name) or found
        return found

    @property
    def passes_kwargs(self) -> bool:
        return any(k.arg is None for k in self.call.keywords)

    @property
    def streams(self) -> bool:
        """`stream=True`, or the SDK's `.stream(...)` helper."""
        flag = keyword(self.call, "stream")
        return self.method == "stream" or (isinstance(flag, ast.Constant) and flag.value is True)


@dataclass
class _FileCache:
    classes: dict[int, ast.ClassDef] = field(default_factory=dict)
    calls: dict[int, LlmCall | None] = field(default_factory=dict)
    uses: bool | None = None


_CACHE: weakref.WeakKeyDictionary[FileContext, _FileCache] = weakref.WeakKeyDictionary()


def _cache(ctx: FileContext) -> _FileCache:
    cache = _CACHE.get(ctx)
    if cache is None:
        cache = _FileCache()
        for node in ctx.of(ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, FunctionNode):
                    cache.classes[id(stmt)] = node
        _CACHE[ctx] = cache
    return cache


def uses_llm(ctx: FileContext) -> bool:
    """The file imports an LLM library (and the project is not that library)."""
    cache = _cache(ctx)
    if cache.uses is None:
        roots = {name.partition(".")[0] for name in ctx.imports.values()}
        cache.uses = any(
            root in LLM_LIBRARIES and root not in ctx.index.by_module for root in roots
        )
    return cache.uses


def client_class(ctx: FileContext, node: ast.expr) -> str | None:
    """`openai`/`anthropic` when `node` names (or calls) one of their client classes."""
    for library, names in (("openai", OPENAI_CLIENTS), ("anthropic", ANTHROPIC_CLIENTS)):
        qualified = imported_name(ctx, node, library)
        if qualified is not None and last_name(qualified) in names:
            return library
    return None


def _annotated_client(ctx: FileContext, annotation: ast.expr | None) -> str | None:
    """The provider of an annotation `AsyncOpenAI`, `AsyncOpenAI | None`, `Optional[...]`."""
    if annotation is None:
        return None
    for node in walk(annotation):
        if isinstance(node, ast.Name | ast.Attribute):
            provider = client_class(ctx, node)
            if provider is not None:
                return provider
    return None


def resolve_client(ctx: FileContext, node: ast.expr, at: ast.AST, depth: int = 0) -> Client | None:
    """The client `node` stands for, or None when it is not (seen to be) an SDK client."""
    if depth > 4:
        return None
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        provider = client_class(ctx, node)
        if provider is not None:
            return Client(provider, node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"with_options", "copy"}:
            inner = resolve_client(ctx, func.value, at, depth + 1)
            if inner is not None:
                return Client(inner.provider, inner.made, (*inner.options, node))
        return None
    if isinstance(node, ast.Name):
        scope = ctx.scope_of(at)
        if isinstance(scope, FunctionNode):
            for arg in [*scope.args.posonlyargs, *scope.args.args, *scope.args.kwonlyargs]:
                if arg.arg == node.id:
                    provider = _annotated_client(ctx, arg.annotation)
                    return Client(provider, None) if provider is not None else None
        value = value_of(ctx, node, at)
        if value is node:
            return None
        return resolve_client(ctx, value, value, depth + 1)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in {"self", "cls"}
    ):
        return _attribute_client(ctx, node.attr, at, depth)
    return None


def _attribute_client(ctx: FileContext, attr: str, at: ast.AST, depth: int) -> Client | None:
    """`self.<attr>`: what the methods of the class assign to it, or its annotation."""
    scope = ctx.scope_of(at)
    klass = _cache(ctx).classes.get(id(scope))
    if klass is None:
        return None
    found: Client | None = None
    for stmt in klass.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == attr
        ):
            provider = _annotated_client(ctx, stmt.annotation)
            if provider is not None:
                found = found or Client(provider, None)
        if not isinstance(stmt, FunctionNode):
            continue
        for node in walk(stmt):
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
                if _is_self_attr(node.target, attr):
                    provider = _annotated_client(ctx, node.annotation)
                    if provider is not None and value is None:
                        found = found or Client(provider, None)
            if value is None or not any(_is_self_attr(t, attr) for t in targets):
                continue
            client = resolve_client(ctx, value, node, depth + 1)
            if client is not None:
                if client.made is not None:
                    return client
                found = found or client
    return found


def _is_self_attr(node: ast.expr, attr: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attr
        and isinstance(node.value, ast.Name)
        and node.value.id in {"self", "cls"}
    )


_PATHS = {
    ("chat", "completions"): ("openai", "chat"),
    ("responses",): ("openai", "responses"),
    ("messages",): ("anthropic", "messages"),
}
_METHODS = {
    "chat": frozenset({"create", "parse", "stream"}),
    "responses": frozenset({"create", "parse", "stream"}),
    "messages": frozenset({"create", "stream"}),
}


def llm_call(ctx: FileContext, call: ast.Call) -> LlmCall | None:
    """The model call `call` makes, or None."""
    cache = _cache(ctx)
    if id(call) not in cache.calls:
        cache.calls[id(call)] = _llm_call(ctx, call)
    return cache.calls[id(call)]


def _llm_call(ctx: FileContext, call: ast.Call) -> LlmCall | None:
    func = call.func
    if isinstance(func, ast.Name | ast.Attribute) and dotted(func) is not None:
        qualified = imported_name(ctx, call, "litellm")
        if qualified is not None and qualified in {f"litellm.{n}" for n in LITELLM_CALLS}:
            return LlmCall(call, "litellm", "completion", last_name(qualified))
        qualified = imported_name(ctx, call, "openai")
        if qualified in LEGACY_OPENAI:
            return LlmCall(call, "openai", "chat", last_name(qualified))
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    for tail, (provider, api) in _PATHS.items():
        if method not in _METHODS[api]:
            continue
        receiver = _strip(func.value, tail)
        if receiver is None:
            continue
        if isinstance(receiver, ast.Attribute) and receiver.attr == "beta":
            receiver = receiver.value
        client = resolve_client(ctx, receiver, call)
        if client is None or client.provider != provider:
            return None
        return LlmCall(call, provider, api, method, client)
    return None


def _strip(node: ast.expr, names: tuple[str, ...]) -> ast.expr | None:
    """`client` of `client.chat.completions` for the names `("chat", "completions")`."""
    for name in reversed(names):
        if not isinstance(node, ast.Attribute) or node.attr != name:
            return None
        node = node.value
    return node


def llm_calls(ctx: FileContext, scope: ast.AST | None = None) -> Iterator[LlmCall]:
    """The model calls of the file (or under `scope`)."""
    if not uses_llm(ctx):
        return
    for node in ctx.nodes if scope is None else walk(scope):
        if isinstance(node, ast.Call):
            found = llm_call(ctx, node)
            if found is not None:
                yield found


def enclosing_class(ctx: FileContext, fn: ast.AST) -> ast.ClassDef | None:
    return _cache(ctx).classes.get(id(fn))


Level = TypeVar("Level", bound=IntEnum)


def assignments(fn: ast.AST) -> list[tuple[str, ast.expr]]:
    """Each name `fn` binds, with the value it binds it to (a loop's iterable for loop
    variables), in order."""
    steps: list[tuple[str, ast.expr]] = []
    for node in walk_body(fn):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                steps += [(name, node.value) for name in bound_names(target)]
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            steps += [(name, node.value) for name in bound_names(node.target)]
        elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
            steps += [(name, node.iter) for name in bound_names(node.target)]
    return steps


def propagate(
    steps: list[tuple[str, ast.expr]],
    names: dict[str, Level],
    level: Callable[[ast.expr], Level],
    none: Level,
) -> None:
    """Raise each bound name in `names` to the level of its values, a few rounds, so that
    a value reaches names assigned from it later or in a loop."""
    for _ in range(3):
        changed = False
        for name, value in steps:
            found = level(value)
            if found > names.get(name, none):
                names[name] = found
                changed = True
        if not changed:
            break


def bound_names(target: ast.expr) -> list[str]:
    return [n.id for n in walk(target) if isinstance(n, ast.Name)]
