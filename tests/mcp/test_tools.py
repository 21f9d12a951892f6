"""Every tool called through an MCP client session against the in-process server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from fastapi_architect.mcp import build_server, tools
from tests.conftest import EXAMPLES, write_tree

APP = """\
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel

app = FastAPI()


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, index=True)


@app.get("/api/v1/items/{name}", response_model=Item)
def read_item(name: str, session: Session) -> Item:
    row = session.exec(text(f"SELECT * FROM item WHERE name = '{name}'")).first()
    return row
"""
T = TypeVar("T")
LEAK = 'SECRET_KEY = "s3cr3t-value-that-must-stay-outside"\n'
VALID_SPEC = """\
project: {name: notes}
resources:
  Note:
    owned: true
    fields:
      title: {type: string, max_length: 100}
"""
BAD_SPEC = """\
project: {name: notes}
resources:
  Note:
    fields:
      title: {type: strng}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project root holding a small app and a spec, beside a directory it must not reach."""
    write_tree(tmp_path / "outside", {"leak.py": LEAK, "secret.yaml": VALID_SPEC})
    return write_tree(tmp_path / "project", {"app/main.py": APP, "architect.yaml": VALID_SPEC})


def call(root: Path, name: str, arguments: dict[str, Any]) -> CallToolResult:
    async def go(client: Client) -> CallToolResult:
        return await client.call_tool(name, arguments)

    return session(root, go)


def session(root: Path, work: Callable[[Client], Awaitable[T]]) -> T:
    async def main() -> T:
        with anyio.fail_after(30):
            async with Client(build_server(root)) as client:
                return await work(client)

    return anyio.run(main)


def text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_tools_are_listed_read_only_with_output_schemas(root: Path):
    listed = session(root, lambda client: client.list_tools())
    by_name = {tool.name: tool for tool in listed.tools}
    assert set(by_name) == {"check_spec", "review", "survey", "explain_rule"}
    for tool in by_name.values():
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.output_schema is not None
        assert tool.description
    assert {"ok", "problems", "open_questions"} <= set(
        by_name["check_spec"].output_schema["properties"]
    )
    assert {"findings", "passed"} <= set(by_name["review"].output_schema["properties"])
    assert by_name["review"].input_schema["properties"]["select"]["description"]


# -- check_spec ------------------------------------------------------------------------------
def test_check_spec_text_valid_reports_resources_and_open_questions(root: Path):
    result = call(root, "check_spec", {"spec": (EXAMPLES / "taskflow.yaml").read_text()})
    assert not result.is_error
    data = result.structured_content
    assert data["ok"] is True
    assert data["problems"] == []
    assert [r["name"] for r in data["resources"]] == ["User", "Category", "Tag", "Task"]
    task = data["resources"][3]
    assert task["path"] == "/api/v1/tasks"
    assert task["owned"]
    assert task["soft_delete"]
    assert task["audit"]
    subjects = {q["subject"] for q in data["open_questions"]}
    assert "Task.status" in subjects
    assert "valid" in text(result)


def test_check_spec_bad_text_reports_problems_with_locations(root: Path):
    result = call(root, "check_spec", {"spec": BAD_SPEC})
    assert not result.is_error, "a bad spec is a successful check that found problems"
    data = result.structured_content
    assert data["ok"] is False
    [problem] = data["problems"]
    assert problem["location"] == {"file": "architect.yaml", "line": 5, "column": 21}
    assert problem["code"] == "bad-value"
    assert problem["hint"] == "did you mean 'string'?"
    assert "architect.yaml:5:21" in text(result)


def test_check_spec_file_under_root_reports_locations_relative_to_root(root: Path):
    (root / "specs").mkdir()
    (root / "specs" / "bad.yaml").write_text(BAD_SPEC)
    result = call(root, "check_spec", {"path": "specs/bad.yaml"})
    [problem] = result.structured_content["problems"]
    assert problem["location"]["file"] == "specs/bad.yaml"
    good = call(root, "check_spec", {"path": str(root / "architect.yaml")})
    assert good.structured_content["ok"] is True
    assert good.structured_content["file"] == "architect.yaml"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "give exactly one of `spec`"),
        ({"spec": VALID_SPEC, "path": "architect.yaml"}, "give exactly one of `spec`"),
        ({"path": "missing.yaml"}, "'missing.yaml': no such file"),
        ({"path": "app"}, "is a directory"),
    ],
)
def test_check_spec_usage_errors(root: Path, arguments: dict[str, str], message: str):
    result = call(root, "check_spec", arguments)
    assert result.is_error
    assert message in text(result)


# -- the root ------------------------------------------------------------------------------
def test_paths_climbing_out_of_the_root_are_refused(root: Path):
    for name, arguments in [
        ("check_spec", {"path": "../outside/secret.yaml"}),
        ("check_spec", {"path": "app/../../outside/secret.yaml"}),
        ("check_spec", {"path": str(root.parent / "outside" / "secret.yaml")}),
        ("review", {"path": "../outside"}),
        ("survey", {"path": ".."}),
    ]:
        result = call(root, name, arguments)
        assert result.is_error, (name, arguments)
        assert "is outside the server root" in text(result)
        assert result.structured_content is None


def test_symlinks_leading_out_of_the_root_are_refused(root: Path):
    (root / "spec-link.yaml").symlink_to(root.parent / "outside" / "secret.yaml")
    (root / "outside-dir").symlink_to(root.parent / "outside", target_is_directory=True)
    for name, arguments in [
        ("check_spec", {"path": "spec-link.yaml"}),
        ("review", {"path": "outside-dir"}),
        ("survey", {"path": "outside-dir/leak.py"}),
    ]:
        result = call(root, name, arguments)
        assert result.is_error, (name, arguments)
        assert "through a symbolic link" in text(result)


def test_review_skips_a_linked_file_that_leaves_the_root(root: Path):
    (root / "app" / "leak.py").symlink_to(root.parent / "outside" / "leak.py")
    result = call(root, "review", {"path": "app"})
    assert not result.is_error
    data = result.structured_content
    assert {"file": "leak.py", "line": 1, "message": "links outside the server root"} in data[
        "skipped"
    ]
    assert [f["rule_id"] for f in data["findings"]] == ["FA104"]


def test_symlinks_inside_the_root_are_followed(root: Path):
    (root / "spec-alias.yaml").symlink_to(root / "architect.yaml")
    result = call(root, "check_spec", {"path": "spec-alias.yaml"})
    assert result.structured_content["ok"] is True


# -- review ----------------------------------------------------------------------------------
def test_review_reports_findings_with_locations_and_fixes(root: Path):
    result = call(root, "review", {"path": "app"})
    assert not result.is_error
    data = result.structured_content
    assert data["passed"] is False
    assert data["files"] == 1
    assert data["counts"] == {"info": 0, "warning": 0, "error": 1}
    [finding] = data["findings"]
    assert finding["rule_id"] == "FA104"
    assert finding["slug"] == "sql-injection"
    assert finding["severity"] == "error"
    assert finding["location"] == {"file": "app/main.py", "line": 15, "column": 24}
    assert finding["fix"]
    assert "app/main.py:15:24: FA104 [error]" in text(result)


def test_review_select_ignore_and_fail_on(root: Path):
    ignored = call(root, "review", {"path": ".", "ignore": ["sql-injection"]})
    assert ignored.structured_content["findings"] == []
    assert ignored.structured_content["passed"] is True
    assert "FA104" not in ignored.structured_content["rules"]
    selected = call(root, "review", {"select": ["FA3"]})
    assert all(rule.startswith("FA3") for rule in selected.structured_content["rules"])
    assert selected.structured_content["findings"] == []
    lenient = call(root, "review", {"fail_on": "never"})
    assert lenient.structured_content["passed"] is True
    assert lenient.structured_content["counts"]["error"] == 1


def test_review_project_settings_apply(root: Path):
    (root / "pyproject.toml").write_text('[tool.fastapi-architect]\nignore = ["FA104"]\n')
    result = call(root, "review", {"path": "app"})
    assert result.structured_content["findings"] == []
    (root / "pyproject.toml").write_text('[tool.fastapi-architect]\nignore = ["FA999"]\n')
    broken = call(root, "review", {"path": "app"})
    assert broken.is_error
    assert "unknown rule code(s): FA999" in text(broken)


def test_review_unknown_rule_is_an_error(root: Path):
    result = call(root, "review", {"select": ["FA9"]})
    assert result.is_error
    assert "unknown rule code(s): FA9" in text(result)


def test_review_of_a_missing_path_is_an_error(root: Path):
    result = call(root, "review", {"path": "nowhere"})
    assert result.is_error
    assert "'nowhere': no such file or directory" in text(result)


# -- survey ----------------------------------------------------------------------------------
def test_survey_lists_routes_models_and_layers(root: Path):
    write_tree(root, {"app/services/items.py": "from app.main import Item\n"})
    result = call(root, "survey", {"path": "."})
    assert not result.is_error
    data = result.structured_content
    [route] = data["routes"]
    assert route["method"] == "GET"
    assert route["path"] == "/api/v1/items/{name}"
    assert route["handler"] == "read_item"
    assert route["auth"] is None
    assert route["response_model"] == "Item"
    assert route["location"] == {"file": "app/main.py", "line": 14, "column": 1}
    [model] = data["models"]
    assert model["name"] == "Item"
    columns = {c["name"]: c for c in model["columns"]}
    assert columns["id"]["primary_key"] is True
    assert columns["name"]["index"] is True
    assert {layer["name"] for layer in data["layers"]} == {"services"}
    assert "1 route (0 authenticated), 1 table model" in text(result)


# -- explain_rule ----------------------------------------------------------------------------
@pytest.mark.parametrize("rule", ["FA104", "fa104", "sql-injection"])
def test_explain_rule_by_id_or_slug(root: Path, rule: str):
    result = call(root, "explain_rule", {"rule": rule})
    assert not result.is_error
    data = result.structured_content
    assert (data["id"], data["slug"], data["severity"], data["cwe"]) == (
        "FA104",
        "sql-injection",
        "error",
        89,
    )
    titles = [section["title"] for section in data["sections"]]
    assert titles[:4] == ["What it does", "Why is this bad?", "Example", "Use instead"]
    assert text(result).startswith("# FA104 `sql-injection`")


def test_explain_unknown_rule_suggests_close_names(root: Path):
    result = call(root, "explain_rule", {"rule": "sql-injectoin"})
    assert result.is_error
    assert "no rule 'sql-injectoin'; did you mean sql-injection" in text(result)


# -- resilience ------------------------------------------------------------------------------
def test_a_failing_tool_returns_an_error_and_the_server_keeps_serving(
    root: Path, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tools, "review", broken)

    async def work(client: Client) -> tuple[CallToolResult, CallToolResult]:
        failed = await client.call_tool("review", {"path": "app"})
        after = await client.call_tool("check_spec", {"path": "architect.yaml"})
        return failed, after

    failed, after = session(root, work)
    assert failed.is_error
    assert text(failed) == "review failed unexpectedly: RuntimeError: disk on fire"
    assert after.structured_content["ok"] is True


def test_invalid_arguments_are_an_error_result(root: Path):
    result = call(root, "review", {"fail_on": "sometimes"})
    assert result.is_error
    assert "fail_on" in text(result)
