"""The generated taskflow backend on real infrastructure: through PgBouncer in transaction
mode (as on Neon's pooler), as two uvicorn workers sharing Redis and PostgreSQL, and under a
database that goes away and comes back."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.conftest import POSTGRES_URL, REDIS_URL, _reachable, require_service, run
from tests.realworld.services import WORKER_TAG, Served, TcpProxy, pgbouncer, serve, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends-b")]

SECRET = "a-production-secret-of-at-least-32-characters"
PASSWORD = "a long enough password"


def summary(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def passed(result: subprocess.CompletedProcess[str]) -> int:
    for part in summary(result).replace("=", " ").split(","):
        words = part.split()
        if len(words) >= 2 and words[1] == "passed":
            return int(words[0])
    return 0


# Neon and poolers


@pytest.mark.postgres
def test_generated_suite_through_pgbouncer_in_transaction_mode(
    venv: Path, projects: dict[str, Path], postgres_url: str
) -> None:
    database = urlsplit(postgres_url).path.lstrip("/")
    redis = {"TEST_REDIS_URL": REDIS_URL} if _reachable(REDIS_URL, 6379) else {}
    with pgbouncer(POSTGRES_URL, database) as pooled:
        started = time.monotonic()
        result = run(
            venv,
            projects["taskflow"],
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            env={"TEST_DATABASE_URL": pooled, "DATABASE_POOLER": "true", **redis},
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
        assert passed(result) > 100
        assert "failed" not in summary(result)
        assert "error" not in summary(result)
        pooled_seconds = time.monotonic() - started

        # The same run without the setting: asyncpg's prepared statements meet another
        # transaction's server connection, and the suite stops on PostgreSQL's own error.
        result = run(
            venv,
            projects["taskflow"],
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:cacheprovider",
            env={"TEST_DATABASE_URL": pooled, "DATABASE_POOLER": "false", **redis},
        )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-4000:]
    assert "prepared statement" in output, output[-4000:]
    assert "does not exist" in output or "already exists" in output, output[-4000:]
    # asyncpg's hint, in the 503's log entry (JSON, so its quotes are escaped).
    assert "pgbouncer with pool_mode set to" in output, output[-4000:]
    assert pooled_seconds < 600


# Many workers, one truth


def migrate(venv: Path, project: Path, url: str) -> None:
    result = run(
        venv, project, "alembic", "upgrade", "head", env={"DATABASE_URL": url, "APP_ENV": "test"}
    )
    assert result.returncode == 0, result.stderr[-4000:]


def forget_limits(venv: Path, project: Path, prefix: str) -> None:
    """Delete this test's counters from the shared Redis (they would expire in a minute)."""
    script = (
        "import sys, redis\n"
        "r = redis.Redis.from_url(sys.argv[1])\n"
        "keys = list(r.scan_iter(match=sys.argv[2] + '*'))\n"
        "r.delete(*keys) if keys else None\n"
    )
    run(venv, project, "python", "-c", script, REDIS_URL, prefix, timeout=30)


@pytest.fixture
def two_workers(
    venv: Path, projects: dict[str, Path], postgres_url: str, tmp_path: Path
) -> Iterator[Served]:
    """The taskflow backend as two uvicorn workers on one port, sharing PostgreSQL and Redis,
    with the spec's rate limits (login 5/minute) on; every response names its worker."""
    require_service("Redis", REDIS_URL, 6379)
    project = projects["taskflow"]
    migrate(venv, project, postgres_url)
    (tmp_path / "worker_tag.py").write_text(WORKER_TAG)
    prefix = f"realworld-{uuid.uuid4().hex}"
    env = {
        "APP_ENV": "production",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": REDIS_URL,
        "RATE_LIMIT_ENABLED": "true",
        "RATE_LIMIT_KEY_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tmp_path),
    }
    try:
        with serve(
            venv, project, env, tmp_path / "uvicorn.log", app="worker_tag:create_app", workers=2
        ) as served:
            both_workers_answer(served)
            yield served
    finally:
        forget_limits(venv, project, prefix)


