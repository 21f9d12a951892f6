"""What a generated evolve revision locks on a loaded PostgreSQL table, while writes go on.

The script generates examples/evolve/notes-v1.yaml into a temporary folder, migrates a
fresh PostgreSQL database with `alembic upgrade head` (in a virtualenv holding the
generated project's dependencies from its pyproject.toml, as the tests' `venv` fixture
builds it, or one given with --venv), and loads N notes with one INSERT ... SELECT FROM
generate_series (half of them with no author). It then edits architect.yaml into v2 and
runs `fastapi-architect generate` on the project, which writes one revision that

- makes `author` required with a backfill (UPDATE of the rows holding NULL, then a NOT
  VALID check, VALIDATE, SET NOT NULL proven by the check, the check dropped);
- adds the enum value `archived` (the check replaced NOT VALID, then validated);
- adds `pinned`, a required field with a default (a constant server default);
- adds a filter on `rating` (CREATE INDEX CONCURRENTLY).

The revision's SQL is taken from `alembic upgrade --sql` and run statement by statement
from a connection of its own, in the same transaction structure (the statements up to the
first COMMIT in one transaction, the rest one at a time in autocommit, the version stamp in
a transaction of its own), with `client_min_messages = debug1` so that the server says when
it scans, rewrites or proves. Meanwhile a writer thread (psycopg, autocommit) inserts a
note and updates a random one by turns, and a sampler polls pg_locks for the migration's
backend and pg_stat_activity for what the writer waits on (a lock, I/O, ...). Per
statement it prints the duration, the lock PostgreSQL documents for it and the locks seen,
and the writer statements started during it: count, max latency (insert / update) and
errors; then a summary table. Should a statement fail, it tries the recovery
docs/evolve.md gives (fix the rows, run the second part's statements again) and stops.

Then, unless --no-alembic, the same revision is run for real: `alembic downgrade`, the
backfilled authors set back to NULL, and `alembic upgrade head` (asyncpg, online), with the
writer running; the writer's stalls are matched to the statement the server was running.

The point to show: the index build and the NOT NULL steps (VALIDATE, SET NOT NULL) do not
block writes (the writer's max latency stays small, no errors), while the plain UPDATE
backfill holds the row locks of every row it changes until it ends. It prints figures and
asserts nothing. The database is dropped and the folder removed, even on failure.

Usage:
    python bench/evolve_locks.py [--rows 1000000] [--venv PATH] [--pause SECONDS]
        [--baseline SECONDS] [--old-code-nulls N] [--no-alembic]

--old-code-nulls N makes every N-th insert of the writer leave `author` NULL, as code still
running v1 (where it is optional) may during a rolling deploy. BENCH_POSTGRES_URL names the
server's maintenance database (default postgresql://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import psycopg
import yaml

# bench/ is the script's directory, so on sys.path: the helpers are shared.
from generate_speed import CLI
from served_backend import BenchError, create_database, database_url, drop_database, run_checked

from fastapi_architect import load_spec
from fastapi_architect.generate import INITIAL_REVISION, SPEC_FILE, generate_project

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "evolve" / "notes-v1.yaml"
# Writer statements slower than this count as stalled in the summary.
STALL_MS = 100.0

LOAD_NOTES = """
INSERT INTO notes (id, title, body, status, legacy_code, author, rating, created_at, updated_at)
SELECT gen_random_uuid(),
       'Note ' || g,
       repeat('Body of note ' || g || '. ', 1 + g %% 5),
       (ARRAY['draft', 'published'])[1 + g %% 3 %% 2],
       NULL,
       CASE WHEN g %% 2 = 0 THEN NULL ELSE 'author ' || g %% 1000 END,
       CASE WHEN g %% 3 = 0 THEN NULL ELSE g %% 100 END,
       now() - g * interval '1 second',
       now() - g * interval '1 second'
