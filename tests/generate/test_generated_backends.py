"""The generated example backends, installed in a fresh virtualenv and run for real: their
own tests on SQLite and PostgreSQL, type checks, migrations against the models, a server
over HTTP, and our own review."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fastapi_architect.review import ReviewConfig, review
from tests.conftest import (
    GENERATED_EXAMPLES,
    REDIS_URL,
    require_service,
    run,
    served_project,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends")]


def passed(result: subprocess.CompletedProcess[str]) -> int:
    """How many tests a pytest run passed, from its summary line."""
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    for part in last.replace("=", " ").split(","):
        words = part.split()
        if len(words) >= 2 and words[1] == "passed":
            return int(words[0])
    return 0


@pytest.mark.redis
@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_generated_tests_pass_on_sqlite(venv: Path, projects: dict[str, Path], name: str) -> None:
    require_service("Redis", REDIS_URL, 6379)
    result = run(
        venv,
        projects[name],
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        env={"TEST_REDIS_URL": REDIS_URL},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert passed(result) > 100
    assert "skipped" not in result.stdout.strip().splitlines()[-1]


@pytest.mark.postgres
@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_generated_tests_pass_on_postgres(
    venv: Path, projects: dict[str, Path], postgres_url: str, name: str
) -> None:
    result = run(
        venv,
        projects[name],
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        env={"TEST_DATABASE_URL": postgres_url},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert passed(result) > 100


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_generated_project_type_checks(venv: Path, projects: dict[str, Path], name: str) -> None:
    result = run(venv, projects[name], "mypy", "app", "tests")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "Success" in result.stdout


COMPARE = """
import asyncio, sys
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
import app.models
from app.core.database import async_url

def diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, SQLModel.metadata)

async def main():
    engine = create_async_engine(async_url(sys.argv[1]))
    async with engine.connect() as connection:
        found = await connection.run_sync(diff)
    await engine.dispose()
    for item in found:
        print(item)
    print(f"{len(found)} differences")

asyncio.run(main())
"""


def migrate_and_compare(venv: Path, project: Path, url: str) -> str:
    upgrade = run(
        venv, project, "alembic", "upgrade", "head", env={"DATABASE_URL": url, "APP_ENV": "test"}
    )
    assert upgrade.returncode == 0, upgrade.stderr[-4000:]
    compared = run(venv, project, "python", "-c", COMPARE, url)
    assert compared.returncode == 0, compared.stderr[-4000:]
    return compared.stdout


@pytest.mark.postgres
@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_migration_matches_the_models_on_postgres(
    venv: Path, projects: dict[str, Path], postgres_url: str, name: str
) -> None:
    output = migrate_and_compare(venv, projects[name], postgres_url)
    assert output.strip().splitlines()[-1] == "0 differences", output
    downgrade = run(
        venv,
        projects[name],
        "alembic",
        "downgrade",
        "base",
        env={"DATABASE_URL": postgres_url, "APP_ENV": "test"},
    )
    assert downgrade.returncode == 0, downgrade.stderr[-2000:]


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_migration_matches_the_models_on_sqlite(
    venv: Path, projects: dict[str, Path], tmp_path: Path, name: str
) -> None:
    output = migrate_and_compare(venv, projects[name], f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert output.strip().splitlines()[-1] == "0 differences", output


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_generated_project_reviews_clean(projects: dict[str, Path], name: str) -> None:
    result = review(projects[name], ReviewConfig(cache=False, jobs=1))
    findings = [f"{f.rule_id} {f.path}:{f.line} {f.message}" for f in result.findings]
    assert findings == []


@pytest.fixture
def server(venv: Path, projects: dict[str, Path], tmp_path: Path) -> Iterator[str]:
    """The taskflow backend served by uvicorn on a free port, on a migrated SQLite file."""
    project = projects["taskflow"]
    env = {
        "APP_ENV": "production",
        "JWT_SECRET": "a-production-secret-of-at-least-32-characters",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "LOG_LEVEL": "WARNING",
    }
    yield from served_project(venv, project, env)


def test_a_served_backend_answers_a_real_sequence(server: str) -> None:
    api = f"{server}/api/v1"
    with httpx.Client(timeout=10) as client:
        tokens = {}
        for who in ("alice", "bob"):
            registered = client.post(
                f"{api}/auth/register",
                json={"email": f"{who}@example.com", "password": "a long enough password"},
            )
            assert registered.status_code == 201, registered.text
            login = client.post(
                f"{api}/auth/login",
                json={"email": f"{who}@example.com", "password": "a long enough password"},
            )
            assert login.status_code == 200, login.text
            tokens[who] = {"Authorization": f"Bearer {login.json()['access_token']}"}
        alice, bob = tokens["alice"], tokens["bob"]
        created = [
            client.post(
                f"{api}/tasks", json={"title": f"task {n}", "priority": 1 + n % 5}, headers=alice
            )
            for n in range(5)
        ]
        assert [r.status_code for r in created] == [201] * 5
        assert (
            created[0]
            .headers["location"]
            .endswith(f"/api/v1/tasks/{created[0].json()['data']['id']}")
        )
        first = client.get(f"{api}/tasks", params={"limit": 2}, headers=alice).json()
        assert len(first["data"]) == 2
        assert first["meta"]["has_more"] is True
        second = client.get(
            f"{api}/tasks",
            params={"limit": 2, "cursor": first["meta"]["next_cursor"]},
            headers=alice,
        ).json()
        assert {t["id"] for t in first["data"]}.isdisjoint(t["id"] for t in second["data"])
        task_id = created[0].json()["data"]["id"]
        updated = client.patch(f"{api}/tasks/{task_id}", json={"status": "done"}, headers=alice)
        assert updated.status_code == 200
        assert updated.json()["data"]["status"] == "done"
        assert client.get(f"{api}/tasks/{task_id}", headers=bob).status_code == 404
        assert (
            client.patch(
                f"{api}/tasks/{task_id}", json={"status": "pending"}, headers=bob
            ).status_code
            == 404
        )
        assert client.delete(f"{api}/tasks/{task_id}", headers=bob).status_code == 404
        assert client.get(f"{api}/tasks", headers=bob).json()["data"] == []
        deleted = client.delete(f"{api}/tasks/{task_id}", headers=alice)
        assert deleted.status_code == 204
        assert client.get(f"{api}/tasks/{task_id}", headers=alice).status_code == 404
        docs = client.get(f"{server}/docs")
        assert docs.status_code == 200
        assert "swagger" in docs.text.lower()
