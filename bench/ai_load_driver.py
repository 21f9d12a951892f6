"""The inside of bench/ai_load.py: run with the generated project's virtualenv, its folder
on PYTHONPATH, so that `app` and `tests` are the generated project's own.

    python ai_load_driver.py run --database-url URL [--users N] [--calls M] [--fit K] ...

`run` makes the tables (dropped first), registers N accounts and M tasks each through the
app in process, works out what one summarize call holds of a budget (with the app's own
prompt and bound) and sets the daily budget so that K holds fit and K + 1 do not. It then
starts two processes of this same script, `fake` (tests/fake_provider.py's FakeProvider,
slow, with the time from request received to last byte measured inside it) and `app` (the
generated app with that budget), each served with uvicorn by tests/fake_provider.served,
so that neither the provider nor the load generator shares the app's event loop. Round 1
sends all N x M summarize calls at once, one per row; round 2 sends the same ones again,
for cache hits. Then it reads ai_budgets and ai_usage and prints figures. The exit status
is 1 only when a budget was exceeded; timings are figures, never failures.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import os
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from app import models  # noqa: F401  (registers every table)
from app.ai import prompts
from app.core.database import async_url, engine_options
from app.services.access import Caller
from app.services.ai import AiService, prompt_bound
from app.services.task import TaskService
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel
from tests.conftest import build_app, make_settings
from tests.factories import PREFIX, ApiUsers, RowFactory
from tests.fake_provider import FakeProvider, served

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Every task's title names its user and row, so that the fake can tell whose call it serves.
MARKER = re.compile(rb"bench-u(\d+)-r(\d+)")
DESCRIPTION = "A row for the AI load bench: the same length for every task."
DUE = "2030-01-01T00:00:00Z"
ACTION = "Task.summarize"


def title(user: int, row: int) -> str:
    return f"bench-u{user:03d}-r{row:03d}"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def spread(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):7.1f} ms  p99 {percentile(values, 0.99):7.1f} ms  "
        f"max {max(values, default=float('nan')):7.1f} ms  (n={len(values)})"
    )


# ---------------------------------------------------------------------------- the fake


class Timed:
    """ASGI middleware around the fake provider: per chat completion, the time from the
    request received to the last byte of the answer sent, and per bench user the most calls
    under way at once."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.records: list[dict[str, Any]] = []
        self.running: Counter[int] = Counter()
        self.peak: Counter[int] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/chat/completions"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        body = bytearray()
        who: list[int] = []
        finished: list[float] = []

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False) and not who:
                    found = MARKER.search(bytes(body))
                    if found:
                        who.extend((int(found[1]), int(found[2])))
                        self.running[who[0]] += 1
                        self.peak[who[0]] = max(self.peak[who[0]], self.running[who[0]])
            return message

        async def sending(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finished.append(time.perf_counter())

        try:
            await self.app(scope, receiving, sending)
        finally:
            if who:
                self.running[who[0]] -= 1
            if who and finished:
                self.records.append(
                    {"user": who[0], "row": who[1], "ms": (finished[0] - started) * 1000}
                )

    def take(self) -> dict[str, Any]:
        """The records and peaks so far, forgotten here."""
        taken = {"calls": self.records, "peak": {str(k): v for k, v in self.peak.items()}}
        self.records = []
        self.peak = Counter()
        return taken


async def until_stdin_closes() -> None:
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def serve_fake(options: argparse.Namespace) -> None:
    fake = FakeProvider()
    for behaviour in fake.behaviour.values():
        behaviour.delay = options.delay
        behaviour.token_delay = options.token_delay
        behaviour.tokens = [f"word{n} " for n in range(options.tokens)]
    timed = Timed(fake.app)

    async def stats() -> dict[str, Any]:
        return timed.take()

    fake.app.get("/bench/stats")(stats)
    async with served(timed) as url:
        print(url, flush=True)
        await until_stdin_closes()


async def serve_app(options: argparse.Namespace) -> None:
    settings = make_settings(
        async_url(options.database_url),
        ai_openai_base_url=f"{options.provider}/openai/v1",
        ai_local_base_url=f"{options.provider}/local/v1",
        ai_daily_tokens_per_user=options.budget,
        **({"database_pool_size": options.pool_size} if options.pool_size else {}),
    )
    app = build_app(settings)
    async with served(app) as url:
        print(url, flush=True)
        await until_stdin_closes()
    await app.state.database.dispose()


# ---------------------------------------------------------------------------- set-up


@dataclass
class Row:
    user: int
    row: int
    task_id: str
    headers: dict[str, str]


@dataclass
class Setup:
    rows: list[Row]
    user_ids: dict[str, int]  # account id -> bench user number
    hold: int
    budget: int
    max_tokens: int


async def set_up(options: argparse.Namespace) -> Setup:
    """Fresh tables; N accounts with M tasks each, made through the app in process; the hold
    of one call, and a budget that fits K of them."""
    url = async_url(options.database_url)
    settings = make_settings(url)
    engine = create_async_engine(url, **engine_options(settings))
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.run_sync(SQLModel.metadata.create_all)
    await engine.dispose()

    max_tokens = summarize_max_tokens()
    app: FastAPI = build_app(settings)
    rows: list[Row] = []
    user_ids: dict[str, int] = {}
    holds: set[int] = set()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://setup") as client:
        accounts = ApiUsers(client, app)
        factory = RowFactory(client, accounts)
        for user in range(options.users):
            account = await accounts.create()
            user_ids[str(account.id)] = user
            caller = Caller(uuid.UUID(str(account.id)), account.role)
            for row in range(options.calls):
                task = await factory.create_task(
                    account,
                    title=title(user, row),
                    description=DESCRIPTION,
                    status="pending",
                    due_date=DUE,
                )
                rows.append(Row(user, row, str(task["id"]), account.headers))
                # The prompt the app builds for this row, and what the call holds for it.
                service = TaskService(app.state.database, caller)
                public = await service.get(uuid.UUID(str(task["id"])))
                assert public.category_id is None
                messages = prompts.summarize_task(public, None, settings.ai_max_input_chars)
                holds.add(prompt_bound(messages) + max_tokens)
    await app.state.database.dispose()
    low, high = min(holds), max(holds)
    budget = (options.fit + 1) * low - 1
    if options.fit * high > budget:
        raise SystemExit(f"holds differ too much across rows ({low}..{high}) for an exact K")
    return Setup(rows, user_ids, high, budget, max_tokens)


def summarize_max_tokens() -> int:
    """The max_tokens the generated service asks for a summary with (and holds)."""
    source = inspect.getsource(AiService.summarize_task)
    found = re.search(r"self\._stream\(\s*\"Task\.summarize\",[^)]*?,\s*(\d+)\s*\)", source)
    if found is None:
        raise SystemExit("max_tokens of Task.summarize not found in app/services/ai.py")
    return int(found[1])


# ---------------------------------------------------------------------------- load


@dataclass
class Outcome:
    row: Row
    status: int
    ms: float
    cache_hit: bool | None = None  # from the `done` event
    events: Counter[str] = field(default_factory=Counter)
    broken: str | None = None  # the transport error that ended the call, if one did


async def summarize(client: httpx.AsyncClient, row: Row, start: asyncio.Event) -> Outcome:
    await start.wait()
    began = time.perf_counter()
    path = f"{PREFIX}/tasks/{row.task_id}/ai/summarize"
    events: Counter[str] = Counter()
    cache_hit: bool | None = None
    status = 0
    broken: str | None = None
    try:
        async with client.stream("POST", path, headers=row.headers) as response:
            status = response.status_code
            if status == 200:
                name = ""
                async for line in response.aiter_lines():
                    if line.startswith("event: "):
                        name = line[len("event: ") :]
                        events[name] += 1
                    elif line.startswith("data: ") and name == "done":
                        cache_hit = bool(json.loads(line[len("data: ") :]).get("cache_hit"))
            else:
                await response.aread()
    except httpx.HTTPError as error:
        broken = type(error).__name__
    return Outcome(row, status, (time.perf_counter() - began) * 1000, cache_hit, events, broken)


async def load_round(client: httpx.AsyncClient, rows: list[Row]) -> list[Outcome]:
    """Every row's call at once: all wait on one event, set when all are ready."""
    start = asyncio.Event()
    tasks = [asyncio.create_task(summarize(client, row, start)) for row in rows]
    await asyncio.sleep(0.05)
    start.set()
    return list(await asyncio.gather(*tasks))


async def fake_stats(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base) as client:
        stats: dict[str, Any] = (await client.get("/bench/stats")).json()
        return stats


def app_errors(log: Path) -> Counter[str]:
    """The app's logged errors, by the last line of their exception."""
    errors: Counter[str] = Counter()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("level") in ("ERROR", "CRITICAL"):
            exception = str(record.get("exception") or record.get("message", ""))
            errors[exception.strip().splitlines()[-1][:160]] += 1
    return errors


@dataclass
class Child:
    process: asyncio.subprocess.Process
    url: str

    async def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()


async def start_child(log: Path, *arguments: str) -> Child:
    """This script run as `fake` or `app`, its standard error to `log`: its URL."""
    with log.open("w", encoding="utf-8") as errors:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
        )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 60)
    if not line.startswith(b"http://"):
        raise SystemExit(f"{arguments[0]} did not start: {line!r}")
    return Child(process, line.decode().strip())