FROM generate_series(1, %(rows)s) AS g
"""
INSERT_NOTE = """
INSERT INTO notes (id, title, body, status, author, created_at, updated_at)
VALUES (gen_random_uuid(), 'Written during the migration', 'Body', 'draft', %s, now(), now())
"""
UPDATE_NOTE = "UPDATE notes SET rating = coalesce(rating, 0) + 1, updated_at = now() WHERE id = %s"
# The locks of the migration's backend, and what the writer waits on, in one poll.
SAMPLE = """
SELECT 'migration', locktype, coalesce(relation::regclass::text, ''), mode, granted
FROM pg_locks WHERE pid = %(migration)s
UNION ALL
SELECT 'writer', wait_event_type, wait_event, '', false
FROM pg_stat_activity WHERE pid = %(writer)s AND state = 'active' AND wait_event IS NOT NULL
"""
OWN_LOCKS = """
SELECT locktype, coalesce(relation::regclass::text, ''), mode, granted
FROM pg_locks WHERE pid = pg_backend_pid()
"""
# What the server says about a statement, at client_min_messages = debug1.
TELLING = ("verifying table", "rewriting table", "sufficient to prove", "building index")

# The lock each kind of statement takes, as the PostgreSQL documentation gives it
# (ALTER TABLE, CREATE INDEX, explicit locking); the first pattern that matches.
DOCUMENTED = [
    (r"^(BEGIN|SET )", "none"),
    (r"^COMMIT", "releases every lock the transaction holds"),
    (r"CREATE (UNIQUE )?INDEX CONCURRENTLY", "SHARE UPDATE EXCLUSIVE: reads and writes go on"),
    (r"CREATE (UNIQUE )?INDEX", "SHARE: blocks writes"),
    (r"DROP INDEX CONCURRENTLY", "SHARE UPDATE EXCLUSIVE: reads and writes go on"),
    (r"VALIDATE CONSTRAINT", "SHARE UPDATE EXCLUSIVE: reads and writes go on"),
    (r"FOREIGN KEY", "SHARE ROW EXCLUSIVE on both tables: blocks writes"),
    (r"^ALTER TABLE", "ACCESS EXCLUSIVE: blocks reads and writes"),
    (r"^UPDATE", "ROW EXCLUSIVE, and each row it changes locked until it commits"),
    (r"^INSERT", "ROW EXCLUSIVE"),
]


def documented_lock(statement: str) -> str:
    for pattern, lock in DOCUMENTED:
        if re.search(pattern, statement):
            return lock
    return "see the PostgreSQL documentation"


def stop_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


# ---------------------------------------------------------------------------- setup


def v2_spec(v1_text: str) -> str:
    """notes-v1 with `author` required (backfill), a new enum value, a required field
    with a default and a filter on an existing, filled column."""
    spec = yaml.safe_load(v1_text)
    note = spec["resources"]["Note"]
    fields = note["fields"]
    fields["author"] = {"type": "string", "max_length": 80, "backfill": "anonymous"}
    fields["status"]["values"] = [*fields["status"]["values"], "archived"]
    fields["pinned"] = {"type": "boolean", "default": False}
    note["filters"] = [*note["filters"], "rating"]
    return yaml.safe_dump(spec, sort_keys=False)


def prepare_venv(venv: Path, project: Path) -> Path:
    """A virtualenv with the project's dependencies (its pyproject.toml), as the tests'
    `venv` fixture builds it; reused when it already has what Alembic needs here."""
    python = venv / "bin" / "python"
    probe = "import alembic, asyncpg, sqlmodel, pydantic_settings, fastapi"
    if python.exists() and subprocess.run([python, "-c", probe], check=False).returncode == 0:
        print(f"virtualenv: reusing {venv}", flush=True)
        return venv
    print(f"virtualenv: creating {venv} with the project's dependencies ...", flush=True)
    start = time.perf_counter()
    if not python.exists():
        run_checked([sys.executable, "-m", "venv", str(venv)])
    metadata = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    run_checked([str(python), "-m", "pip", "install", "--quiet", *metadata["dependencies"]])
    print(f"virtualenv: ready in {time.perf_counter() - start:.0f} s", flush=True)
    return venv


def alembic(venv: Path, project: Path, url: str, *args: str) -> str:
    environment = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    environment.update(
        DATABASE_URL=url, APP_ENV="test", PATH=f"{venv / 'bin'}:{os.environ['PATH']}"
    )
    return run_checked([str(venv / "bin" / "alembic"), *args], cwd=project, env=environment)


def load_notes(url: str, rows: int) -> float:
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(LOAD_NOTES, {"rows": rows})
        connection.execute("VACUUM (ANALYZE) notes")
    return time.perf_counter() - start


def sample_ids(url: str, rows: int, count: int = 5000) -> list[object]:
    share = min(100.0, 100.0 * count * 3 / max(1, rows))
    query = "SELECT id FROM notes TABLESAMPLE BERNOULLI (%s) ORDER BY random() LIMIT %s"
    with psycopg.connect(url) as connection:
        return [row[0] for row in connection.execute(query, (share, count))]


# ---------------------------------------------------------------------------- the SQL


@dataclass(frozen=True)
class Group:
    """Statements run in one transaction (`transaction`), or one statement in autocommit."""

    statements: list[str]
    transaction: bool


def revision_sql(venv: Path, project: Path, url: str, head: str) -> list[Group]:
    """The revision's statements as `alembic upgrade --sql` prints them, grouped: each
    BEGIN ... COMMIT block one transaction, every statement outside one on its own."""
    sql = alembic(venv, project, url, "upgrade", f"{INITIAL_REVISION}:{head}", "--sql")
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    statements = [" ".join(part.split()) for part in re.split(r";\s*\n", "\n".join(lines) + "\n")]
    groups: list[Group] = []
    current: list[str] | None = None
    for statement in filter(None, statements):
        if statement == "BEGIN":
            current = []
        elif statement == "COMMIT" and current is not None:
            groups.append(Group(current, transaction=True))
            current = None
        elif current is not None:
            current.append(statement)
        else:
            groups.append(Group([statement], transaction=False))
    return groups


# ---------------------------------------------------------------------------- writer, sampler


@dataclass(frozen=True)
class Write:
    start: float
    end: float
    kind: str
    error: str | None

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


class Writer(threading.Thread):
    """Inserts a note and updates a random one by turns, in autocommit, each statement's
    latency and error recorded."""

    def __init__(self, url: str, ids: list[object], pause: float, nulls_every: int) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.ids = ids
        self.pause = pause
        self.nulls_every = nulls_every
        self.writes: list[Write] = []
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self.pid = 0

    def run(self) -> None:
        chooser = random.Random(7)
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute("SET statement_timeout = '120s'")
            row = connection.execute("SELECT pg_backend_pid()").fetchone()
            self.pid = int(row[0]) if row else 0
            self.ready.set()
            inserts = 0
            while not self.stopping.is_set():
                for kind in ("insert", "update"):
                    if kind == "insert":
                        inserts += 1
                        null = self.nulls_every and inserts % self.nulls_every == 0
                        statement, values = INSERT_NOTE, (None if null else "writer",)
                    else:
                        statement, values = UPDATE_NOTE, (chooser.choice(self.ids),)
                    start = time.perf_counter()
                    error = None
                    try:
                        connection.execute(statement, values)
                    except psycopg.Error as exc:
                        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                    self.writes.append(Write(start, time.perf_counter(), kind, error))
                    time.sleep(self.pause)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=180)


class Sampler(threading.Thread):
    """Every `interval` seconds: with a `migration` backend, its locks (pg_locks) and what
    the writer waits on (pg_stat_activity); without one, the statements the database's
    other backends are running. Each poll stamped with the time it began."""

    def __init__(self, url: str, writer: int, migration: int = 0, interval: float = 0.002):
        super().__init__(daemon=True)
        self.url = url
        self.writer = writer
        self.migration = migration
        self.interval = interval
        self.samples: list[tuple[float, list[tuple[str, str, str, str, bool]]]] = []
        self.active: list[tuple[float, str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as connection:
            exclude = (self.writer, connection.info.backend_pid)
            while not self.stopping.is_set():
                now = time.perf_counter()
                if self.migration:
                    found = connection.execute(
                        SAMPLE, {"migration": self.migration, "writer": self.writer}
                    ).fetchall()
                    self.samples.append((now, found))
                else:
                    running = connection.execute(
                        "SELECT state, query FROM pg_stat_activity"
                        " WHERE datname = current_database() AND state <> 'idle'"
                        " AND NOT pid = ANY(%s)",
                        (list(exclude),),
                    ).fetchall()
                    texts = [
                        " ".join(query.split()) if state == "active" else f"({state})"
                        for state, query in running
                    ]
                    self.active.append((now, " | ".join(texts)))
                    found = connection.execute(SAMPLE, {"migration": 0, "writer": self.writer})
                    self.samples.append((now, found.fetchall()))
                time.sleep(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=30)

    def between(self, start: float, end: float) -> list[tuple[str, str, str, str, bool]]:
        return [row for at, rows in self.samples if start <= at <= end for row in rows]


# ---------------------------------------------------------------------------- the replay


@dataclass
class Step:
    statement: str
    in_transaction: bool
    start: float = 0.0
    end: float = 0.0
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


def lock_names(rows: list[tuple[str, str, str, bool]]) -> list[str]:
    """Relation locks on the application's tables and indexes, and every lock waited for."""
    names = []
    for locktype, relation, mode, granted in rows:
        if not granted:
            names.append(f"WAITING {mode} on {locktype} {relation}".rstrip())
        elif locktype == "relation" and relation.isdigit():
            # A relation this snapshot cannot see yet: one being created (a new index).
            names.append(f"{mode} new relation {relation} (the index being built)")
        elif locktype == "relation" and not relation.startswith("pg_"):
            names.append(f"{mode} {relation}")
    return sorted(set(names))


