"""A realistic spec change on a generated backend holding rows: taskflow v1 is generated,
migrated and loaded with 10,000 tasks; a service is edited by hand; v2 renames a field, adds
fields of every kind, an enum value, a filter, a resource and a link to it; `generate` then
writes one new revision that upgrades the loaded database without losing a row, keeps the
hand edit, and leaves the models and the database in agreement. On PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EXAMPLES, REDIS_URL, ROOT, require_service, run
from tests.generate.test_generated_backends import COMPARE, passed

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends-b")]

ROWS = 10_000
HAND_EDIT = "# Hand edit: kept across regeneration.\nHAND_EDITED = True\n"


def v2_spec(v1_text: str) -> str:
    spec = yaml.safe_load(v1_text)
    task = spec["resources"]["Task"]
    fields = task["fields"]
    details = {**fields.pop("description"), "renamed_from": "description"}
    fields["details"] = details
    # Prompts name fields: check refuses one naming the old name, so they follow the rename.
    for action in task.get("ai", {}).values():
        action["prompt"] = action["prompt"].replace("{description}", "{details}")
    fields["status"]["values"] = [*fields["status"]["values"], "blocked"]
    fields["estimate_minutes"] = {"type": "integer", "required": False, "min": 0}
    fields["pinned"] = {"type": "boolean", "default": False}
    fields["source"] = {"type": "string", "max_length": 20, "backfill": "import"}
    fields["code"] = {"type": "string", "max_length": 20, "required": False, "unique": True}
    task["filters"] = [*task["filters"], "pinned"]
    task["search"] = ["title", "details"]
    task["relations"]["project"] = {"to": "Project", "required": False}
    spec["resources"]["Project"] = {
        "owned": True,
        "fields": {"name": {"type": "string", "max_length": 80}},
    }
    return yaml.safe_dump(spec, sort_keys=False)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from fastapi_architect.cli import main; main()", *args],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".venv" not in path.parts and "__pycache__" not in path.parts
    }


# ---------------------------------------------------------------- rows through SQL


def _user_row(now: dt.datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "email": "loader@example.com",
        "hashed_password": "x" * 60,
        "full_name": "Loader",
        "role": "user",
        "is_active": True,
        "token_version": 0,
        "created_at": now,
        "updated_at": now,
    }


def _stored(column: Any, value: object) -> object:
    """A uuid as the reflected column takes it: SQLite reflects CHAR(32), not a uuid type."""
    import sqlalchemy as sa

    if isinstance(value, uuid.UUID) and not isinstance(column.type, sa.Uuid):
        return value.hex
    return value


def load_rows(url: str) -> None:
    """One user and ROWS tasks, inserted with SQL (not through the API)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with engine.begin() as connection:
        metadata = sa.MetaData()
        users = sa.Table("users", metadata, autoload_with=connection)
        tasks = sa.Table("tasks", metadata, autoload_with=connection)
        user = {k: _stored(users.c[k], v) for k, v in _user_row(now).items() if k in users.c}
        missing = [c.name for c in users.c if not c.nullable and c.name not in user]
        assert not missing, f"the loader does not know the users columns {missing}"
        connection.execute(users.insert(), [user])
        connection.execute(
            tasks.insert(),
            [
                {
                    "id": _stored(tasks.c.id, uuid.uuid4()),
                    "owner_id": user["id"],
                    "title": f"task {n}",
                    "description": f"details of task {n}",
                    "status": ("pending", "in_progress", "done")[n % 3],
                    "priority": 1 + n % 5,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(ROWS)
            ],
        )
    engine.dispose()


def rows_after(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        counts = {
            name: connection.execute(sa.text(sql)).scalar_one()
            for name, sql in {
                "tasks": "SELECT count(*) FROM tasks",
                "renamed_intact": "SELECT count(*) FROM tasks WHERE details LIKE 'details of task %'",
                "pinned_false": "SELECT count(*) FROM tasks WHERE pinned = false",
                "source_backfilled": "SELECT count(*) FROM tasks WHERE source = 'import'",
                "code_null": "SELECT count(*) FROM tasks WHERE code IS NULL",
                "projects": "SELECT count(*) FROM projects",
            }.items()
        }
    engine.dispose()
    return counts


# ---------------------------------------------------------------- squawk


def squawk_findings(venv: Path, project: Path, url: str) -> list[tuple[str, int]]:
    """squawk's findings on the PostgreSQL SQL of the new revision: (rule, 0-based line)."""
    offline = run(
        venv,
        project,
        "alembic",
        "upgrade",
        "0001:0002",
        "--sql",
        env={"DATABASE_URL": url, "APP_ENV": "test"},
    )
    assert offline.returncode == 0, offline.stderr[-3000:]
    sql = project / "0002.sql"
    sql.write_text(offline.stdout)
    squawk = Path(sys.executable).with_name("squawk")
    linted = subprocess.run(
        [str(squawk), "--reporter", "json", str(sql)], capture_output=True, text=True, check=False
    )
    return [(item["rule_name"], item["line"]) for item in json.loads(linted.stdout or "[]")]


def first_commit(sql: str) -> int:
    return next(n for n, line in enumerate(sql.splitlines(), 1) if line.startswith("COMMIT"))


# Each squawk rule the revision may trip, and the plan step that flags and explains it.
EXPLAINED_BY = {
    "renaming-column": "rename-column",  # the API impact lists the renamed property
    "renaming-object": "rename-constraint",
    "ban-drop-constraint": "enum-values-added",  # the check is replaced, not loosened
}


def assert_squawk_is_explained(venv: Path, project: Path, url: str, plan_ids: set[str]) -> None:
    findings = squawk_findings(venv, project, url)
    sql = (project / "0002.sql").read_text()
    commit = first_commit(sql)
    statements = sql.splitlines()
    unexplained = []
    for rule, line in findings:
        if rule == "prefer-robust-stmts" and (
            line < commit or "VALIDATE CONSTRAINT" in statements[line]
        ):
            # Inside the migration's transaction it commits whole or not at all; after it,
            # VALIDATE can run again.
            continue
        if rule in {"prefer-text-field", "prefer-bigint-over-int"}:
            continue  # the spec's types: max_length is VARCHAR(n), integer is INTEGER
        if EXPLAINED_BY.get(rule) in plan_ids:
            continue
        unexplained.append((rule, line))
    assert unexplained == [], (project / "0002.sql").read_text()


# ---------------------------------------------------------------- the walk


def evolve_and_check(venv: Path, project: Path, url: str, sync_url: str) -> None:
    env = {"DATABASE_URL": url, "APP_ENV": "test"}
    v1_text = (EXAMPLES / "taskflow.yaml").read_text()
    made = cli("new", str(EXAMPLES / "taskflow.yaml"), "-o", str(project))
    assert made.returncode == 0, made.stderr
    upgraded = run(venv, project, "alembic", "upgrade", "head", env=env)
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    load_rows(sync_url)

    first = project / "migrations/versions/0001_initial.py"
    first_bytes = first.read_bytes()
    service = project / "app/services/task.py"
    service.write_text(HAND_EDIT + service.read_text())

    (project / "architect.yaml").write_text(v2_spec(v1_text))
    evolved = cli("generate", str(project))
    assert evolved.returncode == 0, evolved.stdout + evolved.stderr
    assert "merged app/services/task.py" in evolved.stdout

    revisions = sorted(p.name for p in (project / "migrations/versions").glob("*.py"))
    assert revisions == ["0001_initial.py", "0002_projects_tasks.py"], revisions
    assert first.read_bytes() == first_bytes
    assert service.read_text().startswith(HAND_EDIT)
    # The project's own checks skip migrations/versions; the new revision passes them by name.
    revision = "migrations/versions/0002_projects_tasks.py"
    typed = run(venv, project, "mypy", "--strict", revision)
    assert typed.returncode == 0, typed.stdout[-3000:]
    if url.startswith("postgresql"):
        planned = cli(
            "diff",
            "--format",
            "json",
            str(EXAMPLES / "taskflow.yaml"),
            str(project / "architect.yaml"),
        )
        plan_ids = {step["id"] for step in json.loads(planned.stdout)["steps"]}
        assert_squawk_is_explained(venv, project, url, plan_ids)

    upgraded = run(venv, project, "alembic", "upgrade", "head", env=env)
    assert upgraded.returncode == 0, upgraded.stderr[-3000:]
    assert rows_after(sync_url) == {
        "tasks": ROWS,
        "renamed_intact": ROWS,
        "pinned_false": ROWS,
        "source_backfilled": ROWS,
        "code_null": ROWS,
        "projects": 0,
    }
    compared = run(venv, project, "python", "-c", COMPARE, url)
    assert compared.returncode == 0, compared.stderr[-3000:]
    assert compared.stdout.strip().splitlines()[-1] == "0 differences", compared.stdout

    for step in (("downgrade", "-1"), ("upgrade", "head")):
        moved = run(venv, project, "alembic", *step, env=env)
        assert moved.returncode == 0, f"{step}: {moved.stderr[-3000:]}"
    assert rows_after(sync_url)["renamed_intact"] == ROWS

    tested = run(
        venv,
        project,
        "pytest",
        "-q",
        "-x",
        "-p",
        "no:cacheprovider",
        env={"TEST_REDIS_URL": REDIS_URL}
        | ({"TEST_DATABASE_URL": url} if url.startswith("postgresql") else {}),
    )
    assert tested.returncode == 0, tested.stdout[-4000:] + tested.stderr[-2000:]
    assert passed(tested) > 100


@pytest.mark.postgres
@pytest.mark.redis
def test_a_loaded_postgres_database_survives_a_spec_change(
    venv: Path, tmp_path: Path, postgres_url: str
) -> None:
    require_service("Redis", REDIS_URL, 6379)
    sync_url = postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)
    evolve_and_check(venv, tmp_path / "taskflow", postgres_url, sync_url)


@pytest.mark.redis
def test_a_loaded_sqlite_database_survives_a_spec_change(venv: Path, tmp_path: Path) -> None:
    require_service("Redis", REDIS_URL, 6379)
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    evolve_and_check(venv, tmp_path / "taskflow", url, url)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