# ---------------------------------------------------------------------------- report


@dataclass
class Ledger:
    budget_tokens: dict[int, int]  # bench user -> ai_budgets.tokens today
    spent: dict[int, int]  # bench user -> sum of usage tokens
    outcomes: Counter[str]
    cache_hits: int
    recorded_ms: list[float]  # latency_ms of the calls that reached a provider


async def read_ledger(database_url: str, user_ids: dict[str, int]) -> Ledger:
    url = async_url(database_url)
    engine = create_async_engine(url, **engine_options(make_settings(url)))
    budgets = SQLModel.metadata.tables["ai_budgets"]
    usage = SQLModel.metadata.tables["ai_usage"]
    today = datetime.now(UTC).date()
    async with engine.connect() as connection:
        budget_rows = await connection.execute(
            sa.select(budgets.c.user_id, budgets.c.tokens).where(budgets.c.day == today)
        )
        budget_tokens = {user_ids[str(user)]: tokens for user, tokens in budget_rows}
        usage_rows = (
            await connection.execute(
                sa.select(
                    usage.c.user_id,
                    usage.c.prompt_tokens,
                    usage.c.completion_tokens,
                    usage.c.latency_ms,
                    usage.c.cache_hit,
                    usage.c.outcome,
                ).where(usage.c.action == ACTION)
            )
        ).all()
    await engine.dispose()
    spent: dict[int, int] = defaultdict(int)
    outcomes: Counter[str] = Counter()
    for row in usage_rows:
        spent[user_ids[str(row.user_id)]] += row.prompt_tokens + row.completion_tokens
        outcomes[row.outcome] += 1
    return Ledger(
        budget_tokens,
        dict(spent),
        outcomes,
        sum(1 for row in usage_rows if row.cache_hit),
        [float(row.latency_ms) for row in usage_rows if not row.cache_hit],
    )