def replay(url: str, groups: list[Group], sampler_start: Callable[[int], None]) -> list[Step]:
    """Run the statements as the revision does, each timed; stops at the first error."""
    steps: list[Step] = []
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET client_min_messages = debug1")
        current: list[Step] = []

        def notice(diagnostic: psycopg.errors.Diagnostic) -> None:
            message = diagnostic.message_primary or ""
            if current and any(part in message for part in TELLING):
                current[-1].notices.append(message)

        connection.add_notice_handler(notice)
        sampler_start(connection.info.backend_pid)
        for group in groups:
            plan = ["BEGIN", *group.statements, "COMMIT"] if group.transaction else group.statements
            held: set[str] = set()
            for statement in plan:
                step = Step(statement, group.transaction and statement not in ("BEGIN", "COMMIT"))
                current.append(step)
                steps.append(step)
                step.start = time.perf_counter()
                try:
                    connection.execute(statement)
                except psycopg.Error as exc:
                    step.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
                finally:
                    step.end = time.perf_counter()
                if step.error:
                    if group.transaction:
                        connection.execute("ROLLBACK")
                    return steps
                if step.in_transaction:
                    # Held until COMMIT: what this statement added to the transaction's locks.
                    now = set(lock_names([tuple(r) for r in connection.execute(OWN_LOCKS)]))
                    step.held = sorted(now - held)
                    held |= now
    return steps


