"""The MCP tools of a backend with `mcp: true`, beside its REST contracts in the design."""

from __future__ import annotations

import json

from fastapi_architect import load_spec
from fastapi_architect.design import design_from_spec, render_json, render_markdown
from tests.conftest import EXAMPLES


def test_each_tool_names_its_arguments_result_hints_and_endpoint() -> None:
    design = design_from_spec(load_spec(EXAMPLES / "taskflow.yaml"))
    tools = {tool.name: tool for tool in design.tools}
    update = tools["update_task"]
    assert update.endpoint == "PATCH /api/v1/tasks/{task_id}"
    assert [(a.name, a.schema_name, a.required) for a in update.arguments] == [
        ("id", "uuid", True),
        ("changes", "TaskUpdate", True),
    ]
    assert update.result == "TaskPublic"
    assert (update.read_only, update.destructive, update.idempotent) == (False, True, True)
    assert tools["list_tasks"].arguments[0].required is False
    assert tools["delete_task"].result is None
    assert tools["restore_task"].access == "owner, admin"
    markdown = render_markdown(design)
    contracts = markdown[markdown.index("## 2. API contracts") : markdown.index("## 3.")]
    assert "### MCP tools" in contracts
    assert "| `get_task` |" in contracts
    assert json.loads(render_json(design))["tools"][0]["name"] == "list_categories"


def test_without_mcp_the_document_says_nothing_of_it() -> None:
    design = design_from_spec(load_spec(EXAMPLES / "blog.yaml"))
    assert design.tools == ()
    assert "MCP" not in render_markdown(design)
    assert "tools" not in json.loads(render_json(design))
