"""Shared test set-up: the external services some tests need, and small file helpers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
EXAMPLE_NAMES = ["taskflow", "blog", "shop"]
# Every example spec the generator is run on, the external-issuer variant included.
GENERATED_EXAMPLES = [*EXAMPLE_NAMES, "taskflow-jwks"]


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def require_service(name: str, url: str, default_port: int) -> None:
    """Skip when a service is absent on a developer machine; fail in CI, where it must run."""
    if _reachable(url, default_port):
        return
    message = f"{name} is not reachable at {url}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}, and CI must run every test", pytrace=False)
    pytest.skip(f"{message} (start it, or set TEST_DATABASE_URL / TEST_REDIS_URL)")


@pytest.fixture
def postgres_database(postgres_url: str) -> str:
    """A fresh, empty PostgreSQL database for one test; its SQLAlchemy psycopg URL."""
    return postgres_url.replace("postgresql://", "postgresql+psycopg://", 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def served_project(
    venv: Path, project: Path, env: dict[str, str], *, workers: int = 1
) -> Iterator[str]:
    """`project` migrated and served by uvicorn on a free port with `env`: its base URL
    until the caller is done (a generator, for fixtures to `yield from`)."""
    migrated = run(venv, project, "alembic", "upgrade", "head", env=env)
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    command = [str(venv / "bin" / "uvicorn"), "app.main:create_app", "--factory"]
    command += ["--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command,
        cwd=project,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not become ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)
        if process.stderr:
            process.stderr.close()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create `files` ({relative path: text}) under `root`; returns root."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


# Generated example backends and a virtualenv to run them in. Tests that use these are marked
# slow and grouped with `pytest.mark.xdist_group("generated-backends")` or
# `("generated-backends-b")`: each group runs on one worker, which builds the virtualenv once,
# and the two groups share the two cores.


@pytest.fixture(scope="session")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from fastapi_architect import load_spec
    from fastapi_architect.generate import generate_project

    root = tmp_path_factory.mktemp("projects")
    made = {}
    for name in GENERATED_EXAMPLES:
        spec = EXAMPLES / f"{name}.yaml"
        generate_project(load_spec(spec), spec.read_text(), root / name)
        made[name] = root / name
    return made


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory, projects: dict[str, Path]) -> Path:
    """A fresh virtualenv with the generated projects' own dependencies, from their
    pyproject files: taskflow installed with its dev extras, and what the others add."""
    path = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    python = path / "bin" / "python"
    requirements: set[str] = set()
    for project in projects.values():
        metadata = tomllib.loads(project.joinpath("pyproject.toml").read_text())["project"]
        requirements |= {*metadata["dependencies"], *metadata["optional-dependencies"]["dev"]}
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-e",
            f"{projects['taskflow']}[dev]",
            *sorted(requirements),
        ],
        check=True,
        capture_output=True,
    )
    return path


def run(
    venv: Path, project: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    environment.pop("VIRTUAL_ENV", None)
    environment.update(env or {})
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database; its plain postgresql:// URL."""
    require_service("PostgreSQL", POSTGRES_URL, 5432)
    import psycopg

    name = f"fa_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
