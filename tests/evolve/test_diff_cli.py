"""`fastapi-architect diff` end to end: exit codes for each --fail-on, each format, specs read
from git revisions, and every kind of bad input as a clear message, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from fastapi_architect.cli import app
from fastapi_architect.evolve.render import json_schema
from tests.conftest import ROOT

V1 = """\
project: {name: notes}
auth: {mode: none}
resources:
  Note:
    fields:
      body: text
      status: {type: enum, values: [draft, published]}
      legacy: {type: string, required: false}
"""
# Safe online, and compatible for clients.
NULLABLE = V1 + "      summary: {type: string, required: false}\n"
# Made required: rows holding NULL need a backfill (the default); compatible for clients.
WITH_DEFAULT = V1.replace(
    "legacy: {type: string, required: false}", "legacy: {type: string, default: none}"
)
# Refused: dropping a field loses its values.
DROPPED = V1.replace("      legacy: {type: string, required: false}\n", "")
# A problem at line 8, column 15: no such type.
BROKEN = V1.replace("legacy: {type: string", "legacy: {type: strin")


def diff(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["diff", *args])
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def specs(tmp_path: Path) -> dict[str, str]:
    """Each spec above as a file; their paths by name."""
    texts = {
        "v1": V1,
        "nullable": NULLABLE,
        "default": WITH_DEFAULT,
        "dropped": DROPPED,
        "broken": BROKEN,
    }
    return {name: str(write(tmp_path / f"{name}.yaml", text)) for name, text in texts.items()}


@pytest.mark.parametrize(
    ("new", "fail_on", "code"),
    [
        # No change at all: nothing fails, not even `any`.
        ("v1", "any", 0),
        ("v1", "unsafe", 0),
        # A nullable field: safe online and compatible; only `any` counts it.
        ("nullable", "any", 1),
        ("nullable", "unsafe", 0),
        ("nullable", "breaking", 0),
        # A required field with a default: a backfill, not safe online; not breaking.
        ("default", "unsafe", 1),
        ("default", "breaking", 1),  # null no longer accepted on input
        ("default", "never", 0),
        # A dropped field: refused (and breaking for clients) under every level but never.
        ("dropped", "unsafe", 1),
        ("dropped", "breaking", 1),
        ("dropped", "never", 0),
    ],
)
def test_exit_status_follows_fail_on(
    specs: dict[str, str], new: str, fail_on: str, code: int
) -> None:
    result = diff(specs["v1"], specs[new], "--fail-on", fail_on)
    assert result[0] == code, result


def test_the_default_fails_on_what_is_not_safe_online(specs: dict[str, str]) -> None:
    assert diff(specs["v1"], specs["nullable"])[0] == 0
    code, out, _ = diff(specs["v1"], specs["default"])
    assert code == 1
    assert "[needs a backfill]" in out
    code, out, _ = diff(specs["v1"], specs["dropped"])
    assert code == 1
    assert "[loses data]  REFUSED" in out
    assert "hint:    pass --allow-data-loss" in out


def test_text_names_both_specs_and_ends_with_a_summary(specs: dict[str, str]) -> None:
    _, out, _ = diff(specs["v1"], specs["default"])
    assert out.startswith(f"{specs['v1']} -> {specs['default']}\n")
    assert f"where:   {specs['default']}:8:7" in out
    assert out.splitlines()[-1].startswith("2 steps (1 safe online, 1 needs a backfill); 0 refused")
    _, out, _ = diff(specs["v1"], specs["v1"])
    assert (
        out
        == f"{specs['v1']} -> {specs['v1']}\n\nno changes between {specs['v1']} and {specs['v1']}\n"
    )


def test_json_is_valid_against_the_published_schema(specs: dict[str, str]) -> None:
    code, out, _ = diff(specs["v1"], specs["dropped"], "--format", "json")
    assert code == 1
    data = json.loads(out)
    jsonschema.Draft202012Validator(json_schema()).validate(data)
    assert data["old"] == specs["v1"]
    assert data["summary"]["refused"] == 1
    assert [step["id"] for step in data["steps"]] == ["drop-column"]
    assert any(change["level"] == "ERR" for change in data["api"])


def test_markdown_and_a_report_file(specs: dict[str, str], tmp_path: Path) -> None:
    code, out, _ = diff(specs["v1"], specs["default"], "-f", "markdown")
    assert code == 1
    assert out.startswith("### 🛑 Spec change: 2 steps")
    target = tmp_path / "plan.md"
    code, out, _ = diff(specs["v1"], specs["default"], "-f", "markdown", "-o", str(target))
    assert (code, out) == (1, "")
    assert target.read_text(encoding="utf-8").startswith("### 🛑 Spec change")
    code, _, err = diff(specs["v1"], specs["default"], "-o", str(tmp_path / "nowhere" / "x"))
    assert code == 2
    assert "error: cannot write" in err


def test_a_spec_with_problems_is_shown_where_they_are(specs: dict[str, str]) -> None:
    code, out, err = diff(specs["v1"], specs["broken"])
    assert code == 2
    assert out == ""
    assert re.search(rf"^{re.escape(specs['broken'])}:8:\d+: error: ", err, re.M), err
    assert f"error: 1 problem in {specs['broken']}" in err
    # The old spec is checked as well.
    code, _, err = diff(specs["broken"], specs["v1"])
    assert code == 2
    assert f"{specs['broken']}:8:" in err


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.yaml", "{v1}"], "error: missing.yaml: no such file"),
        (["{v1}", "{dir}"], "no such file"),
        (["git:", "{v1}"], "expected git:REF:path"),
        (["git:HEAD", "{v1}"], "expected git:REF:path"),
    ],
)
def test_unreadable_input_is_a_usage_error(
    specs: dict[str, str], tmp_path: Path, arguments: list[str], message: str
) -> None:
    filled = [a.format(v1=specs["v1"], dir=str(tmp_path)) for a in arguments]
    code, out, err = diff(*filled)
    assert code == 2
    assert out == ""
    assert message in err


def test_a_bad_format_or_fail_on_is_a_usage_error(specs: dict[str, str]) -> None:
    assert diff(specs["v1"], specs["v1"], "--format", "sarif")[0] == 2
    assert diff(specs["v1"], specs["v1"], "--fail-on", "ERR")[0] == 2


def test_a_binary_file_is_a_usage_error(specs: dict[str, str], tmp_path: Path) -> None:
    binary = tmp_path / "spec.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    code, _, err = diff(specs["v1"], str(binary))
    assert code == 2
    assert "not UTF-8 text" in err


# ---------------------------------------------------------------- git sources


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with v1 committed as architect.yaml; the current directory."""
    write(tmp_path / "architect.yaml", V1)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_change_against_the_committed_spec(repository: Path) -> None:
    write(repository / "architect.yaml", DROPPED)
    code, out, _ = diff("git:HEAD:architect.yaml", "architect.yaml")
    assert code == 1
    assert out.startswith("git:HEAD:architect.yaml -> architect.yaml\n")
    # A removal is located in the old spec: the file at that revision.
    assert "where:   git:HEAD:architect.yaml:8:7" in out
    # Both sides from git: the commit before and the commit now.
    git(repository, "commit", "-q", "-am", "v2")
    code, out, _ = diff("git:HEAD~1:architect.yaml", "git:HEAD:architect.yaml", "-f", "json")
    assert code == 1
    assert [step["id"] for step in json.loads(out)["steps"]] == ["drop-column"]
    assert diff("git:HEAD:architect.yaml", "architect.yaml")[0] == 0