# ---------------------------------------------------------------------------- figures


def latency(writes: list[Write]) -> str:
    if not writes:
        return "no statements"
    by_kind = {
        kind: max((w.ms for w in writes if w.kind == kind), default=0.0)
        for kind in ("insert", "update")
    }
    errors = sum(1 for w in writes if w.error)
    return (
        f"{len(writes)} statements, max {max(w.ms for w in writes):.1f} ms "
        f"(insert {by_kind['insert']:.1f}, update {by_kind['update']:.1f}), {errors} errors"
    )


def attributed(steps: list[Step], writes: list[Write]) -> list[list[Write]]:
    """The writer statements started during each step (until the next step starts)."""
    bounds = [step.start for step in steps[1:]] + [steps[-1].end]
    return [
        [w for w in writes if step.start <= w.start < bound]
        for step, bound in zip(steps, bounds, strict=True)
    ]


def print_replay(steps: list[Step], writes: list[Write], sampler: Sampler) -> None:
    per_step = attributed(steps, writes)
    print("\n== the revision, statement by statement, with the writer running")
    for number, (step, during) in enumerate(zip(steps, per_step, strict=True), 1):
        where = "in the transaction" if step.in_transaction else "autocommit"
        if step.statement in ("BEGIN", "COMMIT"):
            where = "transaction"
        print(f"{number:>2}. {step.statement}")
        print(f"      {step.ms:10.1f} ms  {where}")
        print(f"      lock (documented): {documented_lock(step.statement)}")
        sampled = sampler.between(step.start, step.end)
        seen = lock_names([row[1:] for row in sampled if row[0] == "migration"])
        if step.in_transaction:
            print(f"      locks it added, held to COMMIT: {', '.join(step.held) or '-'}")
        elif step.statement != "COMMIT":
            print(f"      locks seen (sampled): {', '.join(seen) or '- (too quick to sample)'}")
        waits = sorted({f"{row[1]}:{row[2]}" for row in sampled if row[0] == "writer"})
        print(f"      writer: {latency(during)}; waited on {', '.join(waits) or '-'}")
        for message in step.notices:
            print(f"      server: {message}")
        for error in sorted({w.error for w in during if w.error}):
            print(f"      writer error: {error}")
        if step.error:
            print(f"      FAILED: {step.error}")
    print(
        f"\n== summary: writer latency by step (statements started during it); flagged over "
        f"{STALL_MS:.0f} ms"
    )
    print(f"{'statement':<62} {'duration':>10} {'writer max':>11} {'errors':>6}  lock")
    for step, during in zip(steps, per_step, strict=True):
        worst = max((w.ms for w in during), default=0.0)
        errors = sum(1 for w in during if w.error)
        text = step.statement if len(step.statement) <= 60 else step.statement[:57] + "..."
        waited = {row[1] for row in sampler.between(step.start, step.end) if row[0] == "writer"}
        flag = ""
        if worst >= STALL_MS:
            # A write slower than STALL_MS is blocked only if it waited on a lock.
            flag = "  <- blocks writes" if "Lock" in waited else "  <- slow write, no lock wait"
        print(
            f"{text:<62} {step.ms:8.1f} ms {worst:8.1f} ms {errors:>6}  "
            f"{documented_lock(step.statement).split(':')[0]}{flag}"
        )


