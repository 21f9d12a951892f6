"""Speed of a generated backend served for real, alone or side by side with a peer.

The script generates examples/taskflow.yaml into a temporary folder, installs it in a
virtualenv (or reuses one given with --venv), creates a fresh PostgreSQL database, migrates
it with Alembic and serves the app with uvicorn: one worker pinned to core 0
(`taskset -c 0`), with its safety features on: rate limiting (RATE_LIMIT_ENABLED=true, a
default limit far above what the bench sends), the audit log (always on) and the JSON
access log at INFO (LOG_LEVEL=INFO, written to a log file in the temporary folder).

With --peer PATH it also serves full-stack-fastapi-template's backend from that checkout
(PATH/backend; never modified, its bytecode goes to the temporary folder) beside it, the way
the checkout's README serves it: one uvicorn worker pinned to core 0, its own fresh
database migrated with `alembic upgrade head` and seeded with `python app/initial_data.py`,
a virtualenv reused from --peer-venv (made with `python -m venv` + `pip install -e backend`
when missing or lacking its dependencies). Both servers stay up for the whole run; only
one is driven at a time.

Each backend gets one user (registered through its API) and, at each size (10k and then 1M
rows), that user's rows loaded in bulk with SQL. A load generator pinned to core 1 (wrk
with a Lua script, installed with apt-get when missing; an asyncio + httpx driver when wrk
cannot be had) drives each operation for a fixed time with N connections:

  operation        taskflow                               peer
  get by id        GET /api/v1/tasks/{id}                 GET /api/v1/items/{id}
  create           POST /api/v1/tasks (201)               POST /api/v1/items/ (200)
  list first page  GET /api/v1/tasks?limit=20             GET /api/v1/items/?skip=0&limit=20
  list deep page   GET /api/v1/tasks?limit=20&cursor=C    GET /api/v1/items/?skip=N&limit=20

Get by id spreads over 1,000 random rows; the deep pages start ~90 % into the rows (16
positions around 90 %): taskflow's keyset cursor of that row, the peer's offset (its only
way). Each operation is checked once (status, and that the deep page starts where the
database says) before it is timed. Each operation is warmed up, then measured in --rounds
rounds; in each round every operation runs on taskflow and then on the peer, the order
swapped every other round, so that the machine's noise hits both alike. After each run the
bench waits until the server and its database are idle again (requests the load generator
abandoned at its deadline), so that no work spills into the next run.

With --scaling (on by default, off with --quick), at the smallest size it also serves
taskflow with REDIS_URL set (rate limits shared in Redis, under a key prefix unique to the
run, deleted right after) with 1 worker on core 0 and with 2 workers on both cores, on the
same database, and drives get by id and create on both, alternating.

It prints, per size x operation x server: requests/s, p50 and p99 latency (medians of the
rounds), the server's CPU time per request (all its processes: the uvicorn process group),
PostgreSQL's CPU time per request (all of its processes on this machine: other users'
queries count too) and the p99 of each round; then a table per cell of taskflow / peer
(requests/s and CPU per request), each backend's deep-page p99 / first-page p99 per size
(taskflow's target: within 25 % at 1M rows), the scaling table, and the plan of taskflow's
deep-page query as the server sends it, under EXPLAIN (ANALYZE, BUFFERS). The servers are
stopped, the databases dropped, the Redis keys deleted and the temporary folder removed,
even on failure or Ctrl-C. It asserts nothing beyond checking that every request it drives
works.

Usage:
    python bench/served_backend.py [--quick] [--venv PATH] [--peer PATH] [--peer-venv PATH]
        [--rounds N] [--seconds S] [--warmup S] [--connections N] [--sizes 10000,1000000]
        [--scaling | --no-scaling] [--workers N] [--driver auto|wrk|python]

    # side by side, the full run (10k and 1M rows, 3 rounds, 15 s per run, scaling on):
    python bench/served_backend.py --peer path/to/full-stack-fastapi-template \\
        --venv /tmp/bench-taskflow-venv --peer-venv /tmp/bench-peer-venv

--quick runs 10k rows only, 1 round of 5 s per operation, no scaling. Without --peer it
measures taskflow alone (--workers N serves it with N workers, unpinned when N > 1).
BENCH_POSTGRES_URL names the server's maintenance database (default
postgresql://postgres@127.0.0.1:5432/test), BENCH_REDIS_URL the Redis database of the
scaling runs (default redis://127.0.0.1:6379/0).
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
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
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
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = "/api/v1"
PAGE = 20
EMAIL = "bench@example.com"
PASSWORD = "bench-password-0123456789"
JWT_SECRET = "bench-" + "s" * 40
# Far above what one user sends during the bench (a few thousand requests a minute), so
# the limiter does all its work and never refuses.
RATE_LIMIT_DEFAULT = "1000000/minute"
LIST_INDEX = "ix_tasks_owner_id_created_at_id"
DEEP_FRACTION = 0.9
TARGET_RATIO = 1.25
SERVER_CPUS = "0"
LOAD_CPUS = "1"
TASKFLOW = "taskflow"
PEER = "peer"
OPERATION_NAMES = ("get by id", "create", "list first page", "list deep page")
PEER_ENVIRONMENT = {
    "PROJECT_NAME": "FST",
    "SECRET_KEY": "peer-bench-secret-0123456789abcdefghijklmnopqrstuvwxyz",
    "FIRST_SUPERUSER": "admin@example.com",
    "FIRST_SUPERUSER_PASSWORD": "admin-password-0123456789",
    "FRONTEND_HOST": "http://localhost:5173",
}
PEER_PROBE = (
    "import alembic, email_validator, emails, fastapi, jwt, psycopg, pwdlib, "
    "pydantic_settings, python_multipart, sentry_sdk, sqlmodel, tenacity, uvicorn"
)

# Builds the deep-page statement with the generated repository itself and prints it as
# asyncpg receives it: SQL with $n placeholders, then the parameters in order.
COMPILE_QUERY = """
import asyncio, json, sys, uuid
from sqlalchemy.dialects.postgresql import asyncpg
from app.repositories.task import TaskRepository
from app.schemas.task import TaskListParams


