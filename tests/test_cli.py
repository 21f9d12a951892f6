"""The command line: exit statuses, output formats and usage errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from fastapi_architect.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()


def test_check_valid_example_prints_summary_and_open_questions() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "taskflow.yaml")])
    assert result.exit_code == 0, result.output
    assert "taskflow.yaml: valid" in result.output
    assert (
        "Task      /api/v1/tasks  table tasks (11 columns)  [owned, soft delete, audit]"
        in result.output
    )
    assert (
        "9 tables (users, categories, tags, tasks, task_tags, refresh_tokens, audit_log, ai_usage, "
        "ai_budgets)" in result.output
    )
    assert "ai: summarize (streamed), suggest_priority (structured)" in result.output
    assert "Open questions (the default taken):" in result.output
    assert (
        "Task.status: filter with no index declared: served by ix_tasks_owner_id_status"
        in result.output
    )


def test_check_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    spec = tmp_path / "architect.yaml"
    spec.write_text(
        "project: {name: demo}\n"
        "resources:\n"
        "  Task:\n"
        "    fiels: {title: string}\n"
        "    filters: [status]\n"
    )
    result = runner.invoke(app, ["check", str(spec)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{spec}:4:5: error: unknown key 'fiels' in resource Task [unknown-key]",
        "  hint: did you mean 'fields'?",
        "",
        f"1 problem in {spec}",
    ]


def test_check_json_output_carries_problems(tmp_path: Path) -> None:
    spec = tmp_path / "architect.yaml"
    spec.write_text("project: {name: demo}\nresources: {Note: {fields: {text: strin}}}\n")
    result = runner.invoke(app, ["check", str(spec), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["spec"] is None
    assert [
        (p["location"]["line"], p["location"]["column"], p["code"]) for p in data["problems"]
    ] == [(2, 35, "bad-value")]


def test_check_json_output_carries_resolved_spec() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "shop.yaml"), "-f", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [r["name"] for r in data["spec"]["resources"]] == [
        "User",
        "Product",
        "Order",
        "OrderItem",
    ]
    assert data["problems"] == []


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "cannot read spec" in result.output
    assert "No such file" in result.output


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.output


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["check", "--bogus"]).exit_code == 2


def test_schema_writes_a_json_schema_file(tmp_path: Path) -> None:
    target = tmp_path / "schemas" / "architect.schema.json"
    result = runner.invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0
    schema = json.loads(target.read_text())
    assert schema["title"] == "fastapi-architect spec"
    assert list(tmp_path.joinpath("schemas").iterdir()) == [target]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("fastapi-architect 0.")


def test_console_script_runs_as_a_program(tmp_path: Path) -> None:
    executable = Path(sys.executable).parent / "fastapi-architect"
    spec = tmp_path / "bad.yaml"
    spec.write_text("project: {name: demo}\nresources: [Note]\n")
    completed = subprocess.run(
        [str(executable), "check", str(spec)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert (
        f"{spec}:2:12: error: 'resources' must be a mapping, not a list [bad-type]"
        in completed.stdout
    )
