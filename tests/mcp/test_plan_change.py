"""The plan_change tool through an MCP client session against the in-process server: specs as
text, as files under the root and at a git revision; the verdict; located spec problems."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client
from mcp.types import CallToolResult, Tool

from fastapi_architect.evolve.plan import plan_change
from fastapi_architect.evolve.render import json_schema, to_json
from fastapi_architect.mcp import build_server
from fastapi_architect.spec import check_text
from tests.conftest import EXAMPLES, write_tree

OLD_TEXT = (EXAMPLES / "evolve" / "notes-v1.yaml").read_text()
NEW_TEXT = (EXAMPLES / "evolve" / "notes-v2.yaml").read_text()
# An optional field more: one safe step, compatible API changes only.
COMPATIBLE = OLD_TEXT.replace(
    "    filters: [status]", "      due_on: {type: date, required: false}\n    filters: [status]"
)
BAD = """\
project: {name: notes}
resources:
  Note:
    fields:
      title: {type: strng}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    write_tree(tmp_path / "outside", {"notes.yaml": OLD_TEXT})
    return write_tree(
        tmp_path / "project",
        {"v1.yaml": OLD_TEXT, "v2.yaml": NEW_TEXT, "bad.yaml": BAD, "specs/v3.yaml": COMPATIBLE},
    )


def call(root: Path, arguments: dict[str, Any]) -> tuple[CallToolResult, Tool]:
    async def main() -> tuple[CallToolResult, Tool]:
        with anyio.fail_after(30):
            async with Client(build_server(root)) as client:
                tools = {tool.name: tool for tool in (await client.list_tools()).tools}
                return await client.call_tool("plan_change", arguments), tools["plan_change"]

    return anyio.run(main)


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def planned(root: Path, arguments: dict[str, Any]) -> dict[str, Any]:
    """The structured result of a call that succeeds, checked against the output schema."""
    result, tool = call(root, arguments)
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    assert tool.output_schema is not None
    jsonschema.validate(result.structured_content, tool.output_schema)
    return result.structured_content


def test_the_tool_is_listed_read_only_with_its_output_schema(root: Path) -> None:
    _, tool = call(root, {"old_spec": OLD_TEXT, "new_spec": OLD_TEXT})
    assert tool.annotations is not None
    assert tool.annotations.read_only_hint is True
    assert tool.annotations.destructive_hint is False
    assert tool.annotations.idempotent_hint is True
    assert tool.annotations.open_world_hint is False
    assert tool.output_schema is not None
    assert {"old", "new", "safe", "summary", "plan", "markdown"} <= set(
        tool.output_schema["properties"]
    )
    assert set(tool.input_schema["properties"]) == {"old_spec", "old_path", "new_spec", "new_path"}
    assert "required" not in tool.input_schema
    # The plan's schema is the one `diff --format json` publishes.
    published = json_schema()["properties"]
    assert set(tool.output_schema["$defs"]["DiffOutput"]["properties"]) == set(published)


def test_texts_give_the_plan_as_diff_gives_it(root: Path) -> None:
    content = planned(root, {"old_spec": OLD_TEXT, "new_spec": NEW_TEXT})
    plan = plan_change(OLD_TEXT, NEW_TEXT, old_file="old_spec", new_file="new_spec")
    assert content["plan"] == to_json(plan, old="old_spec", new="new_spec")
    assert content["plan"]["summary"]["safety"]["data-loss"] >= 1  # diff's key names
    assert (content["old"], content["new"]) == ("old_spec", "new_spec")
    assert content["safe"] is False
    assert content["summary"].startswith("old_spec -> new_spec: ")
    assert f"{len(plan.refused)} refused" in content["summary"]
    assert content["markdown"].startswith("### 🛑 Spec change: ")
    # Locations name the input they are in.
    assert any(step["location"].startswith("new_spec:") for step in content["plan"]["steps"])


def test_the_text_result_lists_what_needs_attention(root: Path) -> None:
    result, _ = call(root, {"old_spec": OLD_TEXT, "new_spec": NEW_TEXT})
    shown = text(result)
    plan = plan_change(OLD_TEXT, NEW_TEXT, old_file="old_spec", new_file="new_spec")
    for step in plan.refused:
        assert f"refused: {step.refused} (hint: {step.hint})" in shown
    assert "\nERR POST /api/v1/notes new-required-request-property: " in shown


def test_paths_under_the_root_are_planned_and_named_as_given(root: Path) -> None:
    content = planned(root, {"old_path": "v1.yaml", "new_path": "specs/v3.yaml"})
    assert (content["old"], content["new"]) == ("v1.yaml", "specs/v3.yaml")
    assert content["safe"] is True
    assert content["summary"].endswith("; safe to roll out online")
    assert [step["id"] for step in content["plan"]["steps"]] == ["add-column"]
    assert content["plan"]["steps"][0]["location"].startswith("specs/v3.yaml:")


def test_a_text_and_a_path_mix(root: Path) -> None:
    content = planned(root, {"old_path": "v1.yaml", "new_spec": NEW_TEXT})
    assert (content["old"], content["new"]) == ("v1.yaml", "new_spec")


def test_the_old_spec_can_come_from_a_git_revision(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    (root / "architect.yaml").write_text(OLD_TEXT)
    git("init", "-q")
    git("add", "architect.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "v1")
    (root / "architect.yaml").write_text(COMPATIBLE)
    content = planned(root, {"old_path": "git:HEAD:architect.yaml", "new_path": "architect.yaml"})
    assert content["old"] == "git:HEAD:architect.yaml"
    assert content["safe"] is True
    unknown, _ = call(root, {"old_path": "git:nope:architect.yaml", "new_path": "architect.yaml"})
    assert unknown.is_error
    assert "no git revision 'nope'" in text(unknown)
    outside, _ = call(root, {"old_path": "git:HEAD:../outside/notes.yaml", "new_spec": OLD_TEXT})
    assert outside.is_error
    assert "outside the server root" in text(outside)


def test_a_spec_with_problems_is_a_tool_error_naming_each_location(root: Path) -> None:
    problems = check_text(BAD, "bad.yaml").problems
    assert problems
    result, _ = call(root, {"old_path": "bad.yaml", "new_path": "v2.yaml"})
    assert result.is_error
    shown = text(result)
    assert shown.startswith("bad.yaml: 1 problem in the spec, so no change was planned")
    for problem in problems:
        location = problem.location
        assert f"bad.yaml:{location.line}:{location.column}: {problem.message}" in shown
    as_text, _ = call(root, {"old_spec": OLD_TEXT, "new_spec": BAD})
    assert as_text.is_error
    assert f"new_spec:{problems[0].location.line}:{problems[0].location.column}: " in text(as_text)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"new_spec": NEW_TEXT}, "give exactly one of `old_spec`"),
        ({"old_spec": OLD_TEXT, "old_path": "v1.yaml", "new_spec": NEW_TEXT}, "`old_spec`"),
        ({"old_spec": OLD_TEXT}, "give exactly one of `new_spec`"),
        ({"old_path": "missing.yaml", "new_spec": NEW_TEXT}, "no such file or directory"),
        ({"old_path": "../outside/notes.yaml", "new_spec": NEW_TEXT}, "outside the server root"),
        ({"old_path": "specs", "new_spec": NEW_TEXT}, "is a directory"),
        ({"old_path": "git:", "new_spec": NEW_TEXT}, "expected git:REF:path"),
    ],
)
def test_bad_input_is_a_tool_error(root: Path, arguments: dict[str, Any], message: str) -> None:
    result, _ = call(root, arguments)
    assert result.is_error
    assert message in text(result)