class Captured(Exception):
    pass


# Stands for the session or connection the repository is given: whatever it calls with
# the statement (exec, execute, scalars, ...) hands the statement over.
class Capture:

    def __getattr__(self, name):
        async def capture(statement, *args, **kwargs):
            raise Captured(statement)

        return capture


async def main():
    params = TaskListParams(limit=int(sys.argv[1]), cursor=sys.argv[2] or None)
    try:
        await TaskRepository(Capture()).page(params, owner_id=uuid.UUID(sys.argv[3]))
    except Captured as caught:
        compiled = caught.args[0].compile(
            dialect=asyncpg.dialect(), compile_kwargs={"render_postcompile": True}
        )
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
    # PostgreSQL's CPU time per request (all its processes on this machine).
    db_cpu_ms: float = float("nan")

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combined(runs: list[Result]) -> Result:
    """Several runs of one operation: requests and time added up, latencies the median
    of the runs' figures, CPU per request over all the runs' requests."""
    requests = max(1, sum(run.requests for run in runs))
    return Result(
        requests=sum(run.requests for run in runs),
        errors=sum(run.errors for run in runs),
        seconds=sum(run.seconds for run in runs),
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        cpu_ms=sum(run.cpu_ms * run.requests for run in runs) / requests,
        db_cpu_ms=sum(run.db_cpu_ms * run.requests for run in runs) / requests,
    )


# ---------------------------------------------------------------------------- load generators


class Driver(Protocol):
    name: str

    def run(
        self, base: str, token: str, operation: Operation, connections: int, seconds: float
    ) -> Result: ...


def pinned(command: list[str], cpus: str | None) -> list[str]:
    """The command run on the given cores (taskset), or as it is when pinning is off."""
    return ["taskset", "-c", cpus, *command] if cpus is not None else command


class WrkDriver:
    name = "wrk"

    def __init__(self, executable: str, workdir: Path, cpus: str | None) -> None:
        self.executable = executable
        self.workdir = workdir
        self.cpus = cpus

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
            pinned(command, self.cpus),
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 120,
        )
        for line in completed.stdout.splitlines():
            if line.startswith("BENCH "):
                return Result(**json.loads(line[len("BENCH ") :]))
        raise BenchError(f"wrk printed no figures:\n{completed.stdout}\n{completed.stderr}")


class PythonDriver:
    name = "python (asyncio + httpx, bench/http_load.py)"

    def __init__(self, cpus: str | None) -> None:
        self.cpus = cpus

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
            pinned([sys.executable, str(HTTP_LOAD)], self.cpus),
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


def choose_driver(choice: str, workdir: Path, cpus: str | None) -> Driver:
    if choice in ("auto", "wrk"):
        wrk = find_wrk(install=True)
        if wrk is not None:
            return WrkDriver(wrk, workdir, cpus)
        if choice == "wrk":
            raise BenchError("wrk is not available")
        print("wrk is not available: using the Python load generator", flush=True)
    return PythonDriver(cpus)


def can_pin() -> bool:
    """Servers on core 0 and the load generator on core 1 need taskset and two cores."""
    return shutil.which("taskset") is not None and len(os.sched_getaffinity(0)) >= 2


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


def prepare_venv(
    venv: Path, install: str, probe: str, label: str, env: dict[str, str] | None = None
) -> Path:
    """A virtualenv where `probe` imports: reused when it does, else made (when missing)
    and `pip install -e install` run in it."""
    python = venv / "bin" / "python"
    if python.exists():
        found = subprocess.run(
            [python, "-c", probe], env=env, capture_output=True, check=False, timeout=120
        )
        if found.returncode == 0:
            print(f"{label} virtualenv: reusing {venv}", flush=True)
            return venv
    print(f"{label} virtualenv: installing {install} into {venv} ...", flush=True)
    start = time.perf_counter()
    if not python.exists():
        run_checked([sys.executable, "-m", "venv", str(venv)])
    run_checked([str(python), "-m", "pip", "install", "--quiet", "-e", install])
    print(f"{label} virtualenv: ready in {time.perf_counter() - start:.0f} s", flush=True)
    return venv


def database_url(name: str) -> str:
    return urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()


def create_database() -> str:
    name = f"fa_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as error:
        print(f"could not drop database {name}: {error}", file=sys.stderr, flush=True)


def fresh_database(cleanup: contextlib.ExitStack) -> tuple[str, str]:
    """A new database, dropped when `cleanup` closes: its name and URL."""
    name = create_database()
    cleanup.callback(drop_database, name)
    return name, database_url(name)


def taskflow_environment(url: str, redis: Redis | None = None) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment.pop("REDIS_URL", None)
    environment.update(
        APP_ENV="production",
        JWT_SECRET=JWT_SECRET,
        DATABASE_URL=url,
        RATE_LIMIT_ENABLED="true",
        RATE_LIMIT_DEFAULT=RATE_LIMIT_DEFAULT,
        LOG_LEVEL="INFO",
        # Tokens outlive the run, so that a long load at 1M rows needs no refresh.
        ACCESS_TOKEN_MINUTES="600",
    )
    if redis is not None:
        environment.update(REDIS_URL=redis.url, RATE_LIMIT_KEY_PREFIX=redis.prefix)
    return environment


