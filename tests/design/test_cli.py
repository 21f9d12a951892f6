"""`design SPEC -o DIR` and `design --from-code PATH -o DIR`: files, formats, exit codes,
and never a half-written or overwritten document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fastapi_architect.design.cli import register
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = ROOT / "tests" / "review" / "sample_app"
TASKFLOW = str(EXAMPLES / "taskflow.yaml")


def app() -> typer.Typer:
    application = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(application)

    @application.callback()
    def _root() -> None:
        """The command under test, as the main app mounts it."""

    return application


def design(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app(), ["design", *args])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_writes_the_document_and_its_adrs(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    code, stdout, _ = design(TASKFLOW, "-o", str(out))
    assert code == 0
    assert files_under(out) == [
        "adr/0001-authentication.md",
        "adr/0002-identifiers.md",
        "adr/0003-pagination.md",
        "adr/0004-soft-delete.md",
        "adr/0005-database.md",
        "adr/0006-ai.md",
        "architecture.md",
    ]
    assert (out / "architecture.md").read_text().startswith("# Taskflow API: architecture\n")
    assert "7 files written (33 endpoints, 9 tables, 6 ADRs)" in stdout


def test_json_format_writes_the_same_content_as_data(tmp_path: Path) -> None:
    assert design(TASKFLOW, "-o", str(tmp_path / "md"))[0] == 0
    assert design(TASKFLOW, "-o", str(tmp_path / "js"), "--format", "json")[0] == 0
    assert files_under(tmp_path / "js") == ["architecture.json"]
    data = json.loads((tmp_path / "js" / "architecture.json").read_text())
    markdown = (tmp_path / "md" / "architecture.md").read_text()
    for endpoint in data["endpoints"]:
        assert f"#### `{endpoint['method']} {endpoint['path']}`" in markdown
    for adr in data["adrs"]:
        path = tmp_path / "md" / "adr" / f"{adr['number']:04d}-{adr['slug']}.md"
        assert adr["decision"] in path.read_text()


def test_refuses_to_overwrite_design_files_without_force(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    assert design(TASKFLOW, "-o", str(out))[0] == 0
    (out / "architecture.md").write_text("edited by hand\n")
    code, _, stderr = design(TASKFLOW, "-o", str(out))
    assert code == 2
    assert "would overwrite" in stderr
    assert "--force" in stderr
    assert (out / "architecture.md").read_text() == "edited by hand\n"
    assert design(TASKFLOW, "-o", str(out), "--force")[0] == 0
    assert (out / "architecture.md").read_text().startswith("# Taskflow API")


def test_other_files_in_the_directory_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "index.md").write_text("mine\n")
    assert design(TASKFLOW, "-o", str(out))[0] == 0
    assert (out / "index.md").read_text() == "mine\n"
    assert not [p for p in out.rglob(".*") if p.is_file()]


def test_spec_problems_exit_1_and_write_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "architect.yaml"
    spec.write_text("project: {name: notes}\nresources:\n  Note:\n    fiels: {text: string}\n")
    code, _, stderr = design(str(spec), "-o", str(tmp_path / "docs"))
    assert code == 1
    assert f"{spec}:4:5: error: unknown key 'fiels'" in stderr
    assert not (tmp_path / "docs").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either a SPEC or --from-code PATH"),
        ([TASKFLOW, "--from-code", "."], "give either a SPEC or --from-code PATH"),
        ([TASKFLOW], "missing --output"),
        (["missing.yaml", "-o", "{out}"], "cannot read spec missing.yaml"),
        (["--from-code", "no/such/dir", "-o", "{out}"], "no/such/dir: no such file or directory"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    out = str(tmp_path / "docs")
    code, _, stderr = design(*(arg.replace("{out}", out) for arg in args))
    assert code == 2
    assert message in stderr
    assert not Path(out).exists()


def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    target.write_text("a file\n")
    code, _, stderr = design(TASKFLOW, "-o", str(target))
    assert code == 2
    assert "not a directory" in stderr
    assert target.read_text() == "a file\n"


def test_an_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    code, _, _ = design(TASKFLOW, "-o", str(tmp_path), "--format", "pdf")
    assert code == 2


def test_from_code_writes_one_document(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    code, stdout, _ = design("--from-code", str(SAMPLE_APP), "-o", str(out))
    assert code == 0
    assert files_under(out) == ["architecture.md"]
    assert "(17 endpoints, 2 tables, 0 ADRs)" in stdout
    assert "_Not known from the code: the migration history is not read._" in (
        (out / "architecture.md").read_text()
    )


def test_a_failure_inside_the_design_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fastapi_architect.design.document as document

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("no document today")

    monkeypatch.setattr(document, "design_from_spec", broken)
    code, _, stderr = design(TASKFLOW, "-o", str(tmp_path / "out"))
    assert code == 2
    assert stderr.strip() == "error: design stopped: RuntimeError: no document today"
    assert not (tmp_path / "out").exists()
