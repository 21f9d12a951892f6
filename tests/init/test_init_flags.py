"""`fastapi-architect init` without a terminal: from flags, `--yes` or `--example`. Every spec
it writes passes `check`, it never replaces a file without `--force`, and a flag the checker
refuses is named in the error."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from fastapi_architect import check_file, load_spec
from fastapi_architect.cli import app
from fastapi_architect.init import SCHEMA_LINE, examples_dir
from fastapi_architect.init.answers import AUTH_MODES, ENGINES
from fastapi_architect.init.cli import Auth, Database, Example
from fastapi_architect.spec.document import AuthMode
from tests.conftest import EXAMPLES

runner = CliRunner()

RESOURCE_SETS: dict[str, list[str]] = {
    "default": [],
    "one": ["Book=title"],
    "several": [
        "Project=name,archived:boolean",
        "Task=title,body:text?,status:enum(todo|doing|done),due:datetime?,priority:integer,"
        "budget:decimal?,ratio:float?,day:date?,site:url?,contact:email?,code:slug?,"
        "ref:uuid?,meta:json?,project:Project?",
    ],
    "linked to users": ["Post=title,body:text,author:User?"],
}
JWKS_FLAGS = [
    "--jwks-url",
    "https://login.example.org/.well-known/jwks.json",
    "--issuer",
    "https://login.example.org",
    "--audience",
    "api://bookshelf",
]


def init(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["init", *args])
    return result.exit_code, result.output


def combinations() -> list[tuple[str | None, str | None, str, bool]]:
    out = []
    for auth, database, resources in itertools.product(
        [None, *AUTH_MODES], [None, *ENGINES], RESOURCE_SETS
    ):
        if resources == "linked to users" and auth == "none":
            continue  # no users to link to: refused, tested below
        out.append((auth, database, resources, False))
        if auth == "jwks":
            out.append((auth, database, resources, True))
    return out


@pytest.mark.parametrize(("auth", "database", "resources", "issuer"), combinations())
def test_every_flag_combination_writes_a_spec_that_passes_check(
    tmp_path: Path, auth: str | None, database: str | None, resources: str, issuer: bool
) -> None:
    args = [str(tmp_path), "--name", "bookshelf"]
    args += ["--auth", auth] if auth else []
    args += ["--database", database] if database else []
    args += JWKS_FLAGS if issuer else []
    for resource in RESOURCE_SETS[resources]:
        args += ["--resource", resource]
    code, output = init(*args)
    assert code == 0, output

    spec_file = tmp_path / "architect.yaml"
    result = check_file(spec_file)
    assert result.ok, [p.render() for p in result.problems]
    assert spec_file.read_text().splitlines()[0] == SCHEMA_LINE
    assert json.loads((tmp_path / "architect.schema.json").read_text())["$id"].endswith(
        "architect.schema.json"
    )
    spec = load_spec(spec_file)
    assert spec.project.name == "bookshelf"
    assert spec.auth.mode == (auth or "builtin")
    assert spec.database.engine == (database or "postgresql")
    names = [r.name for r in spec.resources if not r.builtin]
    wanted = [r.partition("=")[0] for r in RESOURCE_SETS[resources]] or ["Note"]
    assert names == wanted
    for resource in spec.resources:
        if not resource.builtin:
            assert resource.owned is ((auth or "builtin") != "none")
    if issuer:
        assert spec.auth.jwks is not None
        assert spec.auth.jwks.issuer == "https://login.example.org"
        assert spec.auth.jwks.audience == "api://bookshelf"
    assert f"wrote {spec_file}" in output


def resource_flags(name: str) -> list[str]:
    return [arg for resource in RESOURCE_SETS[name] for arg in ("-r", resource)]


def test_the_several_resources_come_out_as_typed(tmp_path: Path) -> None:
    code, output = init(str(tmp_path), "--name", "work", *resource_flags("several"))
    assert code == 0, output
    spec = load_spec(tmp_path / "architect.yaml")
    task = next(r for r in spec.resources if r.name == "Task")
    fields = {f.name: f for f in task.fields}
    assert fields["status"].type == "enum"
    assert list(fields["status"].values) == ["todo", "doing", "done"]
    assert fields["status"].default == "todo"
    assert fields["body"].required is False
    assert fields["title"].required is True
    assert fields["priority"].type == "integer"
    assert {r.name: r.target for r in task.relations}["project"] == "Project"


@pytest.mark.parametrize("example", list(Example))
def test_each_example_is_written_as_shipped_with_the_schema_line(
    tmp_path: Path, example: Example
) -> None:
    code, output = init(str(tmp_path), "--example", example.value)
    assert code == 0, output
    written = (tmp_path / "architect.yaml").read_text()
    shipped = (EXAMPLES / f"{example.value}.yaml").read_text()
    assert written == f"{SCHEMA_LINE}\n{shipped}"
    assert check_file(tmp_path / "architect.yaml").ok
    assert f"the {example.value} example" in output


def test_the_choices_are_the_spec_formats_own() -> None:
    assert [a.value for a in Auth] == list(get_args(AuthMode)) == list(AUTH_MODES)
    assert [d.value for d in Database] == list(ENGINES) == ["postgresql", "sqlite"]
    folder = examples_dir()
    assert folder is not None
    assert sorted(e.value for e in Example) == sorted(p.stem for p in folder.glob("*.yaml"))


def test_the_schema_beside_the_spec_is_the_schema_command_s(tmp_path: Path) -> None:
    assert init(str(tmp_path), "--yes")[0] == 0
    printed = runner.invoke(app, ["schema"]).stdout
    assert (tmp_path / "architect.schema.json").read_text() == printed


def test_without_flags_and_without_a_terminal_it_takes_the_defaults(tmp_path: Path) -> None:
    target = tmp_path / "Reading List"
    code, output = init(str(target))
    assert code == 0, output
    spec = load_spec(target / "architect.yaml")
    assert spec.project.name == "reading-list"
    assert [r.name for r in spec.resources if not r.builtin] == ["Note"]
    assert spec.auth.mode == "builtin"


def test_it_prints_the_next_two_commands_and_they_work(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = init("--name", "shelf", "-r", "Book=title")
    assert code == 0, output
    lines = output.splitlines()
    at = lines.index("next:")
    assert lines[at + 1 :] == [
        "  fastapi-architect check architect.yaml",
        "  fastapi-architect new architect.yaml -o backend",
    ]
    checked = runner.invoke(app, lines[at + 1].split()[1:])
    assert checked.exit_code == 0, checked.output
    assert "architect.yaml: valid" in checked.output


def test_the_commented_suggestions_are_valid_when_uncommented(tmp_path: Path) -> None:
    code, _ = init(str(tmp_path), "--name", "work", *resource_flags("several"))
    assert code == 0
    spec_file = tmp_path / "architect.yaml"
    text = spec_file.read_text()
    uncommented = re.sub(r"^    # (filters|sort|search): ", r"    \1: ", text, flags=re.MULTILINE)
    assert uncommented.count("    filters: [") == 2
    assert "    search: [title, body]" in uncommented
    spec_file.write_text(uncommented)
    result = check_file(spec_file)
    assert result.ok, [p.render() for p in result.problems]


def test_it_never_replaces_a_file_without_force(tmp_path: Path) -> None:
    spec_file = tmp_path / "architect.yaml"
    spec_file.write_text("# mine\n")
    code, output = init(str(tmp_path), "--yes")
    assert code == 2
    assert f"error: {spec_file} already exists: nothing written (--force replaces)" in output
    assert spec_file.read_text() == "# mine\n"
    assert not (tmp_path / "architect.schema.json").exists()

    spec_file.unlink()
    (tmp_path / "architect.schema.json").write_text("{}")
    code, output = init(str(tmp_path), "--example", "blog")
    assert code == 2
    assert "architect.schema.json already exists" in output
    assert not spec_file.exists()

    spec_file.write_text("# mine\n")
    code, output = init(str(tmp_path), "--example", "blog", "--force")
    assert code == 0, output
    assert "architect.yaml and" in output or "already" not in output
    assert check_file(spec_file).ok
    assert (tmp_path / "architect.schema.json").read_text() != "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["architect.schema.json", "architect.yaml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--name", "My App"],
            "error: --name 'My App': project name 'My App' must be lowercase letters, digits, "
            "'-' or '_', starting with a letter (at most 50 characters) [bad-name]\n"
            "  hint: use 'my-app'",
        ),
        (
            ["-r", "Note=title,from"],
            "error: --resource 'Note=title,from': 'from', a field of Note, is a Python keyword "
            "[reserved-name]\n  hint: use 'from_' or another word",
        ),
        (
            ["-r", "note=title"],
            "error: --resource 'note=title': resource name 'note' must be PascalCase (letters "
            "and digits) [bad-name]\n  hint: use 'Note'",
        ),
        (
            ["-r", "Note=title:strin"],
            "error: --resource 'Note=title:strin': resource Note: field 'title': unknown type "
            "'strin'; the types are string, text, integer",
        ),
        (
            ["-r", "Note=title:String"],
            "error: --resource 'Note=title:String': resource Note: field 'title': unknown type "
            "'String' (did you mean 'string'?)",
        ),
        (
            ["-r", "Note=status:enum()"],
            "field 'status': list the choices, e.g. status:enum(todo|done)",
        ),
        (
            ["-r", "Note"],
            "error: --resource 'Note': cannot read resource 'Note': write NAME=FIELDS",
        ),
        (["-r", "Note="], "resource Note: give at least one field"),
        (["-r", "Note=a,a"], "field 'a' is listed twice"),
        (["-r", "Note=a", "-r", "Note=b"], "error: --resource 'Note=b': Note is given twice"),
        (
            ["-r", "Task=title,project:Project"],
            "error: --resource 'Task=title,project:Project': relation Task.project points to "
            "unknown resource 'Project' [unknown-resource]\n"
            "  hint: declare it under resources, or use one of 'User', 'Task'",
        ),
        (
            ["--auth", "none", "-r", "Post=title,author:User"],
            "error: --resource 'Post=title,author:User':",
        ),
        (
            ["--example", "taskflow", "--name", "x"],
            "error: --example writes the example as it is: give it without the other spec flags",
        ),
        (
            ["--issuer", "https://x.example"],
            "error: --jwks-url, --issuer and --audience go with --auth jwks",
        ),
        (["--auth", "oauth"], "Invalid value for '--auth'"),
        (["--example", "todo"], "Invalid value for '--example'"),
    ],
)
def test_a_refused_flag_is_named_and_nothing_is_written(
    tmp_path: Path, args: list[str], message: str
) -> None:
    code, output = init(str(tmp_path / "new"), *args)
    assert code == 2
    assert message in output
    assert "Traceback" not in output
    assert not (tmp_path / "new").exists()


def test_a_directory_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    code, output = init(str(tmp_path / "file"), "--yes")
    assert code == 2
    assert f"error: {tmp_path / 'file'}: not a directory" in output
    code, output = init(str(tmp_path / "file" / "sub"), "--yes")
    assert code == 2
    assert f"error: cannot write {tmp_path / 'file'}" in output
    assert "Traceback" not in output
