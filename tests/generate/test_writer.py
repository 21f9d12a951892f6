"""Writing projects: refused into non-empty folders, never half-written, and regeneration
that keeps hand edits (merged with the generator's changes when the previous rendering is
known)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fastapi_architect import load_spec
from fastapi_architect.cli import app
from fastapi_architect.generate import (
    LOCK_FILE,
    NEW_SUFFIX,
    GenerateError,
    generate_project,
    writer,
)
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


# Regeneration with the previous rendering as the base of a three-way merge (`evolve`).
LOCK = {"generator": "fastapi-architect"}
SERVICE = "app/services/note.py"
FIRST = {
    SERVICE: "def create():\n    return 1\n\n\ndef delete():\n    return 2\n",
    "app/main.py": "app = 'main'\n",
    "app/config.py": "DEBUG = False\n",
}
# The generator's next rendering: a changed first function, and a new file in a new folder.
SECOND = {
    **FIRST,
    SERVICE: FIRST[SERVICE].replace("return 1", "return 10"),
    "app/main.py": "app = 'main v2'\n",
    "app/routers/tags.py": "router = 'tags'\n",
}


def regenerate(target: Path, files: dict[str, str], base: dict[str, str]) -> writer.WriteReport:
    return writer.write_project(target, files, LOCK, force=True, base=base)


def lock_hashes(target: Path) -> dict[str, str]:
    files: dict[str, str] = json.loads((target / LOCK_FILE).read_text())["files"]
    return files


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every folder (None) under `root`."""
    return {
        str(path.relative_to(root)): None if path.is_dir() else path.read_bytes()
        for path in sorted(root.rglob("*"))
    }