def peer_environment(url: str, backend: Path, workdir: Path) -> dict[str, str]:
    """The peer's variables (its README), its own `app` first on the path whatever the
    virtualenv was installed from, and its bytecode kept out of the checkout."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "SENTRY_DSN", "FASTAPI_ENV")
    }
    environment.update(PEER_ENVIRONMENT)
    environment.update(
        DATABASE_URL=url,
        PYTHONPATH=str(backend),
        PYTHONPYCACHEPREFIX=str(workdir / "peer-pycache"),
    )
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def process_stats() -> list[tuple[str, list[str]]]:
    """(command name, fields after the name) of every process in /proc/*/stat."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            head, _, tail = stat.read_text().rpartition(")")
            found.append((head.partition("(")[2], tail.split()))
    return found


def postgres_cpu_seconds() -> float:
    """User + system CPU time of PostgreSQL's processes on this machine, with what the
    postmaster has reaped of its exited children (parallel workers, closed sessions)."""
    ticks = 0
    for name, fields in process_stats():
        if name == "postgres":
            with contextlib.suppress(ValueError, IndexError):
                ticks += sum(int(fields[index]) for index in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


class Server:
    """uvicorn serving one app, in its own process group (pinned with taskset when
    `cpus` is given), its output in a log file."""

    def __init__(
        self,
        label: str,
        command: list[str],
        *,
        cwd: Path,
        env: dict[str, str],
        log: Path,
        ready_path: str,
        cpus: str | None,
        database: str,
    ) -> None:
        self.label = label
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.ready_path = ready_path
        self.cpus = cpus
        self.database = database
        arguments = [*command, "--host", "127.0.0.1", "--port", str(self.port)]
        with log.open("w") as output:
            self.process = subprocess.Popen(
                pinned(arguments, cpus),
                cwd=cwd,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"{self.label}: uvicorn exited ({self.process.returncode}):\n{self.tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + self.ready_path, timeout=2).status_code == 200:
                    return
            time.sleep(0.2)
        raise BenchError(f"{self.label}: not ready within {timeout:.0f} s:\n{self.tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server's processes so far: every process of
        the group uvicorn leads (its workers too), all threads included (Linux /proc)."""
        ticks = 0
        for _, fields in process_stats():
            with contextlib.suppress(ValueError, IndexError):
                if int(fields[2]) == self.process.pid:
                    ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def active_queries(self) -> int:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state = 'active'",
                (self.database,),
            ).fetchone()
        return int(row[0]) if row else 0

    def settle(self, timeout: float = 60) -> None:
        """Wait until the requests the load generator abandoned at its deadline are done:
        the server's CPU still and no query active in its database, twice in a row."""
        deadline = time.monotonic() + timeout
        quiet = 0
        previous = self.cpu_seconds()
        while quiet < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            current = self.cpu_seconds()
            idle = current - previous < 0.01 and self.active_queries() == 0
            quiet = quiet + 1 if idle else 0
            previous = current

    def measure(
        self, driver: Driver, token: str, operation: Operation, connections: int, seconds: float
    ) -> Result:
        before, database_before = self.cpu_seconds(), postgres_cpu_seconds()
        result = driver.run(self.base, token, operation, connections, seconds)
        spent, database_spent = (
            self.cpu_seconds() - before,
            postgres_cpu_seconds() - database_before,
        )
        self.settle()
        if self.process.poll() is not None:
            raise BenchError(f"{self.label}: uvicorn died during the run:\n{self.tail()}")
        requests = max(1, result.requests)
        return replace(
            result, cpu_ms=spent * 1000 / requests, db_cpu_ms=database_spent * 1000 / requests
        )

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


def start_server(cleanup: contextlib.ExitStack, server: Server) -> Server:
    """The server, stopped when `cleanup` closes (before its database is dropped), ready."""
    cleanup.callback(server.stop)
    server.wait_ready()
    return server


class Redis:
    """The Redis database and key prefix of the scaling runs' shared rate limits, with
    the few commands the bench sends itself (RESP over a socket: no client library)."""

    def __init__(self, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self.cleaned = False
        parts = urlsplit(url)
        self.address = (parts.hostname or "127.0.0.1", parts.port or 6379)
        self.database = parts.path.strip("/") or "0"

    def command(self, stream: Any, *arguments: str) -> Any:
        request = f"*{len(arguments)}\r\n" + "".join(
            f"${len(argument.encode())}\r\n{argument}\r\n" for argument in arguments
        )
        stream.write(request.encode())
        stream.flush()
        return self.reply(stream)

    def reply(self, stream: Any) -> Any:
        line = stream.readline().decode().rstrip("\r\n")
        kind, rest = line[:1], line[1:]
        if kind == "-" or not kind:
            raise BenchError(f"Redis answered {line or 'nothing'}")
        if kind == ":":
            return int(rest)
        if kind == "$":
            return None if int(rest) < 0 else stream.read(int(rest) + 2)[:-2].decode()
        if kind == "*":
            return [self.reply(stream) for _ in range(int(rest))]
        return rest

    def session(self, *commands: list[str]) -> list[Any]:
        """Run commands on one connection (after SELECT of the database); their replies."""
        with socket.create_connection(self.address, timeout=5) as connection:
            stream = connection.makefile("rwb")
            self.command(stream, "SELECT", self.database)
            return [self.command(stream, *arguments) for arguments in commands]

    def reachable(self) -> bool:
        try:
            self.session(["PING"])
        except (OSError, BenchError) as error:
            print(f"Redis at {self.url} does not answer: {error}", flush=True)
            return False
        return True

    def clean(self) -> None:
        """Delete the run's keys (those under its prefix), once; how many there were
        shows that the servers kept their counters there."""
        if self.cleaned:
            return
        try:
            deleted, cursor = 0, "0"
            while True:
                scan = ["SCAN", cursor, "MATCH", f"{self.prefix}:*", "COUNT", "1000"]
                [(cursor, keys)] = self.session(scan)
                if keys:
                    deleted += self.session(["DEL", *keys])[0]
                if cursor == "0":
                    break
            self.cleaned = True
            print(f"Redis: deleted the run's {deleted} keys ({self.prefix}:*)", flush=True)
        except (OSError, BenchError) as error:
            print(f"Redis: could not delete {self.prefix}:*: {error}", file=sys.stderr)


def taskflow_server(
    venv: Path,
    project: Path,
    url: str,
    database: str,
    *,
    label: str,
    workers: int,
    cpus: str | None,
    log: Path,
    redis: Redis | None = None,
) -> Server:
    command = [
        str(venv / "bin" / "uvicorn"),
        "app.main:create_app",
        "--factory",
        "--app-dir",
        str(project),
        "--workers",
        str(workers),
        "--log-level",
        "info",
        # The app writes its own JSON access log (app.access, at LOG_LEVEL=INFO).
        "--no-access-log",
    ]
    return Server(
        label,
        command,
        cwd=project,
        env=taskflow_environment(url, redis),
        log=log,
        ready_path="/ready",
        cpus=cpus,
        database=database,
    )


def peer_server(
    venv: Path, backend: Path, env: dict[str, str], database: str, cpus: str | None, log: Path
) -> Server:
    # As the checkout's README serves it.
    command = [str(venv / "bin" / "uvicorn"), "app.main:app", "--no-access-log"]
    return Server(
        PEER,
        command,
        cwd=backend,
        env=env,
        log=log,
        ready_path=f"{PREFIX}/utils/health-check/",
        cpus=cpus,
        database=database,
    )


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

# The same rows as the peer's items: its `item` has a title, a description of at most
# 255 characters, an owner and created_at (and no soft delete).
LOAD_ITEMS = """
INSERT INTO item (id, title, description, owner_id, created_at)
SELECT gen_random_uuid(),
       'Task ' || g || ': ' || (ARRAY['write', 'review', 'ship', 'plan', 'fix'])[1 + g %% 5]
           || ' the ' || (ARRAY['report', 'release', 'budget', 'design', 'tests'])[1 + g %% 7 %% 5],
       CASE WHEN g %% 3 = 0 THEN repeat('Notes about this task. ', 1 + g %% 10) END,
       %(owner)s,
       created
FROM (
    SELECT g,
           now() - interval '730 days' + (g::float8 / %(rows)s) * interval '730 days'
               + random() * interval '5 seconds' AS created
    FROM generate_series(1, %(rows)s) AS g
) AS series
"""


def bulk_load(url: str, statements: Sequence[str], owner: uuid.UUID, rows: int) -> float:
    """Run the loading statements (the last one VACUUM-free); seconds taken."""
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement, {"owner": owner, "rows": rows})
    return time.perf_counter() - start


def one_value(url: str, query: str, parameters: Sequence[Any]) -> Any:
    with psycopg.connect(url) as connection:
        row = connection.execute(query, parameters).fetchone()
    if row is None:
        raise BenchError(f"no row for: {' '.join(query.split())}")
    return row[0]


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    """A cursor of the default order (-created_at), as app/repositories/pagination.py
    encodes it: base64url of [key, descending, value in ISO format, id], unpadded."""
    payload = ["-created_at", True, created_at.astimezone(UTC).isoformat(), str(row_id)]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def deep_positions(visible: int) -> tuple[int, list[int]]:
    """The main deep position (~90 % down) and 16 positions from 89.2 % to 90.8 % around
    it, so that the deep pages are not all one page: each page starts after its row."""
    middle = int(visible * DEEP_FRACTION)
    step = max(1, visible // 1000)
    return middle, [middle + offset * step for offset in range(-8, 8)]


@dataclass(frozen=True)
class DeepPage:
    cursors: list[str]
    # The main cursor, its row's position in the list (1-based) and the row that follows.
    cursor: str
    position: int
    next_id: uuid.UUID


def deep_cursors(url: str, owner: uuid.UUID, visible: int) -> DeepPage:
    """Cursors of rows ~90 % down the default order (newest first), found by one query."""
    middle, positions = deep_positions(visible)
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
            for position, created_at, row_id in connection.execute(
                query, (owner, [*positions, middle + 1])
            )
        }
    cursors = [encode_cursor(*found[position]) for position in positions]
    return DeepPage(cursors, encode_cursor(*found[middle]), middle, found[middle + 1][1])


def sample_ids(url: str, table: str, condition: str, owner: uuid.UUID, visible: int) -> list[str]:
    """1,000 random ids of the user's visible rows."""
    count = 1000
    share = min(100.0, 100.0 * count * 3 / max(1, visible))
    query = f"""
        SELECT id FROM {table} TABLESAMPLE BERNOULLI (%s)
        WHERE owner_id = %s {condition} ORDER BY random() LIMIT %s
    """
    with psycopg.connect(url) as connection:
        return [str(row[0]) for row in connection.execute(query, (share, owner, count))]


def check_once(base: str, token: str, operation: Operation, path: str = "") -> httpx.Response:
    """One request of the operation, so that a broken one fails loudly, not as errors."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    target = path or operation.paths[0]
    response = httpx.request(
        operation.method, base + target, headers=headers, content=operation.body, timeout=60
    )
    if response.status_code != operation.status:
        raise BenchError(
            f"{operation.name}: {operation.method} {target} answered "
            f"{response.status_code} (expected {operation.status}): {response.text[:500]}"
        )
    return response


# ---------------------------------------------------------------------------- backends


class Backend(ABC):
    """One served app, its user and how it does the four operations."""

    label: str

    def __init__(self, server: Server, url: str, token: str) -> None:
        self.server = server
        self.url = url
        self.token = token

    @abstractmethod
    def prepare(self, rows: int) -> list[Operation]:
        """Load `rows` rows of the user (replacing the earlier ones), print what was
        loaded and checked; the operations, in OPERATION_NAMES order, each checked once."""

    def features(self, rows: int) -> str | None:
        """What shows, after a size's runs, that its features were at work."""
        return None

    def check_all(self, chosen: list[Operation]) -> None:
        for operation in chosen:
            check_once(self.server.base, self.token, operation)


class TaskflowBackend(Backend):
    label = TASKFLOW

    def owner(self) -> uuid.UUID:
        owner: uuid.UUID = one_value(self.url, "SELECT id FROM users WHERE email = %s", (EMAIL,))
        return owner

    def visible(self, owner: uuid.UUID) -> int:
        query = "SELECT count(*) FROM tasks WHERE owner_id = %s AND deleted_at IS NULL"
        return int(one_value(self.url, query, (owner,)))

    def prepare(self, rows: int) -> list[Operation]:
        owner = self.owner()
        statements = ["TRUNCATE tasks, task_tags, audit_log", LOAD_TASKS, "VACUUM (ANALYZE) tasks"]
        seconds = bulk_load(self.url, statements, owner, rows)
        visible = self.visible(owner)
        deep = deep_cursors(self.url, owner, visible)
        ids = sample_ids(self.url, "tasks", "AND deleted_at IS NULL", owner, visible)
        create_body = json.dumps(
            {
                "title": "Benchmark task",
                "description": "Written by the load generator",
                "priority": 2,
            }
        )
        chosen = [
            Operation("get by id", "GET", [f"{PREFIX}/tasks/{row_id}" for row_id in ids]),
            Operation("create", "POST", [f"{PREFIX}/tasks"], body=create_body, status=201),
            Operation("list first page", "GET", [f"{PREFIX}/tasks?limit={PAGE}"]),
            Operation(
                "list deep page",
                "GET",
                [f"{PREFIX}/tasks?limit={PAGE}&cursor={cursor}" for cursor in deep.cursors],
            ),
        ]
        # The deep cursor must land where the database says: the row after its own.
        exact = f"{PREFIX}/tasks?limit={PAGE}&cursor={deep.cursor}"
        page = check_once(self.server.base, self.token, chosen[3], exact).json()
        if uuid.UUID(page["data"][0]["id"]) != deep.next_id:
            raise BenchError("taskflow: the deep page does not start after its cursor's row")
        self.check_all(chosen)
        _, positions = deep_positions(visible)
        print(
            f"{self.label}: {rows:,} tasks loaded in {seconds:.1f} s ({visible:,} not deleted), "
            f"VACUUM ANALYZE done; deep pages (cursor) start after rows {positions[0]:,} to "
            f"{positions[-1]:,}; checked: the page after row {deep.position:,} starts at row "
            f"{deep.position + 1:,}",
            flush=True,
        )
        return chosen

    def features(self, rows: int) -> str:
        created = int(one_value(self.url, "SELECT count(*) FROM tasks", ())) - rows
        query = "SELECT count(*) FROM audit_log WHERE action = 'create'"
        audited = int(one_value(self.url, query, ()))
        with self.server.log.open(errors="replace") as log:
            logged = sum('"logger": "app.access"' in line for line in log)
        return (
            f"{self.label}: audit log: {audited:,} 'create' entries for {created:,} tasks created "
            f"through the API at this size; access log: {logged:,} lines so far"
        )


class PeerBackend(Backend):
    label = PEER

    def owner(self) -> uuid.UUID:
        owner: uuid.UUID = one_value(self.url, 'SELECT id FROM "user" WHERE email = %s', (EMAIL,))
        return owner

    def prepare(self, rows: int) -> list[Operation]:
        owner = self.owner()
        statements = ["TRUNCATE item", LOAD_ITEMS, "VACUUM (ANALYZE) item"]
        seconds = bulk_load(self.url, statements, owner, rows)
        visible = int(
            one_value(self.url, "SELECT count(*) FROM item WHERE owner_id = %s", (owner,))
        )
        middle, positions = deep_positions(visible)
        ids = sample_ids(self.url, "item", "", owner, visible)
        create_body = json.dumps(
            {"title": "Benchmark task", "description": "Written by the load generator"}
        )
        items = f"{PREFIX}/items/"
        chosen = [
            Operation("get by id", "GET", [f"{items}{row_id}" for row_id in ids]),
            # The peer's create answers 200 (its route sets no status code).
            Operation("create", "POST", [items], body=create_body, status=200),
            Operation("list first page", "GET", [f"{items}?skip=0&limit={PAGE}"]),
            Operation(
                "list deep page",
                "GET",
                [f"{items}?skip={position}&limit={PAGE}" for position in positions],
            ),
        ]
        # Its deep page must start at the row after `skip` rows, newest first (its order).
        exact = f"{items}?skip={middle}&limit={PAGE}"
        page = check_once(self.server.base, self.token, chosen[3], exact).json()
        expected = one_value(
            self.url,
            "SELECT id FROM item WHERE owner_id = %s ORDER BY created_at DESC OFFSET %s LIMIT 1",
            (owner, middle),
        )
        if uuid.UUID(page["data"][0]["id"]) != expected or page["count"] != visible:
            raise BenchError("peer: the deep page does not start after `skip` rows")
        self.check_all(chosen)
        print(
            f"{self.label}: {rows:,} items loaded in {seconds:.1f} s, VACUUM ANALYZE done; deep "
            f"pages skip {positions[0]:,} to {positions[-1]:,} rows; checked: skip={middle:,} "
            f"starts at row {middle + 1:,}",
            flush=True,
        )
        return chosen


def sign_in_taskflow(base: str) -> str:
    """Register the bench user and log in; the access token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        account = {"email": EMAIL, "password": PASSWORD}
        registered = client.post(f"{PREFIX}/auth/register", json=account)
        if registered.status_code != 201:
            raise BenchError(f"taskflow register: {registered.status_code} {registered.text}")
        logged_in = client.post(f"{PREFIX}/auth/login", json=account)
        if logged_in.status_code != 200:
            raise BenchError(f"taskflow login: {logged_in.status_code} {logged_in.text}")
        token: str = logged_in.json()["access_token"]
        return token


def sign_in_peer(base: str) -> str:
    """Sign up the bench user and log in with the OAuth2 password form; the token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        account = {"email": EMAIL, "password": PASSWORD, "full_name": "Bench"}
        signed_up = client.post(f"{PREFIX}/users/signup", json=account)
        if signed_up.status_code != 200:
            raise BenchError(f"peer signup: {signed_up.status_code} {signed_up.text}")
        form = {"username": EMAIL, "password": PASSWORD}
        logged_in = client.post(f"{PREFIX}/login/access-token", data=form)
        if logged_in.status_code != 200:
            raise BenchError(f"peer login: {logged_in.status_code} {logged_in.text}")
        token: str = logged_in.json()["access_token"]
        return token


# ---------------------------------------------------------------------------- plans


def server_statement(venv: Path, project: Path, url: str, cursor: str, owner: uuid.UUID) -> Any:
    """The list query the server sends for this cursor: {"sql", "params"}."""
    script = project.parent / "compile_query.py"
    script.write_text(COMPILE_QUERY, encoding="utf-8")
    # The project's own `app`, whatever a reused virtualenv was installed from.
    environment = {**taskflow_environment(url), "PYTHONPATH": str(project)}
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


def show_plans(venv: Path, project: Path, taskflow: TaskflowBackend, rows: int) -> None:
    owner = taskflow.owner()
    deep = deep_cursors(taskflow.url, owner, taskflow.visible(owner))
    for title, cursor in (("deep page", deep.cursor), ("first page", "")):
        statement = server_statement(venv, project, taskflow.url, cursor, owner)
        print(f"\n-- taskflow's {title} at {rows:,} rows, as the server sends it:")
        print("   " + " ".join(statement["sql"].split()))
        modes = (False, True) if cursor else (False,)
        for generic in modes:
            plan = explain(taskflow.url, statement, generic)
            label = "generic plan (cached)" if generic else "custom plan"
            used = "uses" if any(LIST_INDEX in line for line in plan) else "DOES NOT use"
            print(f"   EXPLAIN (ANALYZE, BUFFERS), {label}: {used} {LIST_INDEX}")
            for line in plan:
                print(f"     {line}")


# ---------------------------------------------------------------------------- driving

# (rows, operation name, server label) -> the runs of that cell
Runs = dict[tuple[int, str, str], list[Result]]
Cells = dict[tuple[int, str, str], Result]

HEADING = "{:<16} {:<18} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>6}  {}".format(
    "operation", "server", "req/s", "p50 ms", "p99 ms", "cpu ms", "db cpu", "requests", "errors",
    "p99 ms by round",
)  # fmt: skip


def cell_line(name: str, label: str, runs: list[Result]) -> str:
    result = combined(runs)
    by_round = " ".join(f"{run.p99_ms:.1f}" for run in runs) if len(runs) > 1 else ""
    flag = "  <- ERRORS" if result.errors else ""
    return (
        f"{name:<16} {label:<18} {result.rate:>9.1f} {result.p50_ms:>8.1f} "
        f"{result.p99_ms:>8.1f} {result.cpu_ms:>8.2f} {result.db_cpu_ms:>8.2f} "
        f"{result.requests:>8} {result.errors:>6}  {by_round}{flag}"
    )


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


@dataclass(frozen=True)
class Target:
    """What one timed run drives: a server, its token and its operations by name."""

    label: str
    server: Server
    token: str
    operations: dict[str, Operation]


def alternate(
    options: argparse.Namespace,
    driver: Driver,
    targets: list[Target],
    names: Sequence[str],
    record: Callable[[str, str, Result], None],
) -> None:
    """Warm every (operation, target) up, then `options.rounds` rounds: in each, every
    operation on every target, the targets' order reversed every other round."""
    for name in names:
        for target in targets:
            target.server.measure(
                driver, target.token, target.operations[name], options.connections, options.warmup
            )
    for number in range(options.rounds):
        order = targets if number % 2 == 0 else targets[::-1]
        for name in names:
            for target in order:
                result = target.server.measure(
                    driver,
                    target.token,
                    target.operations[name],
                    options.connections,
                    options.seconds,
                )
                record(name, target.label, result)


def bench_size(
    options: argparse.Namespace, driver: Driver, backends: list[Backend], rows: int, runs: Runs
) -> dict[str, Target]:
    print(f"\n== {rows:,} rows of one user", flush=True)
    targets = {}
    for backend in backends:
        chosen = backend.prepare(rows)
        operations = {operation.name: operation for operation in chosen}
        targets[backend.label] = Target(backend.label, backend.server, backend.token, operations)
    print(load_average(), flush=True)

    def record(name: str, label: str, result: Result) -> None:
        runs.setdefault((rows, name, label), []).append(result)

    alternate(options, driver, list(targets.values()), OPERATION_NAMES, record)
    print(HEADING)
    for name in OPERATION_NAMES:
        for backend in backends:
            print(cell_line(name, backend.label, runs[(rows, name, backend.label)]), flush=True)
    for backend in backends:
        shown = backend.features(rows)
        if shown:
            print(shown)
        deep = combined(runs[(rows, "list deep page", backend.label)])
        first = combined(runs[(rows, "list first page", backend.label)])
        print(
            f"{backend.label}: deep-page p99 / first-page p99 = {deep.p99_ms / first.p99_ms:.2f}",
            flush=True,
        )
    print(load_average(), flush=True)
    return targets


SCALING_NAMES = ("get by id", "create")
SCALING_NOTE = (
    "note: on a {cores}-core machine the load generator (core {load}), PostgreSQL and the "
    "uvicorn workers share the cores: the 2 workers run on both cores, beside the load "
    "generator and the database, so this shows what a second worker buys here, not on a "
    "machine with a core per worker."
)


def bench_scaling(
    options: argparse.Namespace,
    driver: Driver,
    cleanup: contextlib.ExitStack,
    venv: Path,
    project: Path,
    workdir: Path,
    main: Backend,
    main_target: Target,
    rows: int,
    cpus: str | None,
    runs: Runs,
) -> None:
    """taskflow with REDIS_URL (rate limits shared in Redis): 1 worker beside 2 workers,
    on the main taskflow's database and rows, get by id and create, alternating."""
    print(f"\n== scaling: taskflow with Redis rate limits, 1 vs 2 workers, {rows:,} rows")
    redis = Redis(REDIS_URL, f"fa-bench-{uuid.uuid4().hex[:12]}")
    if not redis.reachable():
        print("scaling skipped: Redis is not reachable", flush=True)
        return
    cleanup.callback(redis.clean)
    database = main.server.database
    configurations = (("1 worker, Redis", 1, cpus), ("2 workers, Redis", 2, None))
    with contextlib.ExitStack() as servers:
        targets = []
        for label, workers, pin in configurations:
            server = taskflow_server(
                venv,
                project,
                main.url,
                database,
                label=label,
                workers=workers,
                cpus=pin,
                log=workdir / f"taskflow-{workers}-workers-redis.log",
                redis=redis,
            )
            start_server(servers, server)
            for name in SCALING_NAMES:
                check_once(server.base, main.token, main_target.operations[name])
            targets.append(Target(label, server, main.token, main_target.operations))
        print(
            f"REDIS_URL={redis.url}, RATE_LIMIT_KEY_PREFIX={redis.prefix}; 1 worker pinned to "
            f"core {cpus}, 2 workers unpinned; {load_average()}",
            flush=True,
        )

        def record(name: str, label: str, result: Result) -> None:
            runs.setdefault((rows, name, label), []).append(result)

        alternate(options, driver, targets, SCALING_NAMES, record)
    # Now, before the counters' window runs out (the end-of-run cleanup is the fallback).
    redis.clean()
    print(HEADING)
    for name in SCALING_NAMES:
        reference = runs[(rows, name, TASKFLOW)]
        print(cell_line(name, "1 worker, memory*", reference))
        for label, _, _ in configurations:
            print(cell_line(name, label, runs[(rows, name, label)]), flush=True)
    for name in SCALING_NAMES:
        one = combined(runs[(rows, name, configurations[0][0])])
        two = combined(runs[(rows, name, configurations[1][0])])
        print(f"{name}: 2 workers / 1 worker (Redis) requests/s = {two.rate / one.rate:.2f}")
    print(
        "* the main table's taskflow (rate limits in memory), measured earlier, not alternated "
        "with these"
    )
    print(SCALING_NOTE.format(cores=os.cpu_count(), load=LOAD_CPUS), flush=True)


# ---------------------------------------------------------------------------- main


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="10k rows only, 1 short round, no scaling"
    )
    parser.add_argument("--venv", type=Path, help="taskflow's virtualenv (reused, or created)")
    parser.add_argument(
        "--peer", type=Path, help="full-stack-fastapi-template checkout (with backend/)"
    )
    parser.add_argument("--peer-venv", type=Path, help="the peer's virtualenv (reused, or created)")
    parser.add_argument(
        "--workers", type=int, default=1, help="taskflow's uvicorn workers (1; unpinned if > 1)"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections")
    parser.add_argument("--seconds", type=float, help="seconds per run (15; quick 5)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds per operation (3; quick 1)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (3; quick 1)")
    parser.add_argument("--sizes", help="comma-separated row counts (10000,1000000; quick 10000)")
    parser.add_argument(
        "--scaling",
        action=argparse.BooleanOptionalAction,
        help="also 1 vs 2 workers with Redis, at the smallest size (on; off with --quick)",
    )
    parser.add_argument("--driver", choices=("auto", "wrk", "python"), default="auto")
    options = parser.parse_args()
    options.seconds = options.seconds or (5.0 if options.quick else 15.0)
    options.warmup = options.warmup or (1.0 if options.quick else 3.0)
    options.rounds = options.rounds or (1 if options.quick else 3)
    if options.scaling is None:
        options.scaling = not options.quick
    default_sizes = "10000" if options.quick else "10000,1000000"
    options.sizes = [int(size) for size in (options.sizes or default_sizes).split(",")]
    if options.peer is not None:
        options.peer = options.peer.absolute()
        if not (options.peer / "backend" / "app" / "main.py").is_file():
            parser.error(f"--peer {options.peer}: no backend/app/main.py there")
    return options


def stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def start_peer(
    options: argparse.Namespace, cleanup: contextlib.ExitStack, workdir: Path, cpus: str | None
) -> PeerBackend:
    backend = options.peer / "backend"
    venv = (options.peer_venv or workdir / "peer-venv").absolute()
    name, url = fresh_database(cleanup)
    environment = peer_environment(url, backend, workdir)
    prepare_venv(venv, str(backend), PEER_PROBE, "peer", environment)
    run_checked([str(venv / "bin" / "alembic"), "upgrade", "head"], cwd=backend, env=environment)
    run_checked([str(venv / "bin" / "python"), "app/initial_data.py"], cwd=backend, env=environment)
    server = peer_server(venv, backend, environment, name, cpus, workdir / "peer.log")
    start_server(cleanup, server)
    return PeerBackend(server, url, sign_in_peer(server.base))


def print_header(
    options: argparse.Namespace, driver: Driver, backends: list[Backend], cpus: str | None
) -> None:
    taskflow = backends[0]
    pinning = (
        f"servers pinned to core {SERVER_CPUS} (taskset), load generator to core {LOAD_CPUS}"
        if cpus is not None
        else "NOT pinned (taskset or a second core is missing)"
    )
    print(f"\nserved_backend: {os.cpu_count()} cores, {pinning}; {load_average()}")
    print(
        f"load generator: {driver.name}, {options.connections} connections, "
        f"{options.warmup:.0f} s warm-up + {options.rounds} alternating round(s) of "
        f"{options.seconds:.0f} s per operation and server (p50/p99: median of the rounds); "
        f"page size {PAGE}; sizes {', '.join(f'{rows:,}' for rows in options.sizes)}"
    )
    workers = f"{options.workers} workers (unpinned)" if options.workers > 1 else "1 worker"
    print(
        f"taskflow: generated from {SPEC.relative_to(ROOT)}, uvicorn {workers}, PostgreSQL "
        f"database {taskflow.server.database}; features ON: rate limiting "
        f"(RATE_LIMIT_ENABLED=true, RATE_LIMIT_DEFAULT={RATE_LIMIT_DEFAULT} per user, in "
        f"memory), audit log (always on), JSON access log (LOG_LEVEL=INFO, to "
        f"{taskflow.server.log})"
    )
    if len(backends) > 1:
        peer = backends[1]
        print(
            f"peer: full-stack-fastapi-template's backend from {options.peer}, uvicorn 1 worker "
            f"as its README serves it (--no-access-log; it has no rate limiting and no audit "
            f"log), PostgreSQL database {peer.server.database}, output to {peer.server.log}"
        )
    print(
        "columns: cpu ms = the server's CPU per request (its process group); db cpu = "
        "PostgreSQL's CPU per request (all its processes on this machine)",
        flush=True,
    )


def main() -> None:
    options = parse_arguments()
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    runs: Runs = {}
    with contextlib.ExitStack() as cleanup:
        workdir = Path(tempfile.mkdtemp(prefix="served-backend-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        project = generate(workdir)
        venv = (options.venv or workdir / "venv").absolute()
        taskflow_probe = "import alembic, asyncpg, fastapi, sqlmodel, uvicorn, limits, jwt"
        prepare_venv(venv, f"{project}[dev]", taskflow_probe, "taskflow")
        cpus = SERVER_CPUS if can_pin() else None
        driver = choose_driver(options.driver, workdir, LOAD_CPUS if cpus is not None else None)

        name, url = fresh_database(cleanup)
        run_checked(
            [str(venv / "bin" / "alembic"), "upgrade", "head"],
            cwd=project,
            env=taskflow_environment(url),
        )
        server = taskflow_server(
            venv,
            project,
            url,
            name,
            label=TASKFLOW,
            workers=options.workers,
            cpus=cpus if options.workers == 1 else None,
            log=workdir / "taskflow.log",
        )
        start_server(cleanup, server)
        taskflow = TaskflowBackend(server, url, sign_in_taskflow(server.base))
        backends: list[Backend] = [taskflow]
        if options.peer is not None:
            backends.append(start_peer(options, cleanup, workdir, cpus))
        print_header(options, driver, backends, cpus)

        smallest = min(options.sizes)
        for rows in options.sizes:
            targets = bench_size(options, driver, backends, rows, runs)
            if options.scaling and rows == smallest:
                bench_scaling(
                    options,
                    driver,
                    cleanup,
                    venv,
                    project,
                    workdir,
                    taskflow,
                    targets[TASKFLOW],
                    rows,
                    cpus,
                    runs,
                )
        show_plans(venv, project, taskflow, options.sizes[-1])
        print()
        for backend in backends:
            with backend.server.log.open(errors="replace") as log:
                lines = sum(1 for _ in log)
            print(f"{backend.label}'s server log: {lines:,} lines ({backend.server.log.name})")
    summarize(runs, options.sizes, [backend.label for backend in backends])


def summarize(runs: Runs, sizes: list[int], labels: list[str]) -> None:
    cells: Cells = {key: combined(value) for key, value in runs.items()}
    print("\n== summary (requests/s, p50 ms, p99 ms, server CPU ms per request, db CPU ms)")
    for rows in sizes:
        for name in OPERATION_NAMES:
            for label in labels:
                result = cells[(rows, name, label)]
                print(
                    f"{rows:>9,} rows  {name:<16} {label:<9} {result.rate:>8.1f}/s  "
                    f"p50 {result.p50_ms:7.1f}  p99 {result.p99_ms:7.1f}  "
                    f"cpu {result.cpu_ms:6.2f}  db {result.db_cpu_ms:6.2f}"
                )
    if PEER in labels:
        print(
            "\n== taskflow / peer per cell (requests/s: > 1 = taskflow serves more; "
            "cpu ms per request: < 1 = taskflow spends less)"
        )
        print(
            f"{'rows':>9}  {'operation':<16} {'tf req/s':>9} {'peer req/s':>10} {'ratio':>7}  "
            f"{'tf cpu ms':>9} {'peer cpu ms':>11} {'ratio':>6}"
        )
        for rows in sizes:
            for name in OPERATION_NAMES:
                ours, theirs = cells[(rows, name, TASKFLOW)], cells[(rows, name, PEER)]
                print(
                    f"{rows:>9,}  {name:<16} {ours.rate:>9.1f} {theirs.rate:>10.1f} "
                    f"{ours.rate / max(theirs.rate, 1e-9):>7.2f}  {ours.cpu_ms:>9.2f} "
                    f"{theirs.cpu_ms:>11.2f} {ours.cpu_ms / max(theirs.cpu_ms, 1e-9):>6.2f}"
                )
    print("\n== deep-page p99 / first-page p99 (taskflow's target: within 25 % at 1M rows)")
    for rows in sizes:
        parts = []
        for label in labels:
            deep, first = deep_and_first(cells, rows, label)
            ratio = deep.p99_ms / first.p99_ms
            parts.append(f"{label} {deep.p99_ms:.1f} / {first.p99_ms:.1f} ms = {ratio:.2f}")
        print(f"{rows:>9,} rows: " + "; ".join(parts))
    largest = max(sizes)
    deep, first = deep_and_first(cells, largest, TASKFLOW)
    verdict = "within" if deep.p99_ms / first.p99_ms <= TARGET_RATIO else "NOT within"
    print(f"taskflow at {largest:,} rows: {verdict} 25 %")


def deep_and_first(cells: Cells, rows: int, label: str) -> tuple[Result, Result]:
    return cells[(rows, "list deep page", label)], cells[(rows, "list first page", label)]


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"served_backend: {error}")
    except KeyboardInterrupt:
        sys.exit("served_backend: interrupted (servers stopped, databases dropped)")