def test_git_paths_are_relative_to_the_current_directory(
    repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(repository / "api" / "architect.yaml", NULLABLE)
    git(repository, "add", ".")
    git(repository, "commit", "-q", "-m", "nested")
    monkeypatch.chdir(repository / "api")
    code, out, _ = diff("git:HEAD~1:../architect.yaml", "git:HEAD:architect.yaml")
    assert code == 0, out
    assert "column notes.summary" in out


@pytest.mark.parametrize(
    ("old", "message"),
    [
        (
            "git:nosuchref:architect.yaml",
            "git:nosuchref:architect.yaml: no git revision 'nosuchref'",
        ),
        ("git:HEAD:missing.yaml", "git:HEAD:missing.yaml: git show HEAD:missing.yaml: fatal:"),
        ("git:HEAD:../outside.yaml", "../outside.yaml is outside the repository"),
    ],
)
def test_a_bad_git_source_is_a_usage_error(repository: Path, old: str, message: str) -> None:
    code, out, err = diff(old, "architect.yaml")
    assert code == 2
    assert out == ""
    assert message in err, err


def test_git_sources_outside_a_repository_are_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "architect.yaml", V1)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    code, _, err = diff("git:HEAD:architect.yaml", "architect.yaml")
    assert code == 2
    assert "not a git repository" in err


# ---------------------------------------------------------------- the docs


def console_blocks(doc: str, command: str) -> list[tuple[str, str]]:
    """The (arguments, output) of each ```console block of `doc` that runs `command`."""
    return re.findall(rf"```console\n\$ {re.escape(command)} (.*?)\n(.*?)```", doc, re.S)


def test_the_docs_show_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    doc = (ROOT / "docs" / "evolve.md").read_text(encoding="utf-8")
    shown = console_blocks(doc, "fastapi-architect diff")
    assert shown
    for arguments, printed in shown:
        code, out, _ = diff(*arguments.split())
        assert code in (0, 1), arguments
        assert out == printed, arguments
