"""Every tool called through an MCP client session against the in-process server."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import pytest
from mcp import Client
from mcp.types import CallToolResult

from fastapi_architect.design import design_files, design_from_spec
from fastapi_architect.generate import LOCK_FILE
from fastapi_architect.mcp import build_server, design_tool, tools
from fastapi_architect.spec import check_text
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
    assert set(by_name) == {
        "check_spec",
        "design",
        "generate",
        "review",
        "survey",
        "api_diff",
        "plan_change",
        "explain_rule",
    }
    for tool in by_name.values():
        assert tool.annotations is not None
        writes = tool.name in {"generate", "design"}
        assert tool.annotations.read_only_hint is not writes
        assert tool.annotations.destructive_hint is writes
        assert tool.annotations.idempotent_hint is True
        assert tool.annotations.open_world_hint is False
        assert tool.output_schema is not None
        assert tool.description
    assert {"project", "written", "unchanged", "kept", "next_steps"} <= set(
        by_name["generate"].output_schema["properties"]
    )
    assert by_name["generate"].input_schema["required"] == ["target"]
    assert {"ok", "problems", "open_questions"} <= set(
        by_name["check_spec"].output_schema["properties"]
    )
    assert {"findings", "passed"} <= set(by_name["review"].output_schema["properties"])
    assert {
        "endpoints",
        "tables",
        "risks",
        "open_questions",
        "adrs",
        "written",
        "markdown",
        "excerpt",
    } <= set(by_name["design"].output_schema["properties"])
    assert "required" not in by_name["design"].input_schema
    assert set(by_name["design"].input_schema["properties"]) == {
        "spec_path",
        "spec",
        "from_code",
        "output",
        "overwrite",
    }
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
        ("generate", {"spec_path": "../outside/secret.yaml", "target": "api"}),
        ("generate", {"spec_path": "architect.yaml", "target": "../outside/api"}),
        ("generate", {"spec_path": "architect.yaml", "target": "app/../../api"}),
        ("generate", {"spec": VALID_SPEC, "target": str(root.parent / "api")}),
        ("design", {"spec_path": "../outside/secret.yaml"}),
        ("design", {"from_code": "../outside"}),
        ("design", {"from_code": "app/../.."}),
        ("design", {"spec_path": "architect.yaml", "output": "../outside/docs"}),
        ("design", {"spec": VALID_SPEC, "output": str(root.parent / "docs"), "overwrite": True}),
    ]:
        result = call(root, name, arguments)
        assert result.is_error, (name, arguments)
        assert "is outside the server root" in text(result)
        assert result.structured_content is None
    assert sorted(p.name for p in root.parent.iterdir()) == ["outside", "project"]
    assert sorted(p.name for p in (root.parent / "outside").iterdir()) == [
        "leak.py",
        "secret.yaml",
    ]


def test_symlinks_leading_out_of_the_root_are_refused(root: Path):
    (root / "spec-link.yaml").symlink_to(root.parent / "outside" / "secret.yaml")
    (root / "outside-dir").symlink_to(root.parent / "outside", target_is_directory=True)
    for name, arguments in [
        ("check_spec", {"path": "spec-link.yaml"}),
        ("review", {"path": "outside-dir"}),
        ("survey", {"path": "outside-dir/leak.py"}),
        ("generate", {"spec_path": "spec-link.yaml", "target": "api"}),
        ("generate", {"spec_path": "architect.yaml", "target": "outside-dir/api"}),
        ("generate", {"spec_path": "architect.yaml", "target": "outside-dir", "overwrite": True}),
        ("design", {"spec_path": "spec-link.yaml"}),
        ("design", {"from_code": "outside-dir"}),
        ("design", {"spec_path": "architect.yaml", "output": "outside-dir"}),
        ("design", {"spec_path": "architect.yaml", "output": "outside-dir/docs"}),
    ]:
        result = call(root, name, arguments)
        assert result.is_error, (name, arguments)
        assert "through a symbolic link" in text(result)
    assert not (root / "api").exists()
    assert sorted(p.name for p in (root.parent / "outside").iterdir()) == [
        "leak.py",
        "secret.yaml",
    ]


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


# -- generate --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project generated once from VALID_SPEC, for tests that start from one (copy it)."""
    base = write_tree(tmp_path_factory.mktemp("generated"), {"architect.yaml": VALID_SPEC})
    result = call(base, "generate", {"spec_path": "architect.yaml", "target": "notes"})
    assert not result.is_error, text(result)
    return base / "notes"


