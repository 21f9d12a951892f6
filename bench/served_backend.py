"""Speed of a generated backend served for real: taskflow on PostgreSQL under uvicorn.

The script generates examples/taskflow.yaml into a temporary folder, installs it in a
virtualenv (or reuses one given with --venv), creates a fresh PostgreSQL database, migrates
it with Alembic, serves the app with uvicorn (1 worker unless --workers), registers one
user and loads that user's tasks in bulk with SQL, at 10k and then at 1M rows. A separate
load-generator process (wrk with a Lua script; an asyncio + httpx driver when wrk cannot be
had) then drives each operation for a fixed time with N connections:

- list, first page:  GET /api/v1/tasks?limit=20
- list, deep page:   GET /api/v1/tasks?limit=20&cursor=C, C taken ~90 % into the rows
- get by id:         GET /api/v1/tasks/{id} over 1,000 random rows
- create:            POST /api/v1/tasks

It prints requests/s, p50 and p99 latency per operation and size, the ratio of the
deep page's p99 to the first page's (the target: within 25 % at 1M rows), and the plan of
the deep-page query, as the server sends it, under EXPLAIN (ANALYZE, BUFFERS). The server
is stopped, the database dropped and the temporary folder removed, even on failure. It
prints figures and asserts nothing (beyond checking that every request it drives works).

Usage:
    python bench/served_backend.py [--quick] [--venv PATH] [--workers N]
        [--connections N] [--seconds S] [--sizes 10000,1000000] [--driver auto|wrk|python]

--quick runs 10k rows only, for a few seconds per operation. BENCH_POSTGRES_URL names the
server's maintenance database (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
import psycopg

from fastapi_architect import load_spec
from fastapi_architect.generate import generate_project

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "taskflow.yaml"
HTTP_LOAD = Path(__file__).resolve().parent / "http_load.py"
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PREFIX = "/api/v1"
PAGE = 20
EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123456789"
JWT_SECRET = "bench-" + "s" * 40
LIST_INDEX = "ix_tasks_owner_id_created_at_id"
DEEP_FRACTION = 0.9
TARGET_RATIO = 1.25

# Builds the deep-page statement with the generated repository itself and prints it as
# asyncpg receives it: SQL with $n placeholders, then the parameters in order.
COMPILE_QUERY = """
import asyncio, json, sys, uuid
from sqlalchemy.dialects.postgresql import asyncpg
from app.repositories.task import TaskRepository
from app.schemas.task import TaskListParams


class Captured(Exception):
    pass


class Capture:
    async def exec(self, statement):
        raise Captured(statement)


async def main():
    params = TaskListParams(limit=int(sys.argv[1]), cursor=sys.argv[2] or None)
    try:
        await TaskRepository(Capture()).page(params, owner_id=uuid.UUID(sys.argv[3]))
    except Captured as caught:
        compiled = caught.args[0].compile(dialect=asyncpg.dialect())
    values = [str(compiled.params[name]) for name in compiled.positiontup]
    print(json.dumps({"sql": compiled.string, "params": values}))