def test_a_hand_edit_elsewhere_merges_silently(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    service.write_text(FIRST[SERVICE].replace("return 2", "return 2  # audited by hand"))
    report = regenerate(tmp_path, SECOND, FIRST)
    assert report.merged == [SERVICE]
    assert report.conflicted == report.kept == []
    assert service.read_text() == (
        "def create():\n    return 10\n\n\ndef delete():\n    return 2  # audited by hand\n"
    )
    assert not (tmp_path / f"{SERVICE}{NEW_SUFFIX}").exists()


def test_a_conflicting_hand_edit_is_marked_and_loses_nothing(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    service.write_text(FIRST[SERVICE].replace("return 1", "return 1  # by hand"))
    report = regenerate(tmp_path, SECOND, FIRST)
    assert report.conflicted == [SERVICE]
    assert report.merged == report.kept == []
    lines = service.read_text().splitlines()
    assert f"<<<<<<< {SERVICE} (yours)" in lines
    assert "=======" in lines
    assert f">>>>>>> {SERVICE} (generated)" in lines
    assert "    return 1  # by hand" in lines
    assert "    return 10" in lines
    assert "    return 2" in lines


def test_the_lock_records_what_the_generator_wrote_not_the_merge(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    service.write_text(FIRST[SERVICE].replace("return 2", "return 2  # by hand"))
    regenerate(tmp_path, SECOND, FIRST)
    assert lock_hashes(tmp_path) == {rel: writer.digest(text) for rel, text in SECOND.items()}
    # So the next regeneration still sees the hand edit, and finds it already merged.
    merged = service.read_text()
    again = regenerate(tmp_path, SECOND, SECOND)
    assert again.unchanged == sorted(SECOND)
    assert service.read_text() == merged


def test_a_hand_edit_that_already_holds_the_change_is_unchanged(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    edited = SECOND[SERVICE] + "\n\n# by hand\n"
    service.write_text(edited)
    report = regenerate(tmp_path, SECOND, FIRST)
    assert SERVICE in report.unchanged
    assert service.read_text() == edited
    assert lock_hashes(tmp_path)[SERVICE] == writer.digest(SECOND[SERVICE])


def test_an_unedited_file_is_replaced_and_a_new_one_written(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    report = regenerate(tmp_path, SECOND, FIRST)
    assert report.written == ["app/main.py", "app/routers/tags.py", SERVICE]
    assert report.unchanged == ["app/config.py"]
    assert snapshot(tmp_path) == snapshot_of(SECOND, tmp_path)


def snapshot_of(files: dict[str, str], root: Path) -> dict[str, bytes | None]:
    """What `snapshot` shows for a project holding exactly `files` (and its lock)."""
    expected: dict[str, bytes | None] = {rel: text.encode() for rel, text in files.items()}
    expected[LOCK_FILE] = (root / LOCK_FILE).read_bytes()
    for rel in files:
        for parent in Path(rel).parents:
            if parent != Path():
                expected[str(parent)] = None
    return dict(sorted(expected.items()))


def test_a_deleted_file_stays_deleted(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    (tmp_path / SERVICE).unlink()
    report = regenerate(tmp_path, SECOND, FIRST)
    assert report.deleted == [SERVICE]
    assert not (tmp_path / SERVICE).exists()
    assert not (tmp_path / f"{SERVICE}{NEW_SUFFIX}").exists()
    # Still recorded, so that it stays deleted the next time too.
    assert lock_hashes(tmp_path)[SERVICE] == writer.digest(SECOND[SERVICE])
    assert regenerate(tmp_path, SECOND, SECOND).deleted == [SERVICE]


def test_a_hand_edit_with_no_base_is_kept_beside_the_new_version(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    edited = FIRST[SERVICE] + "# by hand\n"
    service.write_text(edited)
    base = {rel: text for rel, text in FIRST.items() if rel != SERVICE}
    report = regenerate(tmp_path, SECOND, base)
    assert report.kept == [SERVICE]
    assert service.read_text() == edited
    assert (tmp_path / f"{SERVICE}{NEW_SUFFIX}").read_text() == SECOND[SERVICE]


def test_a_hand_edited_file_that_is_not_utf8_is_not_merged(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    latin1 = FIRST[SERVICE].replace("return 2", "return 'café'").encode("latin-1")
    service.write_bytes(latin1)
    report = regenerate(tmp_path, SECOND, FIRST)
    assert report.kept == [SERVICE]
    assert service.read_bytes() == latin1
    assert (tmp_path / f"{SERVICE}{NEW_SUFFIX}").read_text() == SECOND[SERVICE]


def test_a_crlf_checkout_merges_and_keeps_its_line_endings(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    service = tmp_path / SERVICE
    edited = FIRST[SERVICE].replace("return 2", "return 2  # by hand")
    service.write_bytes(edited.replace("\n", "\r\n").encode())
    report = regenerate(tmp_path, SECOND, FIRST)
    assert report.merged == [SERVICE]
    expected = SECOND[SERVICE].replace("return 2", "return 2  # by hand")
    assert service.read_bytes() == expected.replace("\n", "\r\n").encode()


def test_a_crlf_checkout_without_hand_edits_is_no_edit(tmp_path: Path) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    config = tmp_path / "app" / "config.py"
    config.write_bytes(FIRST["app/config.py"].replace("\n", "\r\n").encode())
    report = regenerate(tmp_path, SECOND, FIRST)
    assert "app/config.py" in report.unchanged
    assert report.merged == report.conflicted == report.kept == []


def test_a_failure_while_staging_leaves_every_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer.write_project(tmp_path, FIRST, LOCK, force=False)
    (tmp_path / SERVICE).write_text(FIRST[SERVICE].replace("return 2", "return 2  # by hand"))
    before = snapshot(tmp_path)
    real_fdopen = os.fdopen
    opened: list[int] = []

    def fails_on_the_third(handle: int, *args: Any, **kwargs: Any) -> Any:
        opened.append(handle)
        if len(opened) == 3:
            raise OSError("disk full")
        return real_fdopen(handle, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fails_on_the_third)
    with pytest.raises(OSError, match="disk full"):
        regenerate(tmp_path, SECOND, FIRST)
    assert len(opened) == 3
    assert snapshot(tmp_path) == before