def test_generate_writes_a_project_that_reviews_clean(generated: Path):
    data = call(generated.parent, "survey", {"path": "notes"}).structured_content
    assert {route["handler"] for route in data["routes"]} >= {
        "list_notes",
        "create_note",
        "get_note",
        "update_note",
        "delete_note",
    }
    assert {model["table"] for model in data["models"]} >= {"notes", "users"}
    assert (generated / "architect.yaml").read_text() == VALID_SPEC
    assert (generated / "Makefile").is_file()
    assert (generated / LOCK_FILE).is_file()
    reviewed = call(generated.parent, "review", {"path": "notes", "fail_on": "info"})
    assert reviewed.structured_content["findings"] == []
    assert reviewed.structured_content["passed"] is True
    assert reviewed.structured_content["files"] > 20


def test_generate_reports_files_relative_to_the_root_and_next_steps(
    generated: Path, tmp_path: Path
):
    root = write_tree(tmp_path / "root", {"specs/notes.yaml": VALID_SPEC})
    result = call(root, "generate", {"spec_path": "specs/notes.yaml", "target": "services/notes"})
    assert not result.is_error, text(result)
    data = result.structured_content
    assert data["project"] == "services/notes"
    assert data["spec"] == "specs/notes.yaml"
    assert data["regenerated"] is False
    assert data["unchanged"] == []
    assert data["kept"] == []
    written = set(data["written"])
    expected = {f"services/notes/{p.relative_to(generated).as_posix()}" for p in files(generated)}
    assert written == expected
    assert {"services/notes/app/main.py", f"services/notes/{LOCK_FILE}"} <= written
    assert any("`make test` in services/notes" in step for step in data["next_steps"])
    summary = text(result)
    assert summary.startswith("services/notes: generated Notes from specs/notes.yaml: ")
    assert f"{len(written)} written, 0 unchanged, 0 kept" in summary
    assert "next: Run the generated tests: `make test` in services/notes" in summary
    assert not [p for p in root.rglob("*") if p.name.startswith(".notes.")], "no staging left"


