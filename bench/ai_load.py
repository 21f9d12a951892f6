"""A load test of one AI action of a generated backend: many users at once, each asking more
than its daily token budget allows, against a provider that answers slowly.

The script generates examples/taskflow.yaml into a temporary folder, makes a virtualenv
for it (`pip install -e 'project[dev]'`, or reuses the one given with --venv) and runs
bench/ai_load_driver.py there, with the project on PYTHONPATH. The driver serves the
generated app and its tests' fake OpenAI-compatible provider with uvicorn, each in a
process of its own, and sends N users x M concurrent `summarize` calls (streamed), on
distinct rows, with a budget that fits K of a user's holds; then the same calls again, for
cache hits. It prints:

- requests, and the 200 / 429 counts per round;
- per user, the most held or spent against the budget, and "budgets held: yes/no" (no
  user's ai_budgets.tokens, nor its sum of ai_usage tokens, over the budget; nor more than
  K of its calls at the provider at once);
- the cache hits ai_usage counts against those expected in round 2;
- the provider's latency as the fake measures it (request received -> last byte) beside
  the client's, and the p99 overhead of the layer (client p99 - provider p99), for calls
  that reached the provider; the client's latency of cache hits and of 429s.

Figures only: the exit status is 1 only when a budget was exceeded.

Usage:
    python bench/ai_load.py [--venv PATH] [--database-url postgresql://postgres@127.0.0.1:5432/test]
        [--users 20] [--calls 10] [--fit 3] [--delay 0.2] [--tokens 20] [--token-delay 0.01]

On SQLite by default. With --database-url (the server's maintenance database), a database
of its own, ai_bench_<random>, is created there and dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

# bench/ is the script's directory, so on sys.path: the helpers are shared.
from served_backend import BenchError, generate, prepare_venv

DRIVER = Path(__file__).resolve().parent / "ai_load_driver.py"
# What the driver imports besides the generated project itself (put on PYTHONPATH).
PROBE = "import aiosqlite, asyncpg, fastapi, httpx, openai, pytest, sqlmodel, uvicorn"


def create_database(server: str) -> str:
    """A new database on the server of `server` (its maintenance database's URL): its URL."""
    name = f"ai_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlsplit(server)._replace(path=f"/{name}").geturl()


def drop_database(server: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    try:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.Error as error:
        print(f"could not drop database {name}: {error}", file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, help="the generated project's virtualenv")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server's maintenance database (default: SQLite in the temp folder)",
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--calls", type=int, default=10, help="concurrent calls per user (M)")
    parser.add_argument("--fit", type=int, default=3, help="holds a budget fits (K)")
    parser.add_argument("--delay", type=float, default=0.2, help="provider: s to first token")
    parser.add_argument("--tokens", type=int, default=20, help="provider: tokens streamed")
    parser.add_argument("--token-delay", type=float, default=0.01, help="provider: s apart")
    parser.add_argument("--pool-size", type=int, help="the app's DATABASE_POOL_SIZE")
    options = parser.parse_args()

    with contextlib.ExitStack() as cleanup:
        workdir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ai-load-")))
        project = generate(workdir)
        print(f"generated {project}", flush=True)
        venv = (options.venv or workdir / "venv").absolute()
        prepare_venv(venv, f"{project}[dev]", PROBE, "taskflow")
        if options.database_url:
            database = create_database(options.database_url)
            cleanup.callback(drop_database, options.database_url, database)
        else:
            database = f"sqlite:///{workdir / 'ai_load.db'}"
        command = [
            str(venv / "bin" / "python"),
            str(DRIVER),
            "run",
            f"--database-url={database}",
            f"--users={options.users}",
            f"--calls={options.calls}",
            f"--fit={options.fit}",
            f"--delay={options.delay}",
            f"--tokens={options.tokens}",
            f"--token-delay={options.token_delay}",
            f"--logs={workdir}",
            *([f"--pool-size={options.pool_size}"] if options.pool_size else []),
        ]
        environment = os.environ | {"PYTHONPATH": str(project)}
        return subprocess.run(command, cwd=project, env=environment, check=False).returncode
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        sys.exit(f"ai_load: {error}")