def describe(writes: list[Write]) -> str:
    values = sorted(w.ms for w in writes)
    if not values:
        return "no statements"
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return (
        f"{len(values)} statements, p50 {statistics.median(values):.2f} ms, p99 {p99:.2f} ms, "
        f"max {values[-1]:.1f} ms, {sum(1 for w in writes if w.error)} errors"
    )


def check_result(url: str) -> None:
    query = """
        SELECT (SELECT count(*) FROM notes),
               (SELECT count(*) FROM notes WHERE author IS NULL),
               (SELECT attnotnull FROM pg_attribute
                WHERE attrelid = 'notes'::regclass AND attname = 'author'),
               (SELECT string_agg(conname || CASE WHEN convalidated THEN '' ELSE ' (NOT VALID)'
                       END, ', ' ORDER BY conname)
                FROM pg_constraint WHERE conrelid = 'notes'::regclass AND contype = 'c'),
               (SELECT string_agg(c.relname || CASE WHEN i.indisvalid THEN '' ELSE ' (INVALID)'
                       END, ', ' ORDER BY c.relname)
                FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                WHERE i.indrelid = 'notes'::regclass),
               (SELECT version_num FROM alembic_version)
    """
    with psycopg.connect(url) as connection:
        row = connection.execute(query).fetchone()
    if row is None:
        return
    rows, nulls, not_null, checks, indexes, version = row
    print(
        f"after: {rows:,} notes, {nulls} with no author, author NOT NULL: {not_null}, "
        f"alembic_version {version}\n  checks: {checks}\n  indexes: {indexes}"
    )