def files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def test_generate_from_spec_text_and_regenerate_keeps_hand_edits(generated: Path, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(generated, root / "notes")
    main = root / "notes" / "app" / "main.py"
    edited = main.read_text() + "# edited by hand\n"
    main.write_text(edited)
    schema = root / "notes" / "app" / "schemas" / "note.py"
    schema.write_text("# mine too\n" + schema.read_text())
    changed_spec = VALID_SPEC + "      body: {type: text, required: false}\n"

    refused = call(root, "generate", {"spec": changed_spec, "target": "notes"})
    assert refused.is_error
    assert "'notes' is not empty" in text(refused)
    assert "overwrite=true" in text(refused)

    result = call(root, "generate", {"spec": changed_spec, "target": "notes", "overwrite": True})
    assert not result.is_error, text(result)
    data = result.structured_content
    assert data["regenerated"] is True
    assert data["spec"] == "architect.yaml"
    assert data["kept"] == []
    assert main.read_text() == edited
    assert data["merged"] == ["notes/app/schemas/note.py"]
    assert schema.read_text().startswith("# mine too\n")
    assert "body" in schema.read_text()
    assert data["conflicted"] == []
    assert data["revision"] == "notes/migrations/versions/0002_notes.py"
    assert "add_column" in (root / data["revision"]).read_text()
    assert "notes/architect.yaml" in data["written"]
    assert "notes/app/models/note.py" in data["written"]
    assert "notes/app/core/config.py" in data["unchanged"]
    assert (root / "notes" / "architect.yaml").read_text() == changed_spec
    assert "body" in (root / "notes" / "app" / "models" / "note.py").read_text()
    assert data["next_steps"][0] == (
        "Apply the new migration notes/migrations/versions/0002_notes.py: `alembic upgrade "
        "head` in notes."
    )
    assert "1 merged, 0 with conflicts; new migration" in text(result)


def test_a_spec_change_with_refused_steps_writes_nothing(generated: Path, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(generated, root / "notes")
    spec = root / "notes" / "architect.yaml"
    dropped = VALID_SPEC.replace(
        "title: {type: string, max_length: 100}", "body: {type: text, required: false}"
    )
    before = {p: p.read_bytes() for p in (root / "notes").rglob("*") if p.is_file()}
    result = call(root, "generate", {"spec": dropped, "target": "notes", "overwrite": True})
    assert result.is_error
    assert "refused" in text(result)
    assert "drop-column" in text(result)
    assert {p: p.read_bytes() for p in (root / "notes").rglob("*") if p.is_file()} == before
    assert spec.read_text() == VALID_SPEC


def test_a_generated_project_that_is_the_root_can_be_regenerated(generated: Path, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(generated, root)
    result = call(
        root, "generate", {"spec_path": "architect.yaml", "target": ".", "overwrite": True}
    )
    assert not result.is_error, text(result)
    data = result.structured_content
    assert (data["project"], data["regenerated"], data["written"], data["kept"]) == (
        ".",
        True,
        [],
        [],
    )
    assert "app/main.py" in data["unchanged"]


def test_regenerating_through_a_link_out_of_the_root_is_refused(generated: Path, tmp_path: Path):
    root = tmp_path / "root"
    shutil.copytree(generated, root / "notes")
    outside = write_tree(tmp_path / "outside", {"keep.txt": "mine\n"})
    shutil.rmtree(root / "notes" / "app" / "models")
    (root / "notes" / "app" / "models").symlink_to(outside, target_is_directory=True)
    result = call(root, "generate", {"spec_path": "notes/architect.yaml", "target": "notes"})
    assert result.is_error
    assert "not empty" in text(result)
    result = call(
        root,
        "generate",
        {"spec_path": "notes/architect.yaml", "target": "notes", "overwrite": True},
    )
    assert result.is_error
    assert "notes/app/models/" in text(result)
    assert "through a symbolic link" in text(result)
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]


def test_generate_refuses_a_spec_with_problems_and_writes_nothing(root: Path):
    (root / "bad.yaml").write_text(BAD_SPEC)
    for arguments in [
        {"spec_path": "bad.yaml", "target": "api"},
        {"spec": BAD_SPEC, "target": "api"},
    ]:
        result = call(root, "generate", arguments)
        assert result.is_error
        assert result.structured_content is None
        label = arguments.get("spec_path", "architect.yaml")
        message = text(result)
        assert message.startswith(f"{label}: 1 problem in the spec, so nothing was generated")
        assert f"{label}:5:21: " in message
        assert "[bad-value] (hint: did you mean 'string'?)" in message
    assert not (root / "api").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"target": "api"}, "give exactly one of `spec`"),
        (
            {"spec": VALID_SPEC, "spec_path": "architect.yaml", "target": "api"},
            "give exactly one of `spec`",
        ),
        ({"spec_path": "missing.yaml", "target": "api"}, "'missing.yaml': no such file"),
        ({"spec_path": "app", "target": "api"}, "is a directory"),
        ({"spec_path": "architect.yaml", "target": "app"}, "'app' is not empty"),
        ({"spec_path": "architect.yaml", "target": "."}, "'.' is not empty"),
        ({"spec_path": "architect.yaml", "target": "app/main.py"}, "is not a directory"),
        ({"spec_path": "architect.yaml", "target": ""}, "the path is empty"),
        ({"spec_path": "architect.yaml"}, "target"),
    ],
)
def test_generate_usage_errors(root: Path, arguments: dict[str, str], message: str):
    before = sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
    result = call(root, "generate", arguments)
    assert result.is_error
    assert message in text(result)
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == before


