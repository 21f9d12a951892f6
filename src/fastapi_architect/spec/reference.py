"""The spec reference in Markdown, rendered from the format's own descriptions so that the
documentation cannot drift from what the loader accepts."""

from __future__ import annotations

import json
from typing import Any

from fastapi_architect.spec.document import spec_json_schema

# Sections in reading order: (heading, where the mapping appears, definition name).
SECTIONS = (
    ("Top level", "", None),
    ("project", "project:", "ProjectSpec"),
    ("api", "api:", "ApiSpec"),
    ("database", "database:", "DatabaseSpec"),
    ("auth", "auth:", "AuthSpec"),
    ("auth.jwks", "auth: {jwks: ...}", "JwksSpec"),
    ("rate_limits", "rate_limits:", "RateLimitsSpec"),
    ("Resources", "resources: {Name: ...}", "ResourceSpec"),
    ("Fields", "resources: {Name: {fields: {name: ...}}}", "FieldSpec"),
    ("Relations", "resources: {Name: {relations: {name: ...}}}", "RelationSpec"),
    ("Access", "resources: {Name: {access: ...}}", "AccessSpec"),
    ("AI actions", "resources: {Name: {ai: {name: ...}}}", "AiActionSpec"),
    (
        "AI output fields",
        "resources: {Name: {ai: {name: {output: {field: ...}}}}}",
        "AiOutputFieldSpec",
    ),
    ("ai", "ai:", "AiSpec"),
    ("ai.providers", "ai: {providers: [...]}", "AiProviderSpec"),
)


def render_spec_reference() -> str:
    """Markdown tables of every key of the spec format: type, default and meaning."""
    schema = spec_json_schema()
    definitions: dict[str, Any] = schema["$defs"]
    parts: list[str] = []
    for heading, where, name in SECTIONS:
        definition = schema if name is None else definitions[name]
        parts.append(f"#### {heading}\n")
        if where:
            parts.append(f"`{where}` {_sentence(definition.get('description', ''))}\n")
        parts.append("| key | type | default | meaning |")
        parts.append("|---|---|---|---|")
        required = set(definition.get("required", ()))
        for key, prop in definition["properties"].items():
            default = "required" if key in required else _default(prop)
            description = prop.get("description") or _referenced(prop, definitions)
            description = description.replace("|", "\\|")
            parts.append(f"| `{key}` | {_type(prop)} | {default} | {description} |")
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


START = "<!-- spec-reference:start -->"
END = "<!-- spec-reference:end -->"


def update_readme(text: str) -> str:
    """`text` with the block between the reference markers replaced by a fresh rendering."""
    head, found, rest = text.partition(START)
    _, found_end, tail = rest.partition(END)
    if not (found and found_end):
        raise ValueError(f"the README has no {START} ... {END} block")
    return f"{head}{START}\n{render_spec_reference()}{END}{tail}"


def _referenced(prop: dict[str, Any], definitions: dict[str, Any]) -> str:
    """The description of the definition a property refers to."""
    reference = prop.get("$ref", "")
    definition = definitions.get(reference.rsplit("/", 1)[-1], {})
    return str(definition.get("description", "")).strip()


def _sentence(text: str) -> str:
    return text.strip().split("\n")[0]


def _default(prop: dict[str, Any]) -> str:
    if "default" not in prop:
        return "its defaults" if "$ref" in prop else "-"
    value = prop["default"]
    if value is None or value == [] or value == {}:
        return "-"
    return f"`{json.dumps(value)}`"


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return "mapping"
    if "anyOf" in prop:
        options = [_type(option) for option in prop["anyOf"] if option.get("type") != "null"]
        return " or ".join(dict.fromkeys(options))
    if "enum" in prop:
        return " \\| ".join(f"`{value}`" for value in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        values = prop.get("additionalProperties")
        return f"mapping of name to {_type(values)}" if isinstance(values, dict) else "mapping"
    if kind == "number":
        return "number"
    return str(kind or "any value")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(update_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