# ---------------------------------------------------------------------------- main


def run_replay(
    options: argparse.Namespace, url: str, groups: list[Group], ids: list[object]
) -> list[Step]:
    writer = Writer(url, ids, options.pause, options.old_code_nulls)
    writer.start()
    writer.ready.wait(30)
    samplers: list[Sampler] = []

    def start_sampler(migration: int) -> None:
        sampler = Sampler(url, writer.pid, migration)
        sampler.start()
        samplers.append(sampler)

    time.sleep(options.baseline)
    began = time.perf_counter()
    try:
        steps = replay(url, groups, start_sampler)
    finally:
        ended = time.perf_counter()
        time.sleep(1.0)
        for sampler in samplers:
            sampler.stop()
        writer.stop()
    before = [w for w in writer.writes if w.start < began]
    after = [w for w in writer.writes if w.start >= ended]
    print(
        f"\nwriter before the migration ({options.baseline:.0f} s): {describe(before)}\n"
        f"writer during the migration ({ended - began:.1f} s): "
        f"{describe([w for w in writer.writes if began <= w.start < ended])}\n"
        f"writer after it (1 s): {describe(after)}"
    )
    print_replay(steps, writer.writes, samplers[0])
    return steps


def recover(url: str, groups: list[Group]) -> None:
    """What docs/evolve.md says to do when a validation fails: fix the rows, then run the
    second part's statements again (it says they are safe to run again), then stamp."""
    print(
        "\n== the revision failed: the recovery docs/evolve.md gives (fix the rows, run the "
        "second part's statements again), the writer stopped"
    )
    second = [group.statements[0] for group in groups if not group.transaction]
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in [s for s in second if s.startswith("UPDATE")] + second:
            start = time.perf_counter()
            try:
                done = connection.execute(statement)
                outcome = f"ok, {done.rowcount} rows" if statement.startswith("UPDATE") else "ok"
            except psycopg.Error as exc:
                outcome = f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            print(f"  {(time.perf_counter() - start) * 1000:8.1f} ms  {statement}\n      {outcome}")