def test_generate_refuses_a_new_project_in_the_root_itself(tmp_path: Path):
    result = call(tmp_path, "generate", {"spec": VALID_SPEC, "target": "."})
    assert result.is_error
    assert "cannot be written into the server root itself" in text(result)
    assert list(tmp_path.iterdir()) == []


# -- design ----------------------------------------------------------------------------------
def tree(root: Path) -> dict[str, str]:
    """Every file under `root` with its text, to show that a call changed nothing."""
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def expected_design(spec: str, label: str) -> dict[str, str]:
    """The files the design API gives for `spec`: what the tool must return and write."""
    resolved = check_text(spec, label).spec
    assert resolved is not None
    return design_files(design_from_spec(resolved, label))


def test_design_from_a_spec_file_returns_the_document_and_writes_nothing(root: Path):
    taskflow = (EXAMPLES / "taskflow.yaml").read_text()
    write_tree(root, {"specs/taskflow.yaml": taskflow})
    before = tree(root)
    result = call(root, "design", {"spec_path": "specs/taskflow.yaml"})
    assert not result.is_error, text(result)
    data = result.structured_content
    document = expected_design(taskflow, "specs/taskflow.yaml")["architecture.md"]
    assert data["markdown"] == document
    assert (data["excerpt"], data["characters"]) == (False, len(document))
    assert (data["source"], data["origin"], data["title"]) == (
        "spec",
        "specs/taskflow.yaml",
        "Taskflow API",
    )
    assert (data["endpoints"], data["tables"]) == (33, 9)
    assert data["risks"] > 0
    assert data["adrs"][0] == "Authentication: builtin"
    assert len(data["adrs"]) == 6
    assert data["unknown"] == []
    question = data["open_questions"][0]
    assert question["location"] == {"file": "specs/taskflow.yaml", "line": 35, "column": 15}
    assert question["subject"] == "Task.status"
    assert "specs/taskflow.yaml:35:15" in data["markdown"]
    assert str(root) not in data["markdown"], "locations are relative to the root"
    assert (data["output"], data["written"], data["document"]) == (None, [], None)
    assert tree(root) == before
    summary = text(result)
    assert summary.startswith(
        "specs/taskflow.yaml: designed Taskflow API from the spec: 33 endpoints, 9 tables, "
    )
    assert "nothing written (give `output` to write it)" in summary
    assert "open question at specs/taskflow.yaml:35:15: Task.status: " in summary
    assert "ADR 0001: Authentication: builtin" in summary


def test_design_from_spec_text_is_the_design_of_the_same_file(root: Path):
    from_text = call(root, "design", {"spec": VALID_SPEC}).structured_content
    from_file = call(root, "design", {"spec_path": "architect.yaml"}).structured_content
    assert from_text == from_file
    assert from_text["origin"] == "architect.yaml"
    assert from_text["markdown"] == expected_design(VALID_SPEC, "architect.yaml")["architecture.md"]
    assert from_text["markdown"].startswith("# Notes")


def test_design_from_code_reads_a_generated_backend(generated: Path):
    result = call(generated.parent, "design", {"from_code": "notes"})
    assert not result.is_error, text(result)
    data = result.structured_content
    routes = call(generated.parent, "survey", {"path": "notes"}).structured_content["routes"]
    assert (data["source"], data["origin"]) == ("code", "notes")
    assert data["endpoints"] == len(routes) > 5
    assert data["tables"] >= 2
    assert data["adrs"] == []
    assert data["open_questions"] == []
    assert any(item.startswith("migration plan: ") for item in data["unknown"])
    assert "/notes/{note_id}` | get_current_caller |" in data["markdown"]
    assert "```mermaid\nerDiagram" in data["markdown"]
    assert data["written"] == []
    assert "designed notes from the code: " in text(result)
    assert "not known from the code (see `unknown`): " in text(result)


