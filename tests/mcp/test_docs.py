"""docs/mcp.md and the agent definition stay true to the server they describe."""

from __future__ import annotations

import json
import re
import runpy
from pathlib import Path

import anyio
import pytest
import yaml
from mcp import Client

from fastapi_architect.mcp import build_server
from fastapi_architect.mcp.design_tool import MAX_DOCUMENT_CHARS
from tests.conftest import ROOT, write_tree

SPEC = "project: {name: notes}\nresources:\n  Note:\n    fields: {title: {type: string}}\n"
GUIDE = (ROOT / "docs" / "mcp.md").read_text(encoding="utf-8")
AGENT = (ROOT / "docs" / "agents" / "backend-architect.md").read_text(encoding="utf-8")


def served(tmp_path: Path) -> tuple[set[str], set[str], set[str]]:
    async def main() -> tuple[set[str], set[str], set[str]]:
        async with Client(build_server(tmp_path)) as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            resources = {str(r.uri) for r in (await client.list_resources()).resources}
            prompts = {p.name for p in (await client.list_prompts()).prompts}
            return tools, resources, prompts

    return anyio.run(main)


def test_the_guide_documents_every_tool_resource_and_prompt(tmp_path: Path):
    tools, resources, prompts = served(tmp_path)
    documented_tools = set(re.findall(r"^\| `([a-z_]+)` \|", GUIDE, re.MULTILINE))
    assert documented_tools == tools
    for uri in re.findall(r"`(fastapi-architect://[^`]+)`", GUIDE):
        assert uri in resources, uri
    assert prompts <= set(re.findall(r"`([a-z-]+)`", GUIDE))
    assert f"returned whole up to {MAX_DOCUMENT_CHARS:,} characters" in " ".join(GUIDE.split())


def test_the_guide_configurations_are_valid_json():
    blocks = re.findall(r"```json\n(.*?)```", GUIDE, re.DOTALL)
    assert len(blocks) == 2
    for block in blocks:
        assert "fastapi-architect" in json.loads(block)["mcpServers"]


def test_the_guide_python_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    [code] = re.findall(r"```python\n(.*?)```", GUIDE, re.DOTALL)
    write_tree(tmp_path / "path" / "to" / "project", {"architect.yaml": SPEC})
    monkeypatch.chdir(tmp_path)
    script = tmp_path / "example.py"
    script.write_text(code)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.startswith("True architect.yaml: valid.")


def test_the_agent_definition_names_every_tool(tmp_path: Path):
    _, front, body = AGENT.split("---\n", 2)
    meta = yaml.safe_load(front)
    assert meta["name"] == "backend-architect"
    assert meta["description"]
    tools, _, prompts = served(tmp_path)
    for name in tools | prompts:
        assert f"`{name}`" in body, name