def run_alembic(
    options: argparse.Namespace, venv: Path, project: Path, url: str, ids: list[object]
) -> None:
    """The same revision for real: downgrade, the backfilled authors NULL again, then
    `alembic upgrade head` online with the writer running."""
    print("\n== the same revision through `alembic upgrade head` (asyncpg, online)")
    start = time.perf_counter()
    alembic(venv, project, url, "downgrade", INITIAL_REVISION)
    with psycopg.connect(url, autocommit=True) as connection:
        reset = connection.execute("UPDATE notes SET author = NULL WHERE author = 'anonymous'")
        connection.execute("VACUUM (ANALYZE) notes")
    print(
        f"downgraded to {INITIAL_REVISION} and {reset.rowcount:,} authors set back to NULL "
        f"in {time.perf_counter() - start:.1f} s"
    )
    writer = Writer(url, ids, options.pause, options.old_code_nulls)
    writer.start()
    writer.ready.wait(30)
    watcher = Sampler(url, writer.pid)
    watcher.start()
    time.sleep(options.baseline)
    began = time.perf_counter()
    try:
        alembic(venv, project, url, "upgrade", "head")
        failure = ""
    except BenchError as error:
        failure = str(error).splitlines()[-1]
    finally:
        ended = time.perf_counter()
        time.sleep(1.0)
        watcher.stop()
        writer.stop()
    during = [w for w in writer.writes if began <= w.start < ended]
    print(f"alembic upgrade head: {ended - began:.1f} s (process start included){failure}")
    print(f"writer during it: {describe(during)}")
    stalls: dict[str, list[Write]] = {}
    for write in during:
        if write.ms < STALL_MS and not write.error:
            continue
        running = [text for at, text in watcher.active if write.start <= at <= write.end]
        first = next((text for text in running if text), "(nothing: between statements)")
        stalls.setdefault(first, []).append(write)
    for statement, writes in stalls.items():
        waits = sorted(
            {
                f"{row[1]}:{row[2]}"
                for write in writes
                for row in watcher.between(write.start, write.end)
                if row[0] == "writer"
            }
        )
        print(f"  while the migration ran: {statement[:100]}")
        print(
            f"    writer statements over {STALL_MS:.0f} ms or failed: {latency(writes)}; "
            f"waited on {', '.join(waits) or '-'}"
        )
    if not stalls:
        print(f"  no writer statement took {STALL_MS:.0f} ms or more, none failed")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="notes to load")
    parser.add_argument("--venv", type=Path, help="virtualenv to reuse (created if missing)")
    parser.add_argument(
        "--pause", type=float, default=0.002, help="seconds between writer statements"
    )
    parser.add_argument("--baseline", type=float, default=2.0, help="writer seconds before")
    parser.add_argument(
        "--old-code-nulls", type=int, default=0, help="every N-th insert leaves author NULL"
    )
    parser.add_argument("--no-alembic", action="store_true", help="skip the real alembic run")
    return parser.parse_args()


def main() -> None:
    options = parse_arguments()
    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGHUP, stop_on_signal)
    with contextlib.ExitStack() as cleanup:
        workdir = Path(tempfile.mkdtemp(prefix="evolve-locks-"))
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        project = workdir / "notes"
        v1_text = SPEC.read_text(encoding="utf-8")
        generate_project(load_spec(SPEC), v1_text, project)
        venv = prepare_venv((options.venv or workdir / "venv").absolute(), project)
        name = create_database()
        cleanup.callback(drop_database, name)
        url = database_url(name)
        alembic(venv, project, url, "upgrade", "head")
        seconds = load_notes(url, options.rows)
        print(
            f"notes v1 on PostgreSQL ({name}): {options.rows:,} notes loaded in {seconds:.1f} s "
            f"with one INSERT ... SELECT FROM generate_series, VACUUM ANALYZE done",
            flush=True,
        )
        (project / SPEC_FILE).write_text(v2_spec(v1_text), encoding="utf-8")
        generated = subprocess.run(
            [*CLI, "generate", str(project)], capture_output=True, text=True, check=False
        )
        print(f"fastapi-architect generate (v2): {generated.stdout.strip()}", flush=True)
        if generated.returncode != 0:
            raise BenchError(f"generate failed:\n{generated.stderr}")
        revision = next((project / "migrations" / "versions").glob("0002_*.py"))
        groups = revision_sql(venv, project, url, revision.name.split("_")[0])
        ids = sample_ids(url, options.rows)
        print(
            f"writer: an insert and an update of one of {len(ids):,} random notes by turns, "
            f"{options.pause * 1000:.0f} ms apart, autocommit"
            + (
                f"; every {options.old_code_nulls}th insert leaves author NULL"
                if options.old_code_nulls
                else ""
            ),
            flush=True,
        )
        steps = run_replay(options, url, groups, ids)
        check_result(url)
        if steps[-1].error:
            recover(url, groups)
            check_result(url)
        elif not options.no_alembic:
            run_alembic(options, venv, project, url, ids)
            check_result(url)


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        sys.exit(f"evolve_locks: {error}")