def test_design_from_code_skips_a_linked_file_that_leaves_the_root(root: Path):
    (root / "app" / "leak.py").symlink_to(root.parent / "outside" / "leak.py")
    result = call(root, "design", {"from_code": "app"})
    assert not result.is_error, text(result)
    data = result.structured_content
    assert {"file": "leak.py", "line": 1, "message": "links outside the server root"} in data[
        "skipped"
    ]
    assert data["endpoints"] == 1
    assert "s3cr3t" not in data["markdown"]


def test_design_writes_the_document_and_adrs_into_output(root: Path):
    write_tree(root, {"docs/notes.txt": "mine\n"})
    result = call(root, "design", {"spec_path": "architect.yaml", "output": "docs"})
    assert not result.is_error, text(result)
    data = result.structured_content
    expected = {
        f"docs/{name}": body for name, body in expected_design(VALID_SPEC, "architect.yaml").items()
    }
    assert data["written"] == list(expected)
    assert data["written"][:2] == ["docs/architecture.md", "docs/adr/0001-authentication.md"]
    assert {name: (root / name).read_text() for name in expected} == expected
    assert (root / "docs" / "notes.txt").read_text() == "mine\n"
    assert (data["output"], data["document"]) == ("docs", "docs/architecture.md")
    document = expected["docs/architecture.md"]
    assert len(document) > design_tool.MAX_DOCUMENT_CHARS
    assert data["excerpt"] is True
    assert data["characters"] == len(document)
    excerpt = data["markdown"]
    assert len(excerpt) <= design_tool.MAX_DOCUMENT_CHARS + len("```\n")
    assert excerpt.endswith("\n")
    assert document.startswith(excerpt.removesuffix("```\n"))
    assert sum(line.startswith("```") for line in excerpt.splitlines()) % 2 == 0
    assert f"the first {len(excerpt):,} of {len(document):,} characters" in text(result)
    assert "the whole document is docs/architecture.md" in text(result)
    assert "wrote 6 files to docs" in text(result)
    assert not [p for p in root.rglob(".*") if p.is_file()], "no staging left"


