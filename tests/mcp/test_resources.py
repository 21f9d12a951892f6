"""The spec schema, rule documentation, example specs and workflow prompt, as a client sees them."""

from __future__ import annotations

import json
from pathlib import Path

import anyio
from mcp import Client

from fastapi_architect.mcp import build_server
from fastapi_architect.mcp.workflow import workflow_text
from fastapi_architect.review import all_rules
from fastapi_architect.spec import check_text, spec_json_schema
from tests.conftest import EXAMPLES


def test_resources_are_listed_and_readable(tmp_path: Path):
    async def main() -> None:
        with anyio.fail_after(30):
            async with Client(build_server(tmp_path)) as client:
                listed = {str(r.uri): r for r in (await client.list_resources()).resources}
                rules = [f"fastapi-architect://rules/{rule.id}" for rule in all_rules()]
                examples = [
                    f"fastapi-architect://examples/{path.name}"
                    for path in sorted(EXAMPLES.glob("*.yaml"))
                ]
                assert set(listed) == {"fastapi-architect://spec/schema.json", *rules, *examples}
                assert (
                    listed["fastapi-architect://spec/schema.json"].mime_type == "application/json"
                )

                schema = await client.read_resource("fastapi-architect://spec/schema.json")
                assert json.loads(schema.contents[0].text) == spec_json_schema()

                rule = await client.read_resource("fastapi-architect://rules/FA104")
                assert rule.contents[0].mime_type == "text/markdown"
                assert rule.contents[0].text.startswith("# FA104 `sql-injection`")
                assert "## Use instead" in rule.contents[0].text
                assert listed["fastapi-architect://rules/FA104"].description

                example = await client.read_resource("fastapi-architect://examples/taskflow.yaml")
                yaml_text = example.contents[0].text
                assert yaml_text == (EXAMPLES / "taskflow.yaml").read_text()
                assert check_text(yaml_text, "taskflow.yaml").ok

    anyio.run(main)


def test_workflow_prompt_is_listed_and_walks_through_every_step(tmp_path: Path):
    async def main() -> None:
        with anyio.fail_after(30):
            async with Client(build_server(tmp_path)) as client:
                [prompt] = (await client.list_prompts()).prompts
                assert prompt.name == "architect-workflow"
                assert {a.name for a in prompt.arguments or ()} == {"requirements", "spec_path"}
                got = await client.get_prompt(
                    "architect-workflow",
                    {"requirements": "A bookmark manager: users save links with tags."},
                )
                [message] = got.messages
                assert message.role == "user"
                body = message.content.text
                order = [
                    body.index("Write the spec in `architect.yaml`"),
                    body.index("Call `check_spec`"),
                    body.index("open_questions"),
                    body.index("Call `design` with the spec (`spec_path: architect.yaml`)"),
                    body.index("Call `generate`"),
                    body.index("Run the project's tests (`make test` in the generated project)"),
                    body.index("Call `review`"),
                ]
                assert order == sorted(order)
                assert "layered layout" not in body, "the server generates the layers itself"
                assert body.rstrip().endswith("A bookmark manager: users save links with tags.")

    anyio.run(main)


def test_workflow_names_design_and_generate_tools_once_the_server_offers_them():
    without = workflow_text({"check_spec", "review"})
    assert "Call `design`" not in without
    assert "Call `generate`" not in without
    assert "layered layout" in without
    assert "`pytest` in its directory" in without
    offered = workflow_text({"check_spec", "review", "design", "generate"}, spec_path="api.yaml")
    assert "Call `design` with the spec (`spec_path: api.yaml`) and `output: docs`" in offered
    assert "Call `generate` with the spec (`spec_path`) and a `target` directory" in offered
    assert "`make test` in the generated project" in offered
    assert "Write the spec in `api.yaml`" in offered
