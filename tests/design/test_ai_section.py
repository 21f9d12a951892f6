"""The AI section of the design: each action's route, prompt contract, answer, costs and
failures, the providers and bounds, and the ADR; nothing of it for a spec without AI."""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import Path

import pytest

from fastapi_architect import load_spec
from fastapi_architect.design import design_from_spec, render_json, render_markdown
from fastapi_architect.design.markdown import design_files
from fastapi_architect.design.model import Design
from fastapi_architect.design.sections.ai import GUARD
from tests.conftest import EXAMPLES

PROMPTS = (
    Path(__file__).parents[2] / "src/fastapi_architect/generate/templates/app/ai/prompts.py.j2"
)


@pytest.fixture(scope="module")
def taskflow() -> Design:
    return design_from_spec(load_spec(EXAMPLES / "taskflow.yaml"))


def _longest_prompt(instructions: str, prompt: str, names: list[str], cap: int) -> int:
    """The characters of both messages with every value `cap` characters long."""
    system = GUARD + "\n\n" + instructions
    user = prompt
    for name in names:
        user = user.replace("{" + name + "}", f'<value name="{name}">' + "x" * cap + "</value>")
    return len(system) + len(user)


def test_the_guard_sentence_is_the_generated_backends() -> None:
    found = re.search(r"^GUARD = (\(.*?\))$", PROMPTS.read_text(), re.M | re.S)
    assert found is not None
    assert ast.literal_eval(found.group(1)) == GUARD


def test_each_action_has_its_route_access_prompt_and_output(taskflow: Design) -> None:
    assert taskflow.ai is not None
    actions = {a.name: a for a in taskflow.ai.actions}
    assert list(actions) == ["Task.summarize", "Task.suggest_priority"]
    summarize, suggest = actions["Task.summarize"], actions["Task.suggest_priority"]
    assert summarize.endpoint == "POST /api/v1/tasks/{task_id}/ai/summarize"
    assert suggest.endpoint == "POST /api/v1/tasks/{task_id}/ai/suggest-priority"
    assert summarize.access == suggest.access == "owner, admin"
    assert summarize.placeholders == ("title", "description", "category.name", "status", "due_date")
    assert summarize.value_chars == 8000 // 5
    assert suggest.value_chars == 8000 // 3
    assert summarize.instructions.startswith("You summarise tasks")
    assert summarize.streamed
    assert summarize.result is None
    assert summarize.fields == ()
    assert not suggest.streamed
    assert suggest.result == "TaskSuggestPriority"
    assert [(f.name, f.type, f.constraints) for f in suggest.fields] == [
        ("priority", "integer", (">= 1", "<= 5")),
        ("reason", "string", ("max length 300",)),
    ]
    assert (summarize.max_output_tokens, suggest.max_output_tokens) == (400, 200)
    # Streamed answers fail midway with an `error` event; structured ones never do.
    assert [f.code for f in summarize.failures if f.status is None] == [
        "service_unavailable",
        "validation_error",
    ]
    assert all(f.status is not None for f in suggest.failures)
    statuses = {f.status for f in suggest.failures}
    assert {401, 404, 429, 502, 503} <= statuses
    assert "Retry-After" in next(f.when for f in suggest.failures if f.status == 429)