asyncio.run(main())
"""

# One wrk Lua script per operation: spreads requests over the paths and prints the
# figures as one JSON line.
WRK_SCRIPT = """
wrk.method = "{method}"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.headers["Content-Type"] = "application/json"
{body}
local paths = {{
{paths}
}}
local index = 0
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  index = math.random(#paths)
end
function request()
  index = index % #paths + 1
  return wrk.format(nil, paths[index])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH {{\\"requests\\": %d, \\"errors\\": %d, \\"seconds\\": %f, " ..
    "\\"p50_ms\\": %f, \\"p99_ms\\": %f}}\\n",
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


class BenchError(RuntimeError):
    """The bench cannot go on."""


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    paths: list[str]
    body: str | None = None
    status: int = 200


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    # The server's CPU time per request (all its processes), which the machine's other
    # load disturbs much less than latency and throughput.
    cpu_ms: float = float("nan")

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combined(runs: list[Result]) -> Result:
    """Several runs of one operation: requests and time added up, latencies the median
    of the runs' figures."""
    return Result(
        requests=sum(run.requests for run in runs),
        errors=sum(run.errors for run in runs),
        seconds=sum(run.seconds for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        cpu_ms=sum(run.cpu_ms * run.requests for run in runs)
        / max(1, sum(run.requests for run in runs)),
    )


# ---------------------------------------------------------------------------- load generators


class Driver(Protocol):
    name: str

    def run(
        self, base: str, token: str, operation: Operation, connections: int, seconds: float
    ) -> Result: ...


class WrkDriver:
    name = "wrk"

    def __init__(self, executable: str, workdir: Path) -> None:
        self.executable = executable
        self.workdir = workdir

    def run(
        self, base: str, token: str, operation: Operation, connections: int, seconds: float
    ) -> Result:
        script = self.workdir / f"{operation.name.replace(' ', '-')}.lua"
        body = "" if operation.body is None else f"wrk.body = {json.dumps(operation.body)}"
        paths = ",\n".join(f"  {json.dumps(path)}" for path in operation.paths)
        script.write_text(
            WRK_SCRIPT.format(method=operation.method, token=token, body=body, paths=paths),
            encoding="utf-8",
        )
        command = [
            self.executable,
            "--threads",
            "1",
            "--connections",
            str(connections),
            "--duration",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "--script",
            str(script),
            base,
        ]
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=seconds + 120
        )
        for line in completed.stdout.splitlines():
            if line.startswith("BENCH "):
                return Result(**json.loads(line[len("BENCH ") :]))
        raise BenchError(f"wrk printed no figures:\n{completed.stdout}\n{completed.stderr}")


class PythonDriver:
    name = "python (asyncio + httpx, bench/http_load.py)"

    def run(
        self, base: str, token: str, operation: Operation, connections: int, seconds: float
    ) -> Result:
        job = {
            "base": base,
            "method": operation.method,
            "paths": operation.paths,
            "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            "body": operation.body,
            "connections": connections,
            "seconds": seconds,
        }
        completed = subprocess.run(
            [sys.executable, str(HTTP_LOAD)],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 120,
        )
        if completed.returncode != 0:
            raise BenchError(f"the load generator failed:\n{completed.stderr}")
        return Result(**json.loads(completed.stdout))


def find_wrk(install: bool) -> str | None:
    """wrk on PATH, else installed with apt-get when allowed and possible."""
    found = shutil.which("wrk")
    if found or not install or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    print("wrk not found: installing it with apt-get ...", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        try:
            subprocess.run(command, env=environment, capture_output=True, check=True, timeout=600)
        except (subprocess.SubprocessError, OSError):
            return None
    return shutil.which("wrk")


def choose_driver(choice: str, workdir: Path) -> Driver:
    if choice in ("auto", "wrk"):
        wrk = find_wrk(install=True)
        if wrk is not None:
            return WrkDriver(wrk, workdir)
        if choice == "wrk":
            raise BenchError("wrk is not available")
        print("wrk is not available: using the Python load generator", flush=True)
    return PythonDriver()


# ---------------------------------------------------------------------------- setup


def run_checked(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 900,
) -> str:
    completed = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    if completed.returncode != 0:
        raise BenchError(
            f"{' '.join(command)} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return completed.stdout


def generate(workdir: Path) -> Path:
    project = workdir / "taskflow"
    generate_project(load_spec(SPEC), SPEC.read_text(encoding="utf-8"), project)
    return project


def prepare_venv(venv: Path, project: Path) -> Path:
    """A virtualenv with the project's dependencies: reused when it already has them."""
    python = venv / "bin" / "python"
    probe = "import alembic, asyncpg, fastapi, sqlmodel, uvicorn, limits, pwdlib, jwt"
    if python.exists() and subprocess.run([python, "-c", probe], check=False).returncode == 0:
        print(f"virtualenv: reusing {venv}", flush=True)
        return venv
    print(f"virtualenv: creating {venv} and installing the project ...", flush=True)
    start = time.perf_counter()
    if not python.exists():
        run_checked([sys.executable, "-m", "venv", str(venv)])
    run_checked([str(python), "-m", "pip", "install", "--quiet", "-e", f"{project}[dev]"])
    print(f"virtualenv: ready in {time.perf_counter() - start:.0f} s", flush=True)
    return venv


def database_url(name: str) -> str:
    return urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()


def create_database() -> str:
    name = f"fa_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_environment(url: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment.update(
        APP_ENV="production",
        JWT_SECRET=JWT_SECRET,
        DATABASE_URL=url,
        RATE_LIMIT_ENABLED="false",
        LOG_LEVEL="WARNING",
        # Tokens outlive the run, so that a long load at 1M rows needs no refresh.
        ACCESS_TOKEN_MINUTES="600",
    )
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """uvicorn serving the project, in its own process group."""

    def __init__(self, venv: Path, project: Path, url: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        command = [
            str(venv / "bin" / "uvicorn"),
            "app.main:create_app",
            "--factory",
            "--app-dir",
            str(project),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command,
                cwd=project,
                env=server_environment(url),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"uvicorn exited ({self.process.returncode}):\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/ready", timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"uvicorn was not ready within {timeout:.0f} s:\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far (Linux /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[2]) == self.process.pid:  # the process group uvicorn leads
                    total += int(fields[11]) + int(fields[12])
        return total / ticks

    def measure(
        self, driver: Driver, token: str, operation: Operation, connections: int, seconds: float
    ) -> Result:
        before = self.cpu_seconds()
        result = driver.run(self.base, token, operation, connections, seconds)
        spent = self.cpu_seconds() - before
        return replace(result, cpu_ms=spent * 1000 / max(1, result.requests))

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


def sign_in(base: str) -> str:
    """Register the bench user and log in; the access token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        account = {"email": EMAIL, "password": PASSWORD}
        registered = client.post(f"{PREFIX}/auth/register", json=account)
        if registered.status_code != 201:
            raise BenchError(f"register: {registered.status_code} {registered.text}")
        logged_in = client.post(f"{PREFIX}/auth/login", json=account)
        if logged_in.status_code != 200:
            raise BenchError(f"login: {logged_in.status_code} {logged_in.text}")
        token: str = logged_in.json()["access_token"]
        return token


# ---------------------------------------------------------------------------- data


LOAD_TASKS = """
INSERT INTO tasks (id, owner_id, title, description, status, priority, due_date,
                   category_id, created_at, updated_at, deleted_at)
SELECT gen_random_uuid(),
       %(owner)s,
       'Task ' || g || ': ' || (ARRAY['write', 'review', 'ship', 'plan', 'fix'])[1 + g %% 5]
           || ' the ' || (ARRAY['report', 'release', 'budget', 'design', 'tests'])[1 + g %% 7 %% 5],
       CASE WHEN g %% 3 = 0 THEN repeat('Notes about this task. ', 1 + g %% 10) END,
       (ARRAY['pending', 'in_progress', 'done'])[1 + g %% 3],
       1 + g %% 5,
       CASE WHEN g %% 2 = 0 THEN created + (1 + g %% 60) * interval '1 day' END,
       NULL,
       created,
       created + (g %% 4) * interval '1 hour',
       CASE WHEN g %% 100 = 0 THEN created + interval '2 days' END
FROM (
    -- Two years of tasks in the order they were written, a few seconds of jitter each.
    SELECT g,
           now() - interval '730 days' + (g::float8 / %(rows)s) * interval '730 days'
               + random() * interval '5 seconds' AS created
    FROM generate_series(1, %(rows)s) AS g
) AS series
"""


def load_tasks(url: str, owner: uuid.UUID, rows: int) -> float:
    """Replace the user's tasks by `rows` new ones (1 % soft-deleted); seconds taken."""
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("TRUNCATE tasks, task_tags, audit_log")
        connection.execute(LOAD_TASKS, {"owner": owner, "rows": rows})
        connection.execute("VACUUM (ANALYZE) tasks")
    return time.perf_counter() - start


def owner_of(url: str) -> uuid.UUID:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT id FROM users WHERE email = %s", (EMAIL,)).fetchone()
    if row is None:
        raise BenchError("the bench user is not in the database")
    owner: uuid.UUID = row[0]
    return owner


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    """A cursor of the default order (-created_at), as app/repositories/pagination.py
    encodes it: base64url of [key, descending, value in ISO format, id], unpadded."""
    payload = ["-created_at", True, created_at.astimezone(UTC).isoformat(), str(row_id)]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@dataclass(frozen=True)
class DeepPage:
    cursors: list[str]
    # The main cursor, its row's position in the list (1-based) and the row that follows.
    cursor: str
    position: int
    next_id: uuid.UUID


def deep_cursors(url: str, owner: uuid.UUID, visible: int) -> DeepPage:
    """Cursors of rows ~90 % down the default order (newest first), found by one query:
    16 positions from 89.2 % to 90.8 %, so that the deep pages are not all one page."""
    middle = int(visible * DEEP_FRACTION)
    step = max(1, visible // 1000)
    positions = sorted({middle + offset * step for offset in range(-8, 8)} | {middle + 1})
    query = """
        SELECT position, created_at, id FROM (
            SELECT created_at, id,
                   row_number() OVER (ORDER BY created_at DESC, id DESC) AS position
            FROM tasks WHERE owner_id = %s AND deleted_at IS NULL
        ) AS ranked
        WHERE position = ANY(%s)
        ORDER BY position
    """
    with psycopg.connect(url) as connection:
        found = {
            position: (created_at, row_id)
            for position, created_at, row_id in connection.execute(query, (owner, positions))
        }
    cursors = [encode_cursor(*found[p]) for p in positions if p != middle + 1]
    return DeepPage(cursors, encode_cursor(*found[middle]), middle, found[middle + 1][1])


def sample_ids(url: str, owner: uuid.UUID, visible: int, count: int = 1000) -> list[uuid.UUID]:
    """`count` random ids of the user's visible tasks."""
    share = min(100.0, 100.0 * count * 3 / max(1, visible))
    query = """
        SELECT id FROM tasks TABLESAMPLE BERNOULLI (%s)
        WHERE owner_id = %s AND deleted_at IS NULL ORDER BY random() LIMIT %s
    """
    with psycopg.connect(url) as connection:
        return [row[0] for row in connection.execute(query, (share, owner, count))]


def visible_rows(url: str, owner: uuid.UUID) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM tasks WHERE owner_id = %s AND deleted_at IS NULL", (owner,)
        ).fetchone()
    return int(row[0]) if row else 0


# ---------------------------------------------------------------------------- plans


def server_statement(venv: Path, project: Path, url: str, cursor: str, owner: uuid.UUID) -> Any:
    """The list query the server sends for this cursor: {"sql", "params"}."""
    script = project.parent / "compile_query.py"
    script.write_text(COMPILE_QUERY, encoding="utf-8")
    # The project's own `app`, whatever a reused virtualenv was installed from.
    environment = {**server_environment(url), "PYTHONPATH": str(project)}
    output = run_checked(
        [str(venv / "bin" / "python"), str(script), str(PAGE), cursor, str(owner)],
        cwd=project,
        env=environment,
    )
    return json.loads(output)


def explain(url: str, statement: Any, generic: bool) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the prepared statement, as asyncpg prepares it; with
    `generic`, the plan PostgreSQL caches for it after a few executions."""
    sql = statement["sql"]
    arguments = ", ".join("'" + value.replace("'", "''") + "'" for value in statement["params"])
    mode = "force_generic_plan" if generic else "force_custom_plan"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"SET plan_cache_mode = {mode}")
        connection.execute(f"PREPARE bench_list AS {sql}")
        for _ in range(3):  # warm the cache the way a busy server has
            connection.execute(f"EXECUTE bench_list({arguments})")
        rows = connection.execute(
            f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_list({arguments})"
        ).fetchall()
    return [row[0] for row in rows]


# ---------------------------------------------------------------------------- driving


def check_once(base: str, token: str, operation: Operation) -> httpx.Response:
    """One request of the operation, so that a broken one fails loudly, not as errors."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = httpx.request(
        operation.method,
        base + operation.paths[0],
        headers=headers,
        content=operation.body,
        timeout=30,
    )
    if response.status_code != operation.status:
        raise BenchError(
            f"{operation.name}: {operation.method} {operation.paths[0]} answered "
            f"{response.status_code}: {response.text[:500]}"
        )
    return response


def operations(deep: DeepPage, ids: list[uuid.UUID]) -> list[Operation]:
    create_body = json.dumps(
        {"title": "Benchmark task", "description": "Written by the load generator", "priority": 2}
    )
    return [
        Operation("list first page", "GET", [f"{PREFIX}/tasks?limit={PAGE}"]),
        Operation(
            "list deep page",
            "GET",
            [f"{PREFIX}/tasks?limit={PAGE}&cursor={cursor}" for cursor in deep.cursors],
        ),
        Operation("get by id", "GET", [f"{PREFIX}/tasks/{row_id}" for row_id in ids]),
        Operation("create", "POST", [f"{PREFIX}/tasks"], body=create_body, status=201),
    ]


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def bench_size(
    options: argparse.Namespace, driver: Driver, server: Server, token: str, url: str, rows: int
) -> dict[str, Result]:
    owner = owner_of(url)
    print(f"\n== {rows:,} tasks of one user", flush=True)
    seconds = load_tasks(url, owner, rows)
    visible = visible_rows(url, owner)
    print(f"loaded in {seconds:.1f} s ({visible:,} not deleted), VACUUM ANALYZE done", flush=True)
    deep = deep_cursors(url, owner, visible)
    ids = sample_ids(url, owner, visible)
    chosen = operations(deep, ids)

    # The deep cursor must land where the database says: the row after its own.
    exact = replace(chosen[1], paths=[f"{PREFIX}/tasks?limit={PAGE}&cursor={deep.cursor}"])
    page = check_once(server.base, token, exact).json()
    if uuid.UUID(page["data"][0]["id"]) != deep.next_id:
        raise BenchError("the deep page does not start after its cursor's row")
    print(
        f"deep pages start after rows {deep.position - 8 * max(1, visible // 1000):,} to "
        f"{deep.position + 7 * max(1, visible // 1000):,} of {visible:,} "
        f"(~{DEEP_FRACTION:.0%}); checked: page after row {deep.position:,} starts at "
        f"row {deep.position + 1:,}",
        flush=True,
    )
    print(f"{load_average()}", flush=True)
    for operation in chosen:
        check_once(server.base, token, operation)
    heading = ("operation", "requests/s", "p50 ms", "p99 ms", "cpu ms/req", "requests", "errors")
    print("{:<18} {:>11} {:>8} {:>8} {:>10} {:>9} {:>7}  p99 by round".format(*heading))
    # The two list operations alternate, round after round, so that a change in the
    # machine's load between them does not pass for a difference between them.
    rounds: dict[str, list[Result]] = {operation.name: [] for operation in chosen}
    listing, others = chosen[:2], chosen[2:]
    for operation in chosen:
        server.measure(driver, token, operation, options.connections, options.warmup)
    for _ in range(options.rounds):
        for operation in listing:
            rounds[operation.name].append(
                server.measure(driver, token, operation, options.connections, options.seconds)
            )
    for operation in others:
        rounds[operation.name].append(
            server.measure(driver, token, operation, options.connections, options.seconds)
        )
    results = {name: combined(runs) for name, runs in rounds.items()}
    for name, result in results.items():
        runs = rounds[name]
        by_round = " ".join(f"{run.p99_ms:.1f}" for run in runs) if len(runs) > 1 else ""
        print(
            f"{name:<18} {result.rate:>11.0f} {result.p50_ms:>8.1f} {result.p99_ms:>8.1f} "
            f"{result.cpu_ms:>10.2f} {result.requests:>9} {result.errors:>7}  {by_round}",
            flush=True,
        )
    ratio = results["list deep page"].p99_ms / results["list first page"].p99_ms
    print(f"deep-page p99 / first-page p99 = {ratio:.2f}", flush=True)
    return results


def show_plans(venv: Path, project: Path, url: str, rows: int) -> None:
    owner = owner_of(url)
    deep = deep_cursors(url, owner, visible_rows(url, owner))
    for title, cursor in (("deep page", deep.cursor), ("first page", "")):
        statement = server_statement(venv, project, url, cursor, owner)
        print(f"\n-- {title} at {rows:,} rows, as the server sends it:")
        print("   " + " ".join(statement["sql"].split()))
        modes = (False, True) if cursor else (False,)
        for generic in modes:
            plan = explain(url, statement, generic)
            label = "generic plan (cached)" if generic else "custom plan"
            used = "uses" if any(LIST_INDEX in line for line in plan) else "DOES NOT use"
            print(f"   EXPLAIN (ANALYZE, BUFFERS), {label}: {used} {LIST_INDEX}")
            for line in plan:
                print(f"     {line}")


# ---------------------------------------------------------------------------- main


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k rows only, short runs")
    parser.add_argument("--venv", type=Path, help="virtualenv to reuse (created if missing)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, help="seconds per operation (15; quick 5)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds per operation (3; quick 1)")
    parser.add_argument(
        "--rounds", type=int, help="alternating runs of the two list operations (3; quick 1)"
    )
    parser.add_argument("--sizes", help="comma-separated row counts (10000,1000000; quick 10000)")
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    options = parser.parse_args()
    options.seconds = options.seconds or (5.0 if options.quick else 15.0)
    options.warmup = options.warmup or (1.0 if options.quick else 3.0)
    options.rounds = options.rounds or (1 if options.quick else 3)
    default_sizes = "10000" if options.quick else "10000,1000000"
    options.sizes = [int(size) for size in (options.sizes or default_sizes).split(",")]
    return options


def stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def main() -> None:
    options = parse_arguments()
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    everything: dict[int, dict[str, Result]] = {}
    with contextlib.ExitStack() as cleanup:
        workdir = Path(tempfile.mkdtemp(prefix="served-backend-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        project = generate(workdir)
        venv = prepare_venv((options.venv or workdir / "venv").absolute(), project)
        driver = choose_driver(options.driver, workdir)
        name = create_database()
        cleanup.callback(drop_database, name)
        url = database_url(name)
        migrate = [str(venv / "bin" / "alembic"), "upgrade", "head"]
        run_checked(migrate, cwd=project, env=server_environment(url))
        server = Server(venv, project, url, options.workers, workdir / "uvicorn.log")
        cleanup.callback(server.stop)
        server.wait_ready()
        token = sign_in(server.base)
        print(
            f"taskflow on PostgreSQL ({name}), uvicorn --workers {options.workers}, "
            f"{os.cpu_count()} cores; load generator: {driver.name}, "
            f"{options.connections} connections, {options.warmup:.0f} s warm-up + "
            f"{options.seconds:.0f} s per run; the list operations in {options.rounds} "
            f"alternating rounds (p50/p99: median of the rounds); page size {PAGE}",
            flush=True,
        )
        for rows in options.sizes:
            everything[rows] = bench_size(options, driver, server, token, url, rows)
        show_plans(venv, project, url, options.sizes[-1])
        if server.process.poll() is not None:
            raise BenchError(f"uvicorn died during the run:\n{server.tail()}")
    summarize(everything)


def summarize(everything: dict[int, dict[str, Result]]) -> None:
    print("\n== summary (requests/s, p50 ms, p99 ms, server CPU ms per request)")
    for rows, results in everything.items():
        for name, result in results.items():
            print(
                f"{rows:>9,} rows  {name:<18} {result.rate:>7.0f}/s  p50 {result.p50_ms:6.1f}  "
                f"p99 {result.p99_ms:6.1f}  cpu {result.cpu_ms:5.2f}"
            )
    largest = max(everything)
    results = everything[largest]
    ratio = results["list deep page"].p99_ms / results["list first page"].p99_ms
    verdict = "within" if ratio <= TARGET_RATIO else "NOT within"
    print(
        f"at {largest:,} rows: deep-page p99 {results['list deep page'].p99_ms:.1f} ms / "
        f"first-page p99 {results['list first page'].p99_ms:.1f} ms = {ratio:.2f}, "
        f"{verdict} 25 %"
    )


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"served_backend: {error}")
