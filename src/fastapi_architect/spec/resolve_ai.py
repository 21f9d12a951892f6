"""The resolver's part for AI: the providers and bounds of the top-level `ai` section, and
each resource's AI actions with their prompt templates and structured outputs."""

from __future__ import annotations

import re
import string

from fastapi_architect.spec.document import AiActionSpec
from fastapi_architect.spec.model import (
    AiAction,
    AiOutputField,
    AiPlaceholder,
    AiProvider,
    AiSettings,
    Auth,
)
from fastapi_architect.spec.problems import did_you_mean, one_of
from fastapi_architect.spec.resolve_base import Draft, ResolverBase
from fastapi_architect.spec.routes import RESOURCE_OPERATIONS
from fastapi_architect.spec.source import DocPath

# What a structured answer's field may be: what a JSON schema and a model both handle.
OUTPUT_TYPES = ("string", "text", "integer", "float", "boolean", "enum")
LOCAL_URL = re.compile(r"^http://(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(/|$)")
ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class AiResolver(ResolverBase):
    def ai_settings(self) -> AiSettings | None:
        spec = self.doc.ai
        if spec is None:
            return None
        path: DocPath = ("ai",)
        if not spec.providers:
            self.error(
                path,
                "no-ai-provider",
                "the ai section declares no provider",
                "add providers: [{name: openai, model: gpt-4o-mini, base_url: "
                "https://api.openai.com/v1}]",
                key=True,
            )
        for key in ("daily_tokens_per_user", "max_input_chars", "max_output_tokens"):
            if getattr(spec, key) < 1:
                self.error(
                    (*path, key),
                    "bad-budget",
                    f"ai.{key} is {getattr(spec, key)}: it must be a positive number",
                    "use a whole number of at least 1",
                )
        if spec.cache_seconds < 0:
            self.error(
                (*path, "cache_seconds"),
                "bad-budget",
                f"ai.cache_seconds is {spec.cache_seconds}: use 0 (no cache) or more",
            )
        providers: list[AiProvider] = []
        names: set[str] = set()
        for index, provider in enumerate(spec.providers):
            where: DocPath = (*path, "providers", index)
            if self.check_identifier((*where, "name"), provider.name, "a provider name", sql=False):
                if provider.name in names:
                    self.error((*where, "name"), "duplicate", f"provider {provider.name!r} twice")
                names.add(provider.name)
            if not provider.model.strip():
                self.error((*where, "model"), "bad-value", "the provider's model is empty")
            url = provider.base_url
            if not (url.startswith("https://") or LOCAL_URL.match(url)):
                self.error(
                    (*where, "base_url"),
                    "insecure-url",
                    f"base_url {url!r} must use https (plain http only for localhost)",
                    "the API key and every prompt travel over this connection",
                )
            key_env = provider.api_key_env or f"AI_{provider.name.upper()}_API_KEY"
            if not ENV_NAME.match(key_env):
                self.error(
                    (*where, "api_key_env"),
                    "bad-name",
                    f"api_key_env {key_env!r} must be an environment variable name in "
                    "UPPER_SNAKE_CASE",
                )
            if not 0 < provider.timeout_seconds <= 600:
                self.error(
                    (*where, "timeout_seconds"),
                    "bad-budget",
                    f"timeout_seconds {provider.timeout_seconds} must be above 0 and at most 600",
                )
            for price in ("prompt_price", "completion_price"):
                value = getattr(provider, price)
                if value is not None and value < 0:
                    self.error((*where, price), "bad-value", f"{price} {value} is negative")
            providers.append(
                AiProvider(
                    name=provider.name,
                    kind=provider.kind,
                    model=provider.model,
                    base_url=url.rstrip("/"),
                    api_key_env=key_env,
                    timeout_seconds=provider.timeout_seconds,
                    prompt_price=provider.prompt_price,
                    completion_price=provider.completion_price,
                )
            )
        return AiSettings(
            providers=tuple(providers),
            daily_tokens_per_user=spec.daily_tokens_per_user,
            cache_seconds=spec.cache_seconds,
            max_input_chars=spec.max_input_chars,
            max_output_tokens=spec.max_output_tokens,
        )

    def ai_actions(self, draft: Draft, auth: Auth) -> tuple[AiAction, ...]:
        actions: list[AiAction] = []
        for name, spec in draft.spec.ai.items():
            path: DocPath = (*draft.path, "ai", name)
            if not self.check_identifier(path, name, "an AI action name", key=True, sql=False):
                continue
            if name in RESOURCE_OPERATIONS:
                self.error(
                    path,
                    "name-clash",
                    f"AI action {name!r} would share its handler name with {draft.name}'s own "
                    f"{name!r} endpoint",
                    f"name it for what it gives, e.g. {name + '_summary'!r}",
                    key=True,
                )
                continue
            if self.doc.ai is None:
                self.error(
                    path,
                    "no-ai-provider",
                    f"{draft.name}.{name} is an AI action, but the spec declares no provider",
                    "add a top-level ai section: ai: {providers: [{name: openai, model: "
                    "gpt-4o-mini, base_url: https://api.openai.com/v1}]}",
                    key=True,
                )
            if not auth.enabled:
                self.error(
                    path,
                    "ai-needs-auth",
                    f"{draft.name}.{name} is an AI action, but auth mode is 'none': budgets "
                    "and usage are counted per user",
                    "set auth.mode to builtin or jwks",
                    key=True,
                )
            if "{" in spec.instructions or "}" in spec.instructions:
                self.error(
                    (*path, "instructions"),
                    "ai-system-prompt",
                    "instructions are the system prompt: they take no placeholders, so that a "
                    "row's values can never be read as instructions",
                    "put the placeholders in prompt:, which sends them between delimiters",
                )
            parts = self.ai_prompt(draft, spec, (*path, "prompt"))
            if not spec.prompt.strip():
                self.error((*path, "prompt"), "bad-value", "the prompt is empty")
            if spec.max_output_tokens is not None and spec.max_output_tokens < 1:
                self.error(
                    (*path, "max_output_tokens"),
                    "bad-budget",
                    f"max_output_tokens {spec.max_output_tokens} must be a positive number",
                )
            output = self.ai_output(spec, path)
            default_tokens = self.doc.ai.max_output_tokens if self.doc.ai else 1024
            actions.append(
                AiAction(
                    name=name,
                    resource=draft.name,
                    description=spec.description,
                    instructions=spec.instructions,
                    parts=parts,
                    output=output,
                    max_output_tokens=spec.max_output_tokens or default_tokens,
                )
            )
        return tuple(actions)

    def ai_prompt(
        self, draft: Draft, spec: AiActionSpec, path: DocPath
    ) -> tuple[str | AiPlaceholder, ...]:
        try:
            parsed = list(string.Formatter().parse(spec.prompt))
        except ValueError as error:
            self.error(
                path,
                "bad-template",
                f"the prompt is not a template: {error}",
                "write placeholders as {field} and literal braces as {{ and }}",
            )
            return ()
        parts: list[str | AiPlaceholder] = []
        for literal, field, conversion, format_spec in parsed:
            if literal and parts and isinstance(parts[-1], str):
                parts[-1] += literal  # `{{` and `}}` end a literal piece of their own
            elif literal:
                parts.append(literal)
            if field is None:
                continue
            if conversion or format_spec:
                self.error(
                    path,
                    "bad-template",
                    f"placeholder {{{field}!...:...}} takes no conversion or format",
                    f"write {{{field.split('!')[0]}}}",
                )
                continue
            placeholder = self.ai_placeholder(draft, field, path)
            if placeholder is not None:
                parts.append(placeholder)
        return tuple(parts)

    def ai_placeholder(self, draft: Draft, text: str, path: DocPath) -> AiPlaceholder | None:
        relation_name, _, field_name = text.rpartition(".")
        owner, relation, target = draft, None, None
        if relation_name:
            relations = {item.name: item for item in draft.relations}
            found = relations.get(relation_name)
            if found is None or found.kind != "many_to_one" or found.target not in self.drafts:
                choices = [r.name for r in draft.relations if r.kind == "many_to_one"]
                self.error(
                    path,
                    "unknown-field",
                    f"placeholder {{{text}}}: {relation_name!r} is not a many_to_one relation "
                    f"of {draft.name}" + (f" ({one_of(choices)})" if choices else ""),
                    did_you_mean(relation_name, choices) if choices else None,
                )
                return None
            owner, relation, target = self.drafts[found.target], found.name, found.target
        fields = {item.name: item for item in owner.fields}
        found_field = fields.get(field_name)
        if found_field is None:
            self.error(
                path,
                "unknown-field",
                f"placeholder {{{text}}}: {owner.name} has no field {field_name!r}",
                did_you_mean(field_name, fields) or f"use one of {one_of(sorted(fields))}",
            )
            return None
        if found_field.sensitive or found_field.name in ("password", "hashed_password"):
            self.error(
                path,
                "ai-sensitive-field",
                f"placeholder {{{text}}}: {owner.name}.{field_name} is sensitive (write-only); "
                "it would be sent to the model provider",
                "leave it out of the prompt",
            )
            return None
        return AiPlaceholder(text=text, field=field_name, relation=relation, target=target)

    def ai_output(self, spec: AiActionSpec, path: DocPath) -> tuple[AiOutputField, ...] | None:
        if spec.output is None:
            return None
        if not spec.output:
            self.error(
                (*path, "output"),
                "empty",
                "a structured output needs at least one field",
                "declare fields, e.g. output: {priority: {type: enum, values: [low, high]}}, "
                "or use output: text",
            )
        fields: list[AiOutputField] = []
        for name, field in spec.output.items():
            where: DocPath = (*path, "output", name)
            if not self.check_identifier(where, name, "an output field name", key=True, sql=False):
                continue
            if field.type not in OUTPUT_TYPES:
                self.error(
                    where,
                    "ai-output-type",
                    f"output field {name!r} has type {field.type!r}, which a structured answer "
                    f"cannot carry; use one of {one_of(OUTPUT_TYPES)}",
                )
                continue
            if field.type == "enum" and not field.values:
                self.error(where, "missing-key", f"enum output field {name!r} needs values:")
                continue
            if field.type != "enum" and field.values:
                self.error((*where, "values"), "unused-key", "values: is for enum fields only")
            fields.append(
                AiOutputField(
                    name=name,
                    type=field.type,
                    description=field.description,
                    required=field.required,
                    min_length=field.min_length,
                    max_length=field.max_length,
                    min=_number(field.min),
                    max=_number(field.max),
                    values=tuple(field.values or ()),
                )
            )
        return tuple(fields)


def _number(value: float | None) -> int | float | None:
    if value is not None and value == int(value):
        return int(value)
    return value
