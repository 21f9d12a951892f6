"""`generate` on a project whose spec changed: one new revision after the head, the earlier
ones untouched, hand edits merged, refusals that write nothing, and clear errors for a
project that cannot be evolved as it stands."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
from typer.testing import CliRunner

from fastapi_architect.cli import app
from tests.conftest import EXAMPLES

runner = CliRunner()
V1 = EXAMPLES / "evolve" / "notes-v1.yaml"
V2 = EXAMPLES / "evolve" / "notes-v2.yaml"
SERVICE = "app/services/note.py"


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def v2_without_refusals() -> str:
    """notes-v2 without its refused steps: `title` keeps its length, `rating` its type, and
    `legacy_code` stays."""
    text = (
        V2.read_text()
        .replace("max_length: 100}", "max_length: 200}")
        .replace(
            "{type: decimal, precision: 14, scale: 2, required: false}",
            "{type: integer, required: false}",
        )
    )
    return text.replace(
        "      # legacy_code is gone",
        "      legacy_code: {type: string, max_length: 20, required: false}\n      # kept",
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "notes"
    made = runner.invoke(app, ["new", str(V1), "-o", str(target)])
    assert made.exit_code == 0, made.output
    return target


def evolve(project: Path, spec: str, *extra: str) -> tuple[int, str]:
    (project / "architect.yaml").write_text(spec)
    result = runner.invoke(app, ["generate", str(project), *extra])
    return result.exit_code, result.output


def test_a_spec_change_is_one_new_revision_and_hand_edits_survive(project: Path) -> None:
    first = (project / "migrations/versions/0001_initial.py").read_bytes()
    service = project / SERVICE
    service.write_text("# kept by hand\n" + service.read_text())

    code, output = evolve(project, v2_without_refusals())

    assert code == 0, output
    assert "migrations/versions/0002_notes.py: 11 steps" in output
    versions = sorted(p.name for p in (project / "migrations/versions").glob("*.py"))
    assert versions == ["0001_initial.py", "0002_notes.py"]
    assert (project / "migrations/versions/0001_initial.py").read_bytes() == first
    assert service.read_text().startswith("# kept by hand\n")
    lock = json.loads((project / "architect.lock.json").read_text())
    assert lock["spec"] == v2_without_refusals()
    assert lock["migration_head"] == "0002"
    revision = (project / "migrations/versions/0002_notes.py").read_text()
    assert 'down_revision: str | None = "0001"' in revision
    assert "ALTER TABLE notes RENAME COLUMN body TO content" in revision
    assert "CREATE INDEX" not in revision  # op.create_index, concurrently on PostgreSQL
    assert "postgresql_concurrently=True" in revision
    assert 'op.execute("SET lock_timeout = 0")' in revision  # index builds may wait
    assert "def backfill(" in revision  # in batches, each committed on PostgreSQL
    assert "autocommit_block" in revision
    linted = subprocess.run(
        # Named, so that the project's exclusion of migrations/versions does not apply.
        [find_ruff_bin(), "check", "--quiet", "migrations/versions/0002_notes.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout


def test_the_next_change_follows_the_last_revision(project: Path) -> None:
    assert evolve(project, v2_without_refusals())[0] == 0
    third = v2_without_refusals().replace(
        "      # kept", "      color: {type: string, max_length: 7, required: false}\n      # kept"
    )
    code, output = evolve(project, third)
    assert code == 0, output
    revision = project / "migrations/versions/0003_notes.py"
    assert 'down_revision: str | None = "0002"' in revision.read_text()
    # The same spec again: nothing to migrate, nothing rewritten.
    code, output = evolve(project, third)
    assert code == 0, output
    assert "0 written" in output
    assert len(list((project / "migrations/versions").glob("*.py"))) == 3


def test_a_refused_step_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    spec = v2_without_refusals().replace(
        "      legacy_code: {type: string, max_length: 20, required: false}\n", ""
    )
    (project / "architect.yaml").write_text(spec)
    before["architect.yaml"] = snapshot(project)["architect.yaml"]

    code, output = evolve(project, spec)

    assert code == 1
    assert "drop-column" in output
    assert "dropping column notes.legacy_code loses its values" in output
    assert "architect.lock.json (previous spec):10:7" in output
    assert "nothing written: 1 step(s) refused" in output
    assert snapshot(project) == before

    code, output = evolve(project, spec, "--allow-data-loss")
    assert code == 0, output
    assert "drop_column('legacy_code')" in (
        project / "migrations/versions/0002_notes.py"
    ).read_text().replace('"', "'")


def test_a_change_with_no_safe_recipe_is_refused_even_with_data_loss_allowed(
    project: Path,
) -> None:
    code, output = evolve(project, V2.read_text(), "--allow-data-loss")
    assert code == 1
    assert "changing column notes.title from VARCHAR(200) to VARCHAR(100)" in output
    assert not (project / "migrations/versions/0002_notes.py").exists()


def test_a_conflicting_hand_edit_gets_markers_and_exit_1(project: Path) -> None:
    schema = project / "app/schemas/note.py"
    text = schema.read_text()
    line = next(line for line in text.splitlines() if "body" in line)
    schema.write_text(text.replace(line, line + "  # mine", 1))

    code, output = evolve(project, v2_without_refusals())

    assert code == 1
    assert "CONFLICT app/schemas/note.py" in output
    merged = schema.read_text()
    assert "<<<<<<< app/schemas/note.py (yours)" in merged
    assert ">>>>>>> app/schemas/note.py (generated)" in merged
    assert line + "  # mine" in merged  # nothing of either side is lost
    assert "content" in merged


def test_a_deleted_file_stays_deleted(project: Path) -> None:
    (project / "README.md").unlink()
    code, output = evolve(project, v2_without_refusals())
    assert code == 0, output
    assert "left deleted README.md" in output
    assert not (project / "README.md").exists()


def test_a_lock_from_a_newer_generator_is_refused(project: Path) -> None:
    lock_path = project / "architect.lock.json"
    lock = json.loads(lock_path.read_text())
    lock_path.write_text(json.dumps({**lock, "generator_version": "99.0.0"}))
    code, output = evolve(project, v2_without_refusals())
    assert code == 2
    assert "newer than this" in output


def test_a_lock_without_the_spec_says_how_to_recover(project: Path) -> None:
    lock_path = project / "architect.lock.json"
    lock = json.loads(lock_path.read_text())
    del lock["spec"]
    lock_path.write_text(json.dumps(lock))
    code, output = evolve(project, v2_without_refusals())
    assert code == 2
    assert "does not record the spec" in output
    assert "--force" in output


def test_migrations_that_do_not_follow_the_lock_are_refused(project: Path) -> None:
    versions = project / "migrations/versions"
    other = versions / "0002_other.py"
    other.write_text('revision = "0002x"\ndown_revision = "0001"\n')
    (versions / "0003_other.py").write_text('revision = "0003x"\ndown_revision = "0001"\n')
    code, output = evolve(project, v2_without_refusals())
    assert code == 2
    assert "2 head revisions (0002x, 0003x)" in output
    assert "alembic merge heads" in output


def test_a_renamed_resource_keeps_its_rows_and_its_old_files_go(tmp_path: Path) -> None:
    from tests.evolve.test_plan import RENAMED_RESOURCE

    target = tmp_path / "memos"
    spec = tmp_path / "v1.yaml"
    spec.write_text(RENAMED_RESOURCE)
    assert runner.invoke(app, ["new", str(spec), "-o", str(target)]).exit_code == 0
    edited = target / "app/services/memo.py"
    edited.write_text(edited.read_text() + "# mine\n")

    code, output = evolve(
        target, RENAMED_RESOURCE.replace("  Memo:\n", "  Note:\n    renamed_from: Memo\n")
    )

    assert code == 0, output
    revision = (target / "migrations/versions/0002_note_tags_notes.py").read_text()
    assert 'op.rename_table("memos", "notes")' in revision
    assert "removed app/models/memo.py (no longer generated)" in output
    assert not (target / "app/models/memo.py").exists()
    assert (target / "app/models/note.py").exists()
    assert "stale app/services/memo.py" in output
    assert edited.read_text().endswith("# mine\n")


def test_the_docs_show_what_generate_prints(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = (EXAMPLES.parent / "docs" / "evolve.md").read_text()
    block = doc.split("```console\n$ fastapi-architect generate .\n", 1)[1].split("```", 1)[0]
    schema = project / "app/schemas/note.py"
    schema.write_text("# Notes: what clients send and get back.\n" + schema.read_text())
    (project / "architect.yaml").write_text(v2_without_refusals())
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["generate", "."])
    assert result.exit_code == 0, result.output
    assert result.output == block
