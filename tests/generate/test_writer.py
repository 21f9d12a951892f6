"""Writing projects: refused into non-empty folders, never half-written, and regeneration
that keeps hand edits."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fastapi_architect import load_spec
from fastapi_architect.cli import app
from fastapi_architect.generate import NEW_SUFFIX, GenerateError, generate_project, writer
from tests.conftest import EXAMPLES

SPEC = EXAMPLES / "taskflow.yaml"
runner = CliRunner()


def generate(target: Path, *, force: bool = False) -> writer.WriteReport:
    return generate_project(load_spec(SPEC), SPEC.read_text(), target, force=force)


def test_new_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(GenerateError, match="not empty"):
        generate(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_new_fills_an_empty_directory(tmp_path: Path) -> None:
    report = generate(tmp_path)
    assert (tmp_path / "app" / "main.py").is_file()
    assert len(report.written) > 50


def test_a_failure_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object, **__: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "rename", broken)
    with pytest.raises(OSError, match="disk full"):
        generate(tmp_path / "project")
    assert list(tmp_path.iterdir()) == []


def test_regeneration_keeps_hand_edits(tmp_path: Path) -> None:
    generate(tmp_path)
    edited = tmp_path / "app" / "services" / "task.py"
    edited.write_text(edited.read_text() + "\n# a business rule added by hand\n")
    untouched = tmp_path / "app" / "services" / "tag.py"
    untouched.unlink()
    (tmp_path / "notes.md").write_text("mine")
    report = generate(tmp_path, force=True)
    assert "a business rule added by hand" in edited.read_text()
    assert (edited.parent / f"task.py{NEW_SUFFIX}").is_file()
    assert report.kept == ["app/services/task.py"]
    assert report.written == ["app/services/tag.py"]
    assert untouched.is_file()
    assert (tmp_path / "notes.md").read_text() == "mine"
    again = generate(tmp_path, force=True)
    assert again.kept == ["app/services/task.py"]
    assert again.written == []


def test_cli_new_and_generate(tmp_path: Path) -> None:
    target = tmp_path / "tf"
    first = runner.invoke(app, ["new", str(SPEC), "-o", str(target)])
    assert first.exit_code == 0, first.output
    assert "written" in first.output
    refused = runner.invoke(app, ["new", str(SPEC), "-o", str(target)])
    assert refused.exit_code == 2
    assert "not empty" in refused.output
    regenerated = runner.invoke(app, ["generate", str(target)])
    assert regenerated.exit_code == 0, regenerated.output
    assert "0 written" in regenerated.output


def test_cli_new_with_a_broken_spec_writes_nothing(tmp_path: Path) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("project: {name: demo}\nresources: {Note: {fiels: {}}}\n")
    result = runner.invoke(app, ["new", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "unknown key 'fiels'" in result.output
    assert not (tmp_path / "out").exists()


def test_an_existing_empty_directory_keeps_its_identity(tmp_path: Path) -> None:
    target = tmp_path / "project"
    target.mkdir()
    inode = target.stat().st_ino
    generate(target)
    assert target.stat().st_ino == inode
    assert (target / "app" / "main.py").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["project"]


def test_regeneration_refuses_links_leading_outside(tmp_path: Path) -> None:
    project = tmp_path / "project"
    generate(project)
    outside = tmp_path / "outside"
    outside.mkdir()
    models = project / "app" / "models"
    for path in models.iterdir():
        path.unlink()
    models.rmdir()
    models.symlink_to(outside, target_is_directory=True)
    with pytest.raises(GenerateError, match="leads outside"):
        generate(project, force=True)
    assert list(outside.iterdir()) == []