def report(
    options: argparse.Namespace,
    setup: Setup,
    rounds: list[list[Outcome]],
    provider: list[dict[str, Any]],
    ledger: Ledger,
) -> bool:
    """Print the figures; whether every budget held."""
    n, m, k = options.users, options.calls, options.fit
    print(
        f"\n{n} users x {m} concurrent summarize calls (distinct rows), 2 rounds; provider: "
        f"{options.delay * 1000:.0f} ms to first token, {options.tokens} tokens "
        f"{options.token_delay * 1000:.0f} ms apart"
    )
    print(
        f"hold per call {setup.hold} tokens (prompt bound + max_tokens {setup.max_tokens}); "
        f"budget {setup.budget} tokens per user = fits {k} holds, not {k + 1}"
    )
    print("\nrequests")
    for number, outcomes in enumerate(rounds, 1):
        statuses = Counter(outcome.status for outcome in outcomes)
        other = {s: c for s, c in statuses.items() if s not in (0, 200, 429)}
        errors = sum(outcome.events["error"] for outcome in outcomes)
        broken = Counter(outcome.broken for outcome in outcomes if outcome.broken)
        unfinished = sum(
            1 for o in outcomes if o.status == 200 and not (o.events["done"] or o.events["error"])
        )
        admitted: Counter[int] = Counter(
            outcome.row.user for outcome in outcomes if outcome.status == 200
        )
        per_user = [admitted[user] for user in range(n)]
        print(
            f"  round {number}: {len(outcomes)} requests, 200: {statuses[200]}, "
            f"429: {statuses[429]}, other statuses: {other or 0}, `error` events: {errors}, "
            f"streams cut before `done`: {unfinished}, transport errors: {dict(broken) or 0}; "
            f"200s per user min {min(per_user)} max {max(per_user)}"
        )

    first, second = rounds
    answered = {(o.row.user, o.row.row) for o in first if o.status == 200 and o.events["done"]}
    expected_hits = sum(1 for o in second if (o.row.user, o.row.row) in answered)
    client_hits = sum(1 for o in second if o.cache_hit)
    over_budget = [u for u, t in ledger.budget_tokens.items() if t > setup.budget]
    over_spent = [u for u, t in ledger.spent.items() if t > setup.budget]
    peaks: Counter[int] = Counter()
    for record in provider:
        peaks[record["user"]] = max(peaks[record["user"]], record["peak"])
    over_peak = [u for u, p in peaks.items() if p > k]
    held = not (over_budget or over_spent or over_peak)

    print("\nbudgets")
    print(
        f"  ai_budgets.tokens today, max over users: {max(ledger.budget_tokens.values())} "
        f"of {setup.budget}; users over: {len(over_budget)}"
    )
    print(
        f"  sum of ai_usage tokens, max over users: {max(ledger.spent.values(), default=0)} "
        f"of {setup.budget}; users over: {len(over_spent)}"
    )
    print(
        f"  provider calls under way at once for one user (seen by the fake), max: "
        f"{max(peaks.values(), default=0)} (K = {k}); users over K: {len(over_peak)}"
    )
    print(f"  budgets held: {'yes' if held else 'no'}")
    leaked = {
        u: t - ledger.spent.get(u, 0)
        for u, t in ledger.budget_tokens.items()
        if t != ledger.spent.get(u, 0)
    }
    print(
        f"  held and never given back (ai_budgets.tokens - ai_usage tokens): "
        f"{sum(leaked.values())} tokens, {len(leaked)} users "
        f"(~{sum(leaked.values()) / setup.hold:.0f} holds with no settle or usage row)"
    )

    print("\ncache")
    print(
        f"  round-2 cache hits: counted in ai_usage {ledger.cache_hits}, expected "
        f"{expected_hits} (rows answered in round 1), seen by the client {client_hits}"
    )
    print(f"  ai_usage outcomes: {dict(sorted(ledger.outcomes.items()))}")

    reached = [o for o in first + second if o.status == 200 and o.cache_hit is False]
    client_ms = [o.ms for o in reached]
    provider_ms = [record["ms"] for record in provider]
    by_call = {(r["round"], r["user"], r["row"]): r["ms"] for r in provider}
    paired = [
        o.ms - by_call[(number, o.row.user, o.row.row)]
        for number, outcomes in enumerate(rounds, 1)
        for o in outcomes
        if o.status == 200 and o.cache_hit is False and (number, o.row.user, o.row.row) in by_call
    ]
    hits = [o.ms for o in second if o.cache_hit]
    refused = [o.ms for o in first + second if o.status == 429]
    print("\nlatency (calls that reached the provider)")
    print(f"  provider, inside the fake (received -> last byte): {spread(provider_ms)}")
    print(f"  client (request sent -> `done` read):               {spread(client_ms)}")
    print(f"  app's own latency_ms in ai_usage:                  {spread(ledger.recorded_ms)}")
    print(
        f"  p99 overhead = client p99 - provider p99: "
        f"{percentile(client_ms, 0.99) - percentile(provider_ms, 0.99):.1f} ms"
    )
    print(f"  overhead per call (client - provider, paired):     {spread(paired)}")
    print("\nlatency (calls that did not)")
    print(f"  cache hits, client:                                {spread(hits)}")
    print(f"  429 refusals, client:                              {spread(refused)}")
    return held


