"""api-diff on a generated backend through its app factory: a spec change that adds a
required field is caught against the committed version, as CI would run it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_architect import load_spec
from fastapi_architect.cli import app
from fastapi_architect.generate import generate_project

# The group that already builds the generated projects' virtualenv on its worker.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends-b")]


def test_a_new_required_field_in_the_spec_breaks_the_committed_api(
    tmp_path: Path, projects: dict[str, Path], venv: Path
) -> None:
    project = tmp_path / "taskflow"
    shutil.copytree(projects["taskflow"], project)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=project,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "generated")
    spec = project / "architect.yaml"
    text = spec.read_text().replace(
        "      priority:", "      estimate: {type: integer, min: 0, max: 100}\n      priority:", 1
    )
    spec.write_text(text)
    generate_project(load_spec(spec), text, project, force=True)
    arguments = [
        "api-diff", "git:HEAD", "--app", "app.main:create_app", "--app-dir", str(project),
        "--python", str(venv / "bin" / "python"), "--format", "json",
    ]  # fmt: skip
    result = CliRunner().invoke(app, arguments, env={"APP_ENV": "test"})
    assert result.exit_code == 1, result.stdout + result.stderr
    changes = {(c["operation"], c["id"], c["level"]) for c in json.loads(result.stdout)["changes"]}
    assert ("POST /api/v1/tasks", "new-required-request-property", "ERR") in changes, changes
    assert all(
        level != "ERR" or operation == "POST /api/v1/tasks" for operation, _, level in changes
    )
