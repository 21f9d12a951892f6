"""`fastapi-architect api-diff` end to end: files, FastAPI apps imported in a subprocess, git
revisions, exit codes, and every kind of bad input as one clear line, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_architect.cli import app

V1 = """
openapi: 3.1.0
info: {title: Tasks, version: "1"}
paths:
  /tasks:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/TaskCreate"}
      responses:
        "201": {description: Created}
components:
  schemas:
    TaskCreate:
      type: object
      required: [title]
      properties:
        title: {type: string}
"""
V2 = V1.replace("required: [title]", "required: [title, due]").replace(
    "title: {type: string}", "title: {type: string}\n        due: {type: string, format: date}"
)


def api_diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["api-diff", *args])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_a_new_required_request_property_fails_ci(tmp_path: Path) -> None:
    base, revision = write(tmp_path / "v1.yaml", V1), write(tmp_path / "v2.yaml", V2)
    code, out, _ = api_diff(str(base), str(revision))
    assert code == 1
    assert "POST /tasks" in out
    assert "new-required-request-property" in out
    code, out, _ = api_diff(str(base), str(revision), "--format", "json", "--fail-on", "never")
    assert code == 0
    changes = json.loads(out)["changes"]
    assert any(c["id"] == "new-required-request-property" and c["level"] == "ERR" for c in changes)
    # The other way round, the change is compatible.
    code, out, _ = api_diff(str(revision), str(base))
    assert code == 0, out
    ignore = write(tmp_path / "accepted", "POST /tasks new-required-request-property\n")
    code, _, _ = api_diff(str(base), str(revision), "--ignore", str(ignore))
    assert code == 0


def test_reports_go_to_a_file(tmp_path: Path) -> None:
    base, revision = write(tmp_path / "v1.yaml", V1), write(tmp_path / "v2.yaml", V2)
    target = tmp_path / "report.sarif"
    code, out, _ = api_diff(str(base), str(revision), "-f", "sarif", "-o", str(target))
    assert code == 1
    assert out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


BAD_INPUTS = {
    "malformed": ("openapi: 3.0.0\npaths: {/a: [\n", r"bad\.yaml:\d+:\d+: "),
    "swagger": ('swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n', r"Swagger 2\.0"),
    "dangling": (
        V1.replace("#/components/schemas/TaskCreate", "#/components/schemas/Missing"),
        r"#/components/schemas/Missing",
    ),
    "cyclic": (
        V1.replace(
            "    TaskCreate:\n",
            "    Loop: {$ref: '#/components/schemas/TaskCreate'}\n    TaskCreate:\n",
        ).replace(
            "      type: object\n      required: [title]\n      properties:\n        title: {type: string}\n",
            "      $ref: '#/components/schemas/Loop'\n",
        ),
        r"never reaches a definition: the references loop",
    ),
    "url": (
        V1.replace("#/components/schemas/TaskCreate", "https://example.com/task.yaml#/Task"),
        r"bad\.yaml:10:22: .*points to a URL; only local files are supported",
    ),
    "anchor": (
        V1.replace("#/components/schemas/TaskCreate", "#task-create"),
        r"bad\.yaml:10:22: .*plain-name fragment",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_located_line_and_exit_2(tmp_path: Path, case: str) -> None:
    text, expected = BAD_INPUTS[case]
    bad = write(tmp_path / "bad.yaml", text)
    good = write(tmp_path / "v1.yaml", V1)
    code, out, err = api_diff(str(bad), str(good))
    assert code == 2, out
    assert err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, err
    assert re.search(expected, err, re.IGNORECASE), err


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    good = write(tmp_path / "v1.yaml", V1)
    assert api_diff(str(good))[0] == 2  # no revision and no app
    assert api_diff(str(good), str(tmp_path / "missing.yaml"))[0] == 2
    assert api_diff("git:", str(good))[0] == 2


# ---------------------------------------------------------------- FastAPI applications

APP_V1 = """
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

app = FastAPI()
v1 = APIRouter(prefix="/api/v1")


class TaskIn(BaseModel):
    title: str
    note: str | None = None


class TaskOut(BaseModel):
    id: int
    title: str
    done: bool


@v1.post("/tasks", status_code=201)
def create_task(task: TaskIn) -> TaskOut:
    return TaskOut(id=1, title=task.title, done=False)


@v1.get("/tasks/{task_id}")
def get_task(task_id: int) -> TaskOut:
    return TaskOut(id=task_id, title="t", done=False)