def test_costs_follow_the_declared_prices(taskflow: Design) -> None:
    assert taskflow.ai is not None
    actions = {a.name: a for a in taskflow.ai.actions}
    summarize, suggest = actions["Task.summarize"], actions["Task.suggest_priority"]

    summarize_chars = _longest_prompt(
        "You summarise tasks for a busy person in two plain sentences.",
        "Summarise this task.\nTitle: {title}\nDetails: {description}\n"
        "Category: {category.name}\nStatus: {status}, due {due_date}\n",
        ["title", "description", "category.name", "status", "due_date"],
        1600,
    )
    suggest_chars = _longest_prompt(
        "You help people decide what to do first. Answer in JSON.",
        "Suggest a priority for this task.\nTitle: {title}\nDetails: {description}\n"
        "Due: {due_date}\n",
        ["title", "description", "due_date"],
        2666,
    )
    assert (summarize.prompt_chars, suggest.prompt_chars) == (summarize_chars, suggest_chars)
    # 4 characters per token, 16 tokens per message (system and user).
    summarize_tokens = math.ceil(summarize_chars / 4) + 32
    suggest_tokens = math.ceil(suggest_chars / 4) + 32
    assert (summarize_tokens, suggest_tokens) == (2145, 2125)

    openai, local = summarize.costs
    assert (openai.provider, openai.model, openai.attempts) == ("openai", "gpt-4o-mini", 1)
    assert (openai.prompt_tokens, openai.completion_tokens) == (summarize_tokens, 400)
    # $0.15 per million prompt tokens, $0.60 per million completion tokens.
    assert openai.usd == pytest.approx((summarize_tokens * 0.15 + 400 * 0.60) / 1e6)
    assert openai.usd == pytest.approx(0.00056175)
    assert local.provider == "local"
    assert local.usd is None

    openai, local = suggest.costs
    assert openai.attempts == 2
    assert openai.usd == pytest.approx(2 * (suggest_tokens * 0.15 + 200 * 0.60) / 1e6)
    assert openai.usd == pytest.approx(0.0008775)
    assert local.usd is None

    # The backend's hold: a token per byte, 16 per message, the answer; twice if structured.
    assert summarize.budget_hold == summarize_chars + 32 + 400
    assert suggest.budget_hold == 2 * (suggest_chars + 32 + 200)


def test_the_settings_list_providers_in_fallback_order(taskflow: Design) -> None:
    ai = taskflow.ai
    assert ai is not None
    assert [(p.order, p.name, p.model) for p in ai.providers] == [
        (1, "openai", "gpt-4o-mini"),
        (2, "local", "llama3.2"),
    ]
    first, second = ai.providers
    assert (first.base_url, first.timeout_seconds, first.api_key_env) == (
        "https://api.openai.com/v1",
        20,
        "OPENAI_API_KEY",
    )
    assert (first.prompt_price, first.completion_price) == (0.15, 0.60)
    assert (second.api_key_env, second.prompt_price) == ("AI_LOCAL_API_KEY", None)
    assert (ai.daily_tokens_per_user, ai.cache_seconds, ai.max_input_chars) == (50000, 3600, 8000)
    assert ai.usage_endpoint == "GET /api/v1/ai/usage"


def test_the_markdown_and_json_show_the_section(taskflow: Design) -> None:
    markdown = render_markdown(taskflow)
    contracts = markdown[markdown.index("## 2. API contracts") : markdown.index("## 3.")]
    section = contracts[contracts.index("### AI actions") : contracts.index("### Schemas")]
    assert "#### `Task.summarize`" in section
    assert "`POST /api/v1/tasks/{task_id}/ai/suggest-priority`" in section
    assert "| `priority` | integer | yes | >= 1; <= 5 |" in section
    assert "| `openai` | `gpt-4o-mini` | 2,145 | 400 | 1 | $0.000562 |" in section
    assert "| `local` | `llama3.2` | 2,125 | 200 | 2 | not priced |" in section
    assert "| `error` event | `service_unavailable` |" in section
    assert "| 1 | `openai` | `gpt-4o-mini` | `https://api.openai.com/v1` | 20 s |" in section
    data = json.loads(render_json(taskflow))
    assert [a["name"] for a in data["ai"]["actions"]] == ["Task.summarize", "Task.suggest_priority"]


def test_the_ai_adr_comes_last(taskflow: Design) -> None:
    slugs = [adr.slug for adr in taskflow.adrs]
    assert slugs[-1] == "ai"
    adr = taskflow.adrs[-1]
    assert "openai" in adr.title
    assert "pydantic-ai" in adr.decision
    assert "LiteLLM" in adr.decision
    assert any("conservative" in item for item in adr.consequences)
    assert any("not used" in item for item in adr.consequences)
    assert f"adr/{adr.filename}" in design_files(taskflow)


def test_without_ai_the_document_says_nothing_of_it() -> None:
    design = design_from_spec(load_spec(EXAMPLES / "blog.yaml"))
    assert design.ai is None
    assert "AI actions" not in render_markdown(design)
    assert "ai" not in json.loads(render_json(design))
    assert [adr.slug for adr in design.adrs] == [
        "authentication",
        "identifiers",
        "pagination",
        "soft-delete",
        "database",
    ]