def test_design_returns_a_small_written_document_whole(root: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(design_tool, "MAX_DOCUMENT_CHARS", 10**7)
    result = call(root, "design", {"spec": VALID_SPEC, "output": "."})
    data = result.structured_content
    assert data["excerpt"] is False
    assert data["markdown"] == (root / "architecture.md").read_text()
    assert (data["output"], data["document"]) == (".", "architecture.md")
    assert "adr/0005-database.md" in data["written"]


def test_design_refuses_existing_design_files_unless_overwrite(root: Path):
    async def work(client: Client) -> list[CallToolResult]:
        arguments: dict[str, Any] = {"spec_path": "architect.yaml", "output": "docs"}
        first = await client.call_tool("design", arguments)
        (root / "docs" / "architecture.md").write_text("edited by hand\n")
        before = tree(root)
        refused = await client.call_tool("design", arguments)
        assert tree(root) == before, "a refused design writes nothing"
        replaced = await client.call_tool("design", {**arguments, "overwrite": True})
        return [first, refused, replaced]

    (root / "docs").mkdir()
    (root / "docs" / "keep.md").write_text("mine\n")
    first, refused, replaced = session(root, work)
    assert not first.is_error, text(first)
    assert refused.is_error
    assert refused.structured_content is None
    message = text(refused)
    assert message.startswith(
        "docs/architecture.md, docs/adr/0001-authentication.md, docs/adr/0002-identifiers.md, "
    )
    assert "already exist, so nothing was written; pass overwrite=true" in message
    assert not replaced.is_error, text(replaced)
    assert replaced.structured_content["written"] == first.structured_content["written"]
    assert (root / "docs" / "architecture.md").read_text().startswith("# Notes")
    assert (root / "docs" / "keep.md").read_text() == "mine\n"


def test_design_refuses_a_spec_with_problems_and_writes_nothing(root: Path):
    (root / "bad.yaml").write_text(BAD_SPEC)
    before = tree(root)
    for arguments in [
        {"spec_path": "bad.yaml", "output": "docs"},
        {"spec": BAD_SPEC, "output": "docs"},
    ]:
        result = call(root, "design", arguments)
        assert result.is_error
        assert result.structured_content is None
        label = arguments.get("spec_path", "architect.yaml")
        message = text(result)
        assert message.startswith(f"{label}: 1 problem in the spec, so nothing was designed; ")
        assert "and call `design` again:" in message
        assert f"{label}:5:21: " in message
        assert "[bad-value] (hint: did you mean 'string'?)" in message
    assert tree(root) == before


def test_design_through_a_link_out_of_the_root_is_refused(root: Path):
    outside = root.parent / "outside"
    (root / "docs").mkdir()
    (root / "docs" / "adr").symlink_to(outside, target_is_directory=True)
    result = call(root, "design", {"spec_path": "architect.yaml", "output": "docs"})
    assert result.is_error
    assert text(result).startswith("docs/adr/0001-authentication.md leads outside the server root")
    assert "through a symbolic link" in text(result)
    assert sorted(p.name for p in outside.iterdir()) == ["leak.py", "secret.yaml"]
    assert sorted(p.name for p in (root / "docs").iterdir()) == ["adr"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {},
            "give exactly one of `spec_path` (a spec file), `spec` (the spec text) or `from_code`",
        ),
        ({"spec": VALID_SPEC, "from_code": "app"}, "give exactly one of `spec_path`"),
        ({"spec": VALID_SPEC, "spec_path": "architect.yaml"}, "give exactly one of `spec_path`"),
        ({"spec_path": "missing.yaml"}, "'missing.yaml': no such file"),
        ({"spec_path": "app"}, "is a directory"),
        ({"from_code": "nowhere"}, "'nowhere': no such file or directory"),
        ({"spec_path": "architect.yaml", "output": "app/main.py"}, "is not a directory"),
        ({"spec_path": "architect.yaml", "output": ""}, "the path is empty"),
    ],
)
def test_design_usage_errors(root: Path, arguments: dict[str, str], message: str):
    before = tree(root)
    result = call(root, "design", arguments)
    assert result.is_error
    assert message in text(result)
    assert tree(root) == before


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


API_V1 = """openapi: 3.1.0
info: {title: Tasks, version: "1"}
paths:
  /tasks/{task_id}:
    get:
      parameters:
        - {name: task_id, in: path, required: true, schema: {type: integer}}
      responses:
        "200": {description: OK}
  /tags:
    get:
      responses:
        "200": {description: OK}
"""


def test_api_diff_classifies_changes_between_two_documents(root: Path):
    write_tree(root, {"v1.yaml": API_V1, "v2.yaml": API_V1.split("  /tags:")[0]})
    result = call(root, "api_diff", {"base": "v1.yaml", "revision": "v2.yaml"})
    assert not result.is_error, text(result)
    data = result.structured_content
    assert data["passed"] is False
    assert data["counts"]["ERR"] == 1
    assert [(c["operation"], c["level"]) for c in data["changes"]] == [("GET /tags", "ERR")]
    assert "ERR GET /tags" in text(result)
    passed = call(root, "api_diff", {"base": "v2.yaml", "revision": "v1.yaml"})
    assert passed.structured_content["passed"] is True
    outside = call(root, "api_diff", {"base": "../v1.yaml", "revision": "v2.yaml"})
    assert outside.is_error
    assert "outside the server root" in text(outside)
    broken = call(root, "api_diff", {"base": "v1.yaml"})
    assert broken.is_error
    assert "give a REVISION" in text(broken)