app.include_router(v1)
"""


def fastapi_case(tmp_path: Path, revision_source: str) -> dict[str, set[tuple[str, str]]]:
    """The ids api-diff reports between APP_V1 and `revision_source`, by level, both taken
    from the apps through --app in a temporary folder."""
    base_dir, revision_dir = tmp_path / "base", tmp_path / "revision"
    write(base_dir / "main.py", APP_V1)
    write(revision_dir / "main.py", revision_source)
    # The base document straight from FastAPI, the revision through --app.
    base_json = tmp_path / "base.json"
    result = subprocess.run(
        [sys.executable, "-c", "import json, main; print(json.dumps(main.app.openapi()))"],
        cwd=base_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    base_json.write_text(result.stdout)
    code, out, err = api_diff(
        str(base_json), "--app", "main:app", "--app-dir", str(revision_dir),
        "--python", sys.executable, "--format", "json", "--fail-on", "never",
    )  # fmt: skip
    assert code == 0, err
    found: dict[str, set[tuple[str, str]]] = {"ERR": set(), "WARN": set(), "INFO": set()}
    for change in json.loads(out)["changes"]:
        found[change["level"]].add((change["operation"], change["id"]))
    return found


def test_a_field_that_gains_a_max_length_may_break_requests(tmp_path: Path) -> None:
    revision = APP_V1.replace(
        "from pydantic import BaseModel", "from pydantic import BaseModel, Field"
    ).replace("    title: str\n    note", "    title: str = Field(max_length=80)\n    note")
    found = fastapi_case(tmp_path, revision)
    # As oasdiff judges it: values longer than the new bound may be sent by today's clients.
    assert ("POST /api/v1/tasks", "request-property-max-length-set") in found["WARN"], found


def test_an_optional_field_that_becomes_required_breaks_requests(tmp_path: Path) -> None:
    revision = APP_V1.replace("    note: str | None = None", "    note: str")
    found = fastapi_case(tmp_path, revision)
    assert ("POST /api/v1/tasks", "request-property-became-required") in found["ERR"], found


def test_a_response_model_that_drops_a_field_may_break_clients(tmp_path: Path) -> None:
    revision = APP_V1.replace("    title: str\n    done: bool", "    title: str").replace(
        ", done=False", ""
    )
    found = fastapi_case(tmp_path, revision)
    removed = {op for op, change_id in found["WARN"] | found["ERR"] if "removed" in change_id}
    assert {"GET /api/v1/tasks/{task_id}", "POST /api/v1/tasks"} <= removed, found


def test_a_move_to_v2_with_v1_deprecated_is_not_breaking(tmp_path: Path) -> None:
    revision = APP_V1.replace("app.include_router(v1)", "").replace(
        '@v1.get("/tasks/{task_id}")', '@v1.get("/tasks/{task_id}", deprecated=True)'
    ) + textwrap.dedent(
        """
            v2 = APIRouter(prefix="/api/v2")


            @v2.get("/tasks/{task_id}")
            def get_task_v2(task_id: int) -> TaskOut:
                return TaskOut(id=task_id, title="t", done=False)


            app.include_router(v1)
            app.include_router(v2)
            """
    )
    found = fastapi_case(tmp_path, revision)
    assert found["ERR"] == set(), found
    assert ("GET /api/v2/tasks/{task_id}", "endpoint-added") in found["INFO"], found
    assert ("GET /api/v1/tasks/{task_id}", "endpoint-deprecated") in found["INFO"], found


def test_an_app_that_cannot_be_imported_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "main.py", "import not_a_module_anywhere\n")
    base = write(tmp_path / "v1.yaml", V1)
    code, _, err = api_diff(
        str(base), "--app", "main:app", "--app-dir", str(tmp_path), "--python", sys.executable
    )
    assert code == 2
    assert "ModuleNotFoundError: No module named 'not_a_module_anywhere'" in err


def test_a_pull_request_against_its_base_branch_through_git(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    write(tmp_path / "service" / "main.py", APP_V1)
    git("init", "-q")
    git("add", ".")
    git("commit", "-q", "-m", "v1")
    write(
        tmp_path / "service" / "main.py",
        APP_V1.replace("    note: str | None = None", "    note: str"),
    )
    code, out, err = api_diff(
        "git:HEAD", "--app", "main:app", "--app-dir", str(tmp_path / "service"),
        "--python", sys.executable,
    )  # fmt: skip
    assert code == 1, out + err
    assert "request-property-became-required" in out
    assert out.startswith("git:HEAD:app:main:app -> app:main:app")
    git("commit", "-q", "-am", "v2")
    code, out, _ = api_diff(
        "git:HEAD~1", "--app", "main:app", "--app-dir", str(tmp_path / "service"),
        "--python", sys.executable, "--fail-on", "never",
    )  # fmt: skip
    assert code == 0
    assert "request-property-became-required" in out


def test_the_docs_show_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    doc = (ROOT / "docs" / "api-diff.md").read_text(encoding="utf-8")
    shown = re.findall(r"```console\n\$ fastapi-architect api-diff (.*?)\n(.*?)```", doc, re.S)
    assert len(shown) == 2
    for arguments, printed in shown:
        code, out, _ = api_diff(*arguments.split())
        assert code == 1
        assert out == printed, arguments


def test_the_python_api_is_what_the_command_runs() -> None:
    from fastapi_architect import api_diff as public_api_diff
    from tests.conftest import ROOT

    examples = ROOT / "examples" / "openapi"
    report = public_api_diff(str(examples / "tasks-v1.yaml"), str(examples / "tasks-v2.yaml"))
    found = {(c.operation, c.id, c.level.name) for c in report.changes}
    assert ("POST /tasks", "new-required-request-property", "ERR") in found
    assert len(report.changes) == 6
