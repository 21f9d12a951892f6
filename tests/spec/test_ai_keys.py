"""`ai:` at the top level and AI actions per resource: resolved into actions, routes and
tables, and every mistake reported at its place in the file with a way to fix it."""

from __future__ import annotations

import pytest

from fastapi_architect import check_text
from fastapi_architect.spec.model import AiPlaceholder
from fastapi_architect.spec.routes import routes

SPEC = """\
project: {name: notes}
auth: {roles: [user, admin]}
resources:
  Folder:
    owned: true
    fields: {name: string}
  Note:
    owned: true
    fields:
      title: string
      body: {type: text, required: false}
      secret: {type: string, sensitive: true, required: false}
    relations:
      folder: {to: Folder, required: false}
    ai:
      summarize:
        instructions: Summarise notes in one sentence.
        prompt: "Summarise {title} ({folder.name}):\\n{body} {{as text}}"
      classify:
        prompt: "Classify {title}."
        output:
          label: {type: enum, values: [idea, todo, log]}
          confidence: {type: float, min: 0, max: 1}
          reason: text
        max_output_tokens: 50
ai:
  providers:
    - {name: main, model: gpt-4o-mini, base_url: "https://api.openai.com/v1"}
    - {name: local, model: llama3, base_url: "http://localhost:11434/v1", timeout_seconds: 5}
  daily_tokens_per_user: 1000
"""


def located(text: str) -> set[tuple[int, int, str]]:
    problems = check_text(text, "architect.yaml").problems
    return {(p.location.line, p.location.column, p.code) for p in problems}


def test_actions_resolve_with_their_prompts_outputs_routes_and_tables() -> None:
    spec = check_text(SPEC, "architect.yaml").spec
    assert spec is not None
    assert spec.ai is not None
    summarize, classify = spec.resource("Note").ai
    assert summarize.streamed
    assert not classify.streamed
    assert summarize.parts == (
        "Summarise ",
        AiPlaceholder(text="title", field="title"),
        " (",
        AiPlaceholder(text="folder.name", field="name", relation="folder", target="Folder"),
        "):\n",
        AiPlaceholder(text="body", field="body"),
        " {as text}",
    )
    assert summarize.max_output_tokens == 1024
    assert classify.max_output_tokens == 50
    assert classify.output is not None
    assert [(f.name, f.type, f.values) for f in classify.output] == [
        ("label", "enum", ("idea", "todo", "log")),
        ("confidence", "float", ()),
        ("reason", "text", ()),
    ]
    assert [p.name for p in spec.ai.providers] == ["main", "local"]
    assert spec.ai.providers[0].api_key_env == "AI_MAIN_API_KEY"
    assert spec.ai.daily_tokens_per_user == 1000
    ai = [(r.method, r.path, r.errors) for r in routes(spec) if r.group == "ai"]
    assert ai == [
        ("POST", "/api/v1/notes/{note_id}/ai/summarize", (401, 403, 404, 422, 429, 502, 503)),
        ("POST", "/api/v1/notes/{note_id}/ai/classify", (401, 403, 404, 422, 429, 502, 503)),
        ("GET", "/api/v1/ai/usage", (401, 422, 429)),
    ]
    assert {"ai_usage", "ai_budgets"} <= {table.name for table in spec.tables}


def test_a_spec_without_actions_has_no_ai_routes_or_tables() -> None:
    text = SPEC[: SPEC.index("    ai:\n")] + "\n"
    spec = check_text(text, "architect.yaml").spec
    assert spec is not None
    assert spec.ai is None
    assert not [r for r in routes(spec) if r.group == "ai"]
    assert not {"ai_usage", "ai_budgets"} & {table.name for table in spec.tables}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # A placeholder naming no field, a write-only field, or no many_to_one relation.
        ("{title} ({folder", "{titel} ({folder", (18, 17, "unknown-field")),
        ("{body} {{as", "{secret} {{as", (18, 17, "ai-sensitive-field")),
        ("({folder.name})", "({owner.name})", (18, 17, "unknown-field")),
        # Braces that do not make a template.
        ("{{as text}}", "{as text", (18, 17, "bad-template")),
        # Values never go into the system prompt.
        ("Summarise notes in", "Summarise {title} in", (17, 23, "ai-system-prompt")),
        # What a structured answer cannot carry.
        ("reason: text", "reason: date", (24, 19, "ai-output-type")),
        ("label: {type: enum, values: [idea, todo, log]}", "label: enum", (22, 18, "missing-key")),
        ("max_output_tokens: 50", "max_output_tokens: 0", (25, 28, "bad-budget")),
        # Budgets and bounds are positive numbers.
        ("daily_tokens_per_user: 1000", "daily_tokens_per_user: 0", (30, 26, "bad-budget")),
        ("timeout_seconds: 5}", "timeout_seconds: 0}", (29, 92, "bad-budget")),
        # Keys and prompts travel to the provider over TLS.
        ('"http://localhost:11434/v1"', '"http://models.internal/v1"', (29, 46, "insecure-url")),
        # A name the resource's own endpoints use.
        ("      classify:", "      get:", (19, 7, "name-clash")),
    ],
)
def test_mistakes_are_located(old: str, new: str, expected: tuple[int, int, str]) -> None:
    assert old in SPEC
    assert expected in located(SPEC.replace(old, new, 1))


def test_actions_need_a_provider_and_users() -> None:
    without_section = SPEC[: SPEC.index("ai:\n  providers")]
    assert (16, 7, "no-ai-provider") in located(without_section)
    empty = without_section + "ai: {providers: []}\n"
    assert (26, 1, "no-ai-provider") in located(empty)
    anonymous = SPEC.replace("auth: {roles: [user, admin]}", "auth: {mode: none}").replace(
        "    owned: true\n", ""
    )
    assert any(code == "ai-needs-auth" for _, _, code in located(anonymous))
