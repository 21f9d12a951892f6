"""Real infrastructure for the generated backends: PgBouncer in transaction mode, a TCP proxy
that can cut or stall a connection under a running server, and uvicorn with its workers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `check` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"{what} within {timeout:g}s")


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where every test must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run every test", pytrace=False)
    pytest.skip(reason)


# PgBouncer


def pgbouncer_binary() -> str:
    """Debian's pgbouncer, installed with apt-get when missing and possible."""
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/sbin")
    if found:
        return found
    as_root = [] if os.geteuid() == 0 else ["sudo", "-n", "--preserve-env=DEBIAN_FRONTEND"]
    if not shutil.which("apt-get") or (as_root and not _can_sudo()):
        unavailable("pgbouncer is not installed (apt-get install pgbouncer)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*as_root, "apt-get", "install", "-y", "-q", "--no-install-recommends", "pgbouncer"]
    result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:  # a stale package index: refresh it once
        update = [*as_root, "apt-get", "update", "-q"]
        subprocess.run(update, env=env, capture_output=True, timeout=600, check=False)
        result = subprocess.run(install, env=env, capture_output=True, text=True, timeout=600)
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/sbin")
    if not found:
        unavailable(f"pgbouncer could not be installed: {result.stderr[-1000:]}")
    return str(found)


def _can_sudo() -> bool:
    if not shutil.which("sudo"):
        return False
    probe = subprocess.run(["sudo", "-n", "true"], capture_output=True, timeout=30, check=False)
    return probe.returncode == 0


def _run_as() -> pwd.struct_passwd | None:
    """PgBouncer refuses to run as root: as root, run it as postgres (or nobody)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    unavailable("pgbouncer refuses root and there is no postgres or nobody user")
    return None


@contextlib.contextmanager
def pgbouncer(server_url: str, database: str) -> Iterator[str]:
    """PgBouncer in transaction mode in front of `server_url`'s server; yields the
    postgresql:// URL of `database` through it."""
    binary = pgbouncer_binary()
    server = urlsplit(server_url)
    user = unquote(server.username or "postgres")
    password = unquote(server.password or "")
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    upstream = f"host={server.hostname or '127.0.0.1'} port={server.port or 5432}"
    if password:
        upstream += f" user={user} password={password}"
    (directory / "userlist.txt").write_text(f'"{user}" "{password}"\n')
    (directory / "pgbouncer.ini").write_text(
        "\n".join(
            [
                "[databases]",
                f"* = {upstream}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                f"auth_type = {'md5' if password else 'trust'}",
                f"auth_file = {directory / 'userlist.txt'}",
                "pool_mode = transaction",
                "max_client_conn = 200",
                "default_pool_size = 10",
                # Hand each transaction to the next server connection in turn, as a busy
                # pooler does, so that a statement prepared on one is missed on another.
                "server_round_robin = 1",
                "ignore_startup_parameters = extra_float_digits",
                "",
            ]
        )
    )
    account = _run_as()
    if account is not None:
        directory.chmod(0o755)
        for path in (directory, *directory.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
    log = (directory / "pgbouncer.log").open("w")
    process = subprocess.Popen(
        [binary, str(directory / "pgbouncer.ini")],
        stdout=log,
        stderr=subprocess.STDOUT,
        user=account.pw_uid if account else None,
        group=account.pw_gid if account else None,
        extra_groups=[] if account else None,
    )
    url = f"postgresql://{server.netloc.rsplit('@', 1)[0]}@127.0.0.1:{port}/{database}"
    try:
        wait_until(
            lambda: process.poll() is not None or _answers(url),
            20,
            "pgbouncer did not accept connections",
        )
        if process.poll() is not None:
            raise AssertionError(f"pgbouncer exited: {(directory / 'pgbouncer.log').read_text()}")
        yield url
    finally:
        stop(process)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)


def _answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def stop(process: subprocess.Popen[Any], group: bool = False) -> None:
    """Terminate a process we started (its whole process group when `group`)."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                if group:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()
            process.wait(timeout=10)
    elif group:  # the leader is gone; make sure no worker outlived it
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


# A TCP proxy that can fail like a database does


@dataclass
class TcpProxy:
    """Forwards 127.0.0.1:port to target, on its own event loop in a thread.

    `cut()` is a database that went away: the listener closes and every connection is reset,
    so new connections are refused. `stall()` is a network partition: connections stay open,
    new ones are accepted, and no byte moves either way until `restore()`."""

    target_host: str
    target_port: int
    port: int = 0
    _loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None
    _flowing: asyncio.Event | None = None
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)
    connections: int = 0

    def __enter__(self) -> TcpProxy:
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._call(self._start)
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self._call(self._close)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread:
                self._thread.join(timeout=10)
            self._loop.close()

    def cut(self) -> None:
        self._call(self._cut)

    def stall(self) -> None:
        self._call(self._stall)

    def restore(self) -> None:
        self._call(self._restore)

    def _call(self, make: Callable[[], Any]) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(make(), self._loop)
        return future.result(timeout=15)

    async def _start(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        await self._listen()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _stall(self) -> None:
        assert self._flowing is not None
        self._flowing.clear()

    async def _restore(self) -> None:
        assert self._flowing is not None
        self._flowing.set()
        if self._server is None:
            await self._listen()

    async def _close(self) -> None:
        await self._cut()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        self.connections += 1
        self._writers.add(writer)
        try:
            await self._flowing.wait()
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(self.target_host, self.target_port), 10
            )
        except (OSError, TimeoutError):
            self._writers.discard(writer)
            writer.transport.abort()
            return
        self._writers.add(upstream_writer)
        try:
            await asyncio.gather(
                self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
            )
        finally:
            for end in (writer, upstream_writer):
                self._writers.discard(end)
                end.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            while data := await reader.read(65536):
                await self._flowing.wait()  # a stalled link holds the bytes, as TCP would
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()


# uvicorn


@dataclass
class Served:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-6000:]


@contextlib.contextmanager
def serve(
    venv: Path,
    project: Path,
    env: dict[str, str],
    log: Path,
    *,
    app: str = "app.main:create_app",
    workers: int = 1,
) -> Iterator[Served]:
    """uvicorn serving `app` (a factory) on a free port, ready when /health answers; the
    whole process group (master and workers) is stopped afterwards."""
    port = free_port()
    environment = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", **env}
    environment.pop("VIRTUAL_ENV", None)
    command = [str(venv / "bin" / "uvicorn"), app, "--factory", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*command, "--timeout-graceful-shutdown", "5"],
            cwd=project,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until(
            lambda: process.poll() is not None or _healthy(served.base),
            60,
            "the server did not start",
        )
        if process.poll() is not None:
            raise AssertionError(f"the server exited:\n{served.output()}")
        yield served
    finally:
        stop(process, group=True)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


# A factory around the generated one that names the worker process in every response, so a
# test can see which of uvicorn's workers answered.
WORKER_TAG = """
import os

from app.main import create_app as create_generated_app


def create_app():
    application = create_generated_app()

    @application.middleware("http")
    async def tag(request, call_next):
        response = await call_next(request)
        response.headers["x-worker-pid"] = str(os.getpid())
        return response

    return application
"""
