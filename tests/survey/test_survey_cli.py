"""The survey command: its formats, and usage errors without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from fastapi_architect.survey.cli import register

MAIN = """from fastapi import FastAPI
app = FastAPI()

@app.get("/api/v1/health")
def health() -> dict: ...
"""


def run(*args: str):
    app = typer.Typer(pretty_exceptions_enable=False)
    # A callback keeps `survey` a subcommand, as in the main app.
    app.callback()(lambda: None)
    register(app)
    return CliRunner().invoke(app, list(args))


def test_survey_command_formats(tmp_path: Path):
    root = tmp_path / "project"
    root.mkdir()
    (root / "main.py").write_text(MAIN, encoding="utf-8")
    text = run("survey", str(root))
    assert text.exit_code == 0
    assert "/api/v1/health" in text.output
    markdown = run("survey", str(root), "-f", "markdown")
    assert "| GET | `/api/v1/health` |" in markdown.stdout
    data = json.loads(run("survey", str(root), "-f", "json").stdout)
    assert data["routes"][0]["path"] == "/api/v1/health"
    target = tmp_path / "survey.md"
    assert run("survey", str(root), "-f", "markdown", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8") == markdown.stdout


def test_usage_errors_exit_2_without_traceback(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.fastapi-architect]\nexclude = 'not a list'\n", encoding="utf-8"
    )
    for args in (
        ("survey", str(tmp_path / "missing")),
        ("survey", str(tmp_path), "--format", "xml"),
        ("survey", str(tmp_path)),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output