def fresh(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own, so that any worker may accept it."""
    with httpx.Client(timeout=30, headers={"Connection": "close"}) as client:
        return client.request(method, url, **kwargs)


def both_workers_answer(served: Served) -> set[str]:
    """Readiness of both workers: concurrent requests until two process ids have answered."""
    seen: set[str] = set()

    def check() -> bool:
        with ThreadPoolExecutor(10) as pool:
            answers = pool.map(lambda _: fresh("GET", f"{served.base}/health"), range(10))
            seen.update(r.headers["x-worker-pid"] for r in answers)
        return len(seen) == 2

    wait_until(check, 30, "two workers did not both answer")
    assert str(served.process.pid) not in seen  # the workers, not the supervisor
    return seen


def early_in_a_minute(needed: float = 30) -> None:
    """Wait, if need be, until a minute has `needed` seconds left: the limiter's sliding
    window weighs the last minute's count by how much of it is left, so a burst that crosses
    a minute may be let through one more attempt, and these tests count exactly."""
    into = time.time() % 60
    if into > 60 - needed:
        time.sleep(60 - into + 0.5)


def register(base: str, email: str) -> dict[str, str]:
    api = f"{base}/api/v1"
    created = fresh("POST", f"{api}/auth/register", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201, created.text
    login = fresh("POST", f"{api}/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_share_the_login_limit_through_redis(two_workers: Served) -> None:
    login = f"{two_workers.base}/api/v1/auth/login"
    account = "alice@example.com"
    early_in_a_minute()
    register(two_workers.base, account)  # one of the five logins this client may make
    wrong = {"email": account, "password": "not the password"}

    first = [fresh("POST", login, json=wrong) for _ in range(4)]
    assert [r.status_code for r in first] == [401] * 4, [r.text for r in first]

    # From now on every attempt is over the limit, whichever worker accepts it: 40 attempts
    # on 40 connections from 20 concurrent clients, the right password among them.
    attempts = [wrong] * 39 + [{"email": account, "password": PASSWORD}]
    with ThreadPoolExecutor(20) as pool:
        refused = list(pool.map(lambda body: fresh("POST", login, json=body), attempts))
    assert [r.status_code for r in refused] == [429] * 40, Counter(r.status_code for r in refused)
    assert {r.json()["error"]["code"] for r in refused} == {"rate_limited"}
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
    workers = Counter(r.headers["x-worker-pid"] for r in refused)
    assert len(workers) == 2, workers


@pytest.mark.postgres
def test_without_redis_each_worker_counts_alone(
    venv: Path, projects: dict[str, Path], postgres_url: str, tmp_path: Path
) -> None:
    """The contrast: in-memory limits are per process, so two workers let more through."""
    project = projects["taskflow"]
    migrate(venv, project, postgres_url)
    (tmp_path / "worker_tag.py").write_text(WORKER_TAG)
    env = {
        "APP_ENV": "production",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": postgres_url,
        "REDIS_URL": "",
        "RATE_LIMIT_ENABLED": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(tmp_path),
    }
    log = tmp_path / "uvicorn.log"
    with serve(venv, project, env, log, app="worker_tag:create_app", workers=2) as served:
        both_workers_answer(served)
        login = f"{served.base}/api/v1/auth/login"
        wrong = {"email": "nobody@example.com", "password": "not the password"}
        early_in_a_minute()
        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda _: fresh("POST", login, json=wrong), range(40)))
    served_by: Counter[str] = Counter(r.headers["x-worker-pid"] for r in answers)
    allowed: Counter[str] = Counter(
        r.headers["x-worker-pid"] for r in answers if r.status_code == 401
    )
    assert {r.status_code for r in answers} == {401, 429}
    assert len(served_by) == 2, served_by
    assert allowed == Counter({pid: min(5, n) for pid, n in served_by.items()})
    assert sum(allowed.values()) > 5


@pytest.mark.postgres
@pytest.mark.redis
def test_concurrent_creates_from_many_clients_leave_exactly_n_rows(
    two_workers: Served, postgres_url: str
) -> None:
    import psycopg

    api = f"{two_workers.base}/api/v1"
    # Four accounts (register and login stay under the 5/minute limit of one client address),
    # each driven by five clients: 20 clients, 10 creates each, 50 per account.
    users = [register(two_workers.base, f"user{n}@example.com") for n in range(4)]

    def client_run(number: int) -> list[tuple[int, str, str]]:
        headers = users[number % 4]
        made = []
        with httpx.Client(timeout=30, headers=headers) as client:
            for turn in range(10):
                title = f"client {number} task {turn}"
                response = client.post(f"{api}/tasks", json={"title": title})
                made.append((response.status_code, title, response.headers.get("x-worker-pid", "")))
        return made

    with ThreadPoolExecutor(20) as pool:
        results = [row for rows in pool.map(client_run, range(20)) for row in rows]
    assert Counter(status for status, _, _ in results) == Counter({201: 200})
    assert len({pid for _, _, pid in results}) == 2
    with psycopg.connect(postgres_url) as connection:
        rows = connection.execute("SELECT title FROM tasks").fetchall()
    assert sorted(title for (title,) in rows) == sorted(title for _, title, _ in results)
    for headers in users:
        listed = fresh("GET", f"{api}/tasks", params={"limit": 100}, headers=headers).json()
        assert len(listed["data"]) == 50
        assert listed["meta"]["has_more"] is False


# Failure


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "service_unavailable"
    assert set(body["error"]) == {"code", "message", "details", "request_id"}
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    for leak in ("Traceback", 'File "', "asyncpg", "sqlalchemy", "127.0.0.1"):
        assert leak not in response.text


TIMEOUT = 2.0  # DATABASE_TIMEOUT_SECONDS of the served backend
# When a stalled connection is dropped, SQLAlchemy first tries to close it politely for a
# fixed two seconds (sqlalchemy/connectors/asyncio.py, terminate); one more second of slack.
MARGIN = 3.0


@pytest.mark.postgres
@pytest.mark.parametrize("failure", ["cut", "stall"])
def test_database_loss_gives_fast_503_and_the_backend_recovers(
    venv: Path, projects: dict[str, Path], postgres_url: str, tmp_path: Path, failure: str
) -> None:
    project = projects["taskflow"]
    migrate(venv, project, postgres_url)
    database = urlsplit(postgres_url)
    with TcpProxy(database.hostname or "127.0.0.1", database.port or 5432) as proxy:
        proxied = database._replace(
            netloc=f"{database.netloc.rsplit('@', 1)[0]}@127.0.0.1:{proxy.port}"
        ).geturl()
        env = {
            "APP_ENV": "production",
            "JWT_SECRET": SECRET,
            "DATABASE_URL": proxied,
            "DATABASE_TIMEOUT_SECONDS": str(TIMEOUT),
            "LOG_LEVEL": "WARNING",
        }
        with serve(venv, project, env, tmp_path / "uvicorn.log") as served:
            api = f"{served.base}/api/v1"
            alice = register(served.base, "alice@example.com")
            with httpx.Client(timeout=60) as client:
                created = client.post(f"{api}/tasks", json={"title": "before"}, headers=alice)
                assert created.status_code == 201, created.text
                assert client.get(f"{served.base}/ready").status_code == 200

                getattr(proxy, failure)()
                try:
                    for method, path, body in [
                        ("GET", f"{api}/tasks", None),
                        ("POST", f"{api}/tasks", {"title": "during"}),
                        ("GET", f"{api}/tasks", None),
                    ]:
                        started = time.monotonic()
                        response = client.request(method, path, json=body, headers=alice)
                        elapsed = time.monotonic() - started
                        assert_unavailable(response)
                        assert elapsed < TIMEOUT + MARGIN, f"{method} {path}: {elapsed:.2f}s"
                    started = time.monotonic()
                    ready = client.get(f"{served.base}/ready")
                    assert time.monotonic() - started < TIMEOUT + MARGIN
                    assert ready.status_code == 503
                    assert ready.json() == {"status": "unavailable"}
                finally:
                    proxy.restore()

                # No restart: the pool replaces its dead connections by itself.
                wait_until(
                    lambda: client.get(f"{served.base}/ready").status_code == 200,
                    30,
                    "the backend did not become ready again",
                )
                listed = client.get(f"{api}/tasks", headers=alice)
                assert listed.status_code == 200, listed.text
                assert [t["title"] for t in listed.json()["data"]] == ["before"]
                again = client.post(f"{api}/tasks", json={"title": "after"}, headers=alice)
                assert again.status_code == 201, again.text
            assert served.process.poll() is None
            assert "Traceback" not in served.output()