# ---------------------------------------------------------------------------- run


async def run(options: argparse.Namespace) -> int:
    started = time.perf_counter()
    setup = await set_up(options)
    print(
        f"set-up: {options.users} accounts, {len(setup.rows)} tasks in "
        f"{time.perf_counter() - started:.1f} s ({sa.make_url(options.database_url).drivername})",
        flush=True,
    )
    logs = Path(options.logs).absolute()
    logs.mkdir(parents=True, exist_ok=True)
    fake = await start_child(
        logs / "fake.log",
        "fake",
        f"--delay={options.delay}",
        f"--tokens={options.tokens}",
        f"--token-delay={options.token_delay}",
    )
    children = [fake]
    try:
        app = await start_child(
            logs / "app.log",
            "app",
            f"--database-url={options.database_url}",
            f"--provider={fake.url}",
            f"--budget={setup.budget}",
            *([f"--pool-size={options.pool_size}"] if options.pool_size else []),
        )
        children.append(app)
        total = len(setup.rows)
        limits = httpx.Limits(max_connections=total, max_keepalive_connections=total)
        rounds: list[list[Outcome]] = []
        provider: list[dict[str, Any]] = []
        for number in (1, 2):
            # A client per round: no connection left idle past the server's keep-alive.
            async with httpx.AsyncClient(base_url=app.url, limits=limits, timeout=60) as client:
                began = time.perf_counter()
                rounds.append(await load_round(client, setup.rows))
                print(
                    f"round {number}: {time.perf_counter() - began:.2f} s "
                    f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
                    flush=True,
                )
                stats = await fake_stats(fake.url)
                for call in stats["calls"]:
                    call["round"] = number
                    call["peak"] = stats["peak"].get(str(call["user"]), 0)
                provider += stats["calls"]
    finally:
        for child in reversed(children):
            await child.stop()
    ledger = await read_ledger(options.database_url, setup.user_ids)
    held = report(options, setup, rounds, provider, ledger)
    errors = app_errors(logs / "app.log")
    print(f"\napp errors logged: {sum(errors.values())}")
    for message, count in errors.most_common(5):
        print(f"  {count:4d} x {message}")
    return 0 if held else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    fake = commands.add_parser("fake")
    fake.add_argument("--delay", type=float, required=True)
    fake.add_argument("--tokens", type=int, required=True)
    fake.add_argument("--token-delay", type=float, required=True)
    app = commands.add_parser("app")
    app.add_argument("--database-url", required=True)
    app.add_argument("--provider", required=True)
    app.add_argument("--budget", type=int, required=True)
    app.add_argument("--pool-size", type=int)
    bench = commands.add_parser("run")
    bench.add_argument("--database-url", required=True)
    bench.add_argument("--users", type=int, default=20)
    bench.add_argument("--calls", type=int, default=10, help="concurrent calls per user")
    bench.add_argument("--fit", type=int, default=3, help="holds a budget fits (K)")
    bench.add_argument("--delay", type=float, default=0.2, help="seconds to first token")
    bench.add_argument("--tokens", type=int, default=20)
    bench.add_argument("--token-delay", type=float, default=0.01)
    bench.add_argument("--pool-size", type=int, help="DATABASE_POOL_SIZE (default: the app's)")
    bench.add_argument("--logs", default=".", help="folder for the children's stderr")
    options = parser.parse_args()
    if options.command == "fake":
        asyncio.run(serve_fake(options))
    elif options.command == "app":
        asyncio.run(serve_app(options))
    else:
        sys.exit(asyncio.run(run(options)))


if __name__ == "__main__":
    main()
