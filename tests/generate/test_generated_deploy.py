"""The generated projects' own entry points and deployment files: `fastapi run` with no
arguments, `uv sync` and `uv run`, the Dockerfile (hadolint; its steps carried out without
Docker, and a real `docker build` where a Docker daemon answers) and compose.yaml.

The slow tests install packages: from PyPI (pip, uv) as the rest of the generated-backend
tests do. The image's base is stood in for by this machine: its OS, and a Python of the
image's version at the image's /usr/local/bin."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from fastapi_architect import load_spec
from fastapi_architect.generate import GENERATOR_VERSION
from fastapi_architect.generate.render import render_project
from tests.conftest import EXAMPLES, GENERATED_EXAMPLES, free_port

on_generated_backends = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends")]

SECRET = "a-production-secret-of-at-least-32-characters"


def rendered(name: str) -> dict[str, str]:
    """The project generated from an example (unformatted: only Python files are formatted)."""
    return render_project(load_spec(EXAMPLES / f"{name}.yaml"), GENERATOR_VERSION)


def tool(name: str) -> str:
    """A command of our dev dependencies: beside this interpreter, or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found is None:
        message = f"{name} is not installed (pip install -e '.[dev]')"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run every test", pytrace=False)
        pytest.skip(message)
    return found


# ---------------------------------------------------------------- serving


@contextmanager
def serving(
    command: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    user: tuple[int, int] | None = None,
    log: Path,
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` running (as `user` when given) in a process group of its own; whatever is
    left of the group is killed on the way out."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user[0] if user else None,
            group=user[1] if user else None,
            extra_groups=[] if user else None,
        )
    try:
        yield process
    finally:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def group_alive(process: subprocess.Popen[bytes]) -> bool:
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until_ready(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not become ready:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes], log: Path, port: int) -> None:
    """The stop signal an orchestrator sends: the server shuts down gracefully, soon, and
    leaves nothing behind on its port. (Uvicorn re-raises the signal once shut down, so the
    status is the signal's; `uv run` reports it as a shell does, 128 + 15.)"""
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the server ignored SIGTERM:\n{log.read_text()}") from None
    deadline = time.monotonic() + 10
    while group_alive(process) and time.monotonic() < deadline:
        time.sleep(0.1)
    output = log.read_text()
    # Nothing outlives the process the signal was sent to (a shell that did not `exec`
    # would die and leave the server running).
    assert not group_alive(process), output
    assert code in {0, -signal.SIGTERM, 128 + signal.SIGTERM}, output
    assert "Application shutdown complete" in output, output
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)


def assert_serves_health_and_ready(base: str) -> None:
    with httpx.Client(timeout=5) as client:
        assert client.get(f"{base}/health").json() == {"status": "ok"}
        ready = client.get(f"{base}/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json() == {"status": "ready"}


def clean_environment(venv_bin: Path, **values: str) -> dict[str, str]:
    environment = {**os.environ, "PATH": f"{venv_bin}:{os.environ['PATH']}", **values}
    environment.pop("VIRTUAL_ENV", None)
    return environment


# ---------------------------------------------------------------- fastapi run


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_pyproject_names_the_app_fastapi_serves(name: str) -> None:
    files = rendered(name)
    pyproject = tomllib.loads(files["pyproject.toml"])
    module, _, attribute = pyproject["tool"]["fastapi"]["entrypoint"].partition(":")
    assert f"{module.replace('.', '/')}.py" in files
    assert f"\n{attribute} = create_app()\n" in files[f"{module.replace('.', '/')}.py"]
    # The factory's module builds no app at import: the tests import it with their settings.
    assert not re.search(r"^app\b", files["app/main.py"], re.MULTILINE)
    requirements = [r.split(">")[0] for r in pyproject["project"]["dependencies"]]
    assert "fastapi-cli" in requirements
    # pip's extra and uv's default group hold the same tools.
    assert (
        pyproject["project"]["optional-dependencies"]["dev"]
        == (pyproject["dependency-groups"]["dev"])
    )


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
@pytest.mark.slow
@pytest.mark.xdist_group("generated-backends")
def test_fastapi_run_serves_the_project_with_no_arguments(
    venv: Path, projects: dict[str, Path], tmp_path: Path, name: str
) -> None:
    project = projects[name]
    port = free_port()
    environment = clean_environment(
        venv / "bin",
        APP_ENV="production",
        JWT_SECRET=SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'served.db'}",
        LOG_LEVEL="WARNING",
        PORT=str(port),
    )
    migrated = subprocess.run(
        [str(venv / "bin" / "alembic"), "upgrade", "head"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    log = tmp_path / "fastapi-run.log"
    with serving([str(venv / "bin" / "fastapi"), "run"], project, environment, log=log) as server:
        base = f"http://127.0.0.1:{port}"
        wait_until_ready(server, base, log)
        assert_serves_health_and_ready(base)
        stop(server, log, port)
    assert "app.asgi:app" in log.read_text()


# ---------------------------------------------------------------- uv


@pytest.mark.slow
@pytest.mark.xdist_group("generated-backends")
def test_uv_sync_then_uv_run_tests_and_serves(projects: dict[str, Path], tmp_path: Path) -> None:
    """`uv sync` resolves from PyPI (uv's own index setting), as `pip install` does."""
    uv = tool("uv")
    project = shutil.copytree(
        projects["blog"],
        tmp_path / "blog",
        ignore=shutil.ignore_patterns(
            ".venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", "*.db"
        ),
    )
    environment = {**os.environ, "UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never"}
    environment.pop("VIRTUAL_ENV", None)

    def uv_run(*args: str, **values: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [uv, *args],
            cwd=project,
            env={**environment, **values},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    synced = uv_run("sync")
    assert synced.returncode == 0, synced.stderr[-4000:]
    assert (project / "uv.lock").is_file()
    for command in ("pytest", "mypy", "ruff", "alembic", "fastapi"):
        assert (project / ".venv" / "bin" / command).is_file(), command
    tested = uv_run("run", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_platform.py")
    assert tested.returncode == 0, tested.stdout[-4000:] + tested.stderr[-2000:]
    assert " passed" in tested.stdout.strip().splitlines()[-1]

    port = free_port()
    served = {
        "APP_ENV": "production",
        "JWT_SECRET": SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'uv.db'}",
        "LOG_LEVEL": "WARNING",
        "PORT": str(port),
    }
    migrated = uv_run("run", "alembic", "upgrade", "head", **served)
    assert migrated.returncode == 0, migrated.stderr
    log = tmp_path / "uv-run.log"
    with serving([uv, "run", "fastapi", "run"], project, {**environment, **served}, log=log) as s:
        wait_until_ready(s, f"http://127.0.0.1:{port}", log)
        assert_serves_health_and_ready(f"http://127.0.0.1:{port}")
        stop(s, log, port)


# ---------------------------------------------------------------- the Dockerfile, read


@dataclass
class Instruction:
    keyword: str
    flags: list[str]
    arguments: str
    line: int

    def exec_form(self) -> list[str]:
        """The JSON (exec) form of a CMD; the only form the generated Dockerfile uses."""
        parsed = json.loads(self.arguments)
        assert isinstance(parsed, list), self
        return [str(item) for item in parsed]


def parse_dockerfile(text: str) -> list[Instruction]:
    """Instructions with their `--flags`, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#"):
            continue
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        logical, pending = (pending + line).strip(), ""
        if not logical:
            continue
        keyword, _, rest = logical.partition(" ")
        flags = []
        rest = rest.strip()
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            flags.append(flag)
            rest = rest.strip()
        instructions.append(Instruction(keyword.upper(), flags, rest, start))
    assert not pending, "a continuation line ends the Dockerfile"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    found: list[list[Instruction]] = []
    for instruction in instructions:
        if instruction.keyword == "FROM":
            found.append([])
        found[-1].append(instruction)
    return found


def only(stage: list[Instruction], keyword: str) -> Instruction:
    matching = [i for i in stage if i.keyword == keyword]
    assert len(matching) == 1, f"{keyword}: {matching}"
    return matching[0]


def minimum_python(pyproject: str) -> str:
    requires = tomllib.loads(pyproject)["project"]["requires-python"]
    match = re.fullmatch(r">=(\d+\.\d+)", requires)
    assert match, requires
    return match.group(1)


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_the_dockerfile_has_no_hadolint_finding(tmp_path: Path, name: str) -> None:
    hadolint = tool("hadolint")
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(rendered(name)["Dockerfile"])
    # Every rule, any severity, no ignore: the Dockerfile carries no `hadolint ignore` either.
    linted = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert linted.stdout == ""
    assert "hadolint" not in dockerfile.read_text()


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_the_dockerfile_builds_a_slim_non_root_image_that_migrates_at_start(name: str) -> None:
    files = rendered(name)
    builder, runtime = stages(parse_dockerfile(files["Dockerfile"]))
    python = minimum_python(files["pyproject.toml"])
    # Both stages on the same pinned slim Python, of the version the project requires.
    for stage in (builder, runtime):
        image = only(stage, "FROM").arguments.split()[0]
        assert re.fullmatch(rf"python:{re.escape(python)}-slim-[a-z]+", image), image
    assert only(builder, "FROM").arguments.endswith(" AS builder")
    # Only the virtualenv comes from the builder; no compiler, no source tree in the image.
    copies = [i for i in runtime if i.keyword == "COPY"]
    assert [c.flags for c in copies if c.flags] == [["--from=builder"]]
    assert not any(i.keyword == "RUN" for i in runtime)
    # A numeric, non-root user: orchestrators can verify runAsNonRoot.
    user = only(runtime, "USER").arguments
    assert re.fullmatch(r"[1-9]\d*:[1-9]\d*", user), user
    assert [i.keyword for i in runtime][-4:] == ["USER", "EXPOSE", "HEALTHCHECK", "CMD"]
    assert "/health" in only(runtime, "HEALTHCHECK").arguments
    command = only(runtime, "CMD").exec_form()
    assert command[:2] == ["sh", "-c"]
    assert command[2] == "alembic upgrade head && exec fastapi run"
    # No secret in the image: settings come at run time.
    for stage in (builder, runtime):
        for instruction in stage:
            if instruction.keyword in {"ENV", "ARG"}:
                assert not re.search(r"SECRET|PASSWORD|TOKEN|KEY", instruction.arguments)
    ignored = files[".dockerignore"].splitlines()
    assert {".env", ".env.*", ".venv/", ".git/"} <= set(ignored)


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_compose_runs_the_app_on_postgres_and_redis(name: str) -> None:
    files = rendered(name)
    compose = yaml.safe_load(files["compose.yaml"])
    services = compose["services"]
    assert set(services) == {"app", "db", "redis"}
    app = services["app"]
    assert app["build"] == "."
    assert app["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for backing in ("db", "redis"):
        assert re.fullmatch(r"[a-z]+:\d+(\.\d+)?-alpine", services[backing]["image"])
        assert services[backing]["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}
    environment = app["environment"]
    assert environment["APP_ENV"] == "production"
    assert environment["DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    # Every variable is one the app reads, and every secret must come from outside.
    config = files["app/core/config.py"]
    fields = {m.lower() for m in re.findall(r"^    (\w+): ", config, re.MULTILINE)}
    assert {key.lower() for key in environment} <= fields
    builtin = load_spec(EXAMPLES / f"{name}.yaml").auth.mode == "builtin"
    assert ("JWT_SECRET" in environment) is builtin
    secrets = [services["db"]["environment"]["POSTGRES_PASSWORD"]]
    secrets += [environment["JWT_SECRET"]] if builtin else []
    for secret in secrets:
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", secret), secret
    assert (
        services["db"]["environment"]["POSTGRES_PASSWORD"].split(":?")[0]
        in (environment["DATABASE_URL"])
    )


def compose_command() -> list[str] | None:
    """Docker Compose's own CLI, where one is installed (no daemon needed to read a file)."""
    if shutil.which("docker"):
        plugin = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if plugin.returncode == 0:
            return ["docker", "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_compose_accepts_the_file_and_refuses_to_run_without_secrets(
    tmp_path: Path, name: str
) -> None:
    compose = compose_command()
    if compose is None:
        pytest.skip("no Docker Compose CLI here (the file's structure is checked above)")
    (tmp_path / "compose.yaml").write_text(rendered(name)["compose.yaml"])
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES", "JWT"))}

    def config(**values: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*compose, "config", "--quiet"],
            cwd=tmp_path,
            env={**environment, **values},
            capture_output=True,
            text=True,
            check=False,
        )

    secrets = {"POSTGRES_PASSWORD": "0123abcd", "JWT_SECRET": SECRET}
    accepted = config(**secrets)
    assert accepted.returncode == 0, accepted.stderr
    refused = config(JWT_SECRET=SECRET)
    assert refused.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in refused.stderr


# ---------------------------------------------------------------- the Dockerfile, built


# The image's operating system is stood in for by this machine's; everything else the build
# makes or copies lands under a scratch root that stands in for the image's file system.
HOST_DIRECTORIES = (
    *("/bin", "/sbin", "/usr/bin", "/usr/sbin", "/lib", "/lib64", "/usr/lib", "/usr/share"),
    *("/etc", "/dev", "/proc", "/tmp"),
)
# The python image's environment, before the Dockerfile's.
IMAGE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
}
# What a build step takes from this machine: how it reaches the package index, and the
# home whose caches stand in for the Dockerfile's cache mounts.
BUILD_PASSTHROUGH = re.compile(r"PIP_\w+|(HTTPS?|NO|ALL)_PROXY|SSL_CERT_\w+|HOME", re.IGNORECASE)


def reachable_by_others(path: Path) -> bool:
    """Can an unprivileged user run this file (every directory on the way searchable)?"""
    real = path.resolve()
    for directory in [real, *real.parents][1:]:
        if not directory.stat().st_mode & stat.S_IXOTH:
            return False
    return bool(real.stat().st_mode & stat.S_IXOTH)


def image_python(version: str, unprivileged: bool) -> str:
    """A Python of the image's version, with venv, standing in for the image's own."""
    candidates = [f"/usr/local/bin/python{version}", f"/usr/bin/python{version}"]
    candidates += [getattr(sys, "_base_executable", ""), shutil.which(f"python{version}") or ""]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        if not path.is_file() or (unprivileged and not reachable_by_others(path)):
            continue
        probe = subprocess.run(
            [candidate, "-c", "import ensurepip, sys, venv; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    message = f"no Python {version} with venv here that an unprivileged user may run"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def dockerignore_patterns(context: Path) -> list[re.Pattern[str]]:
    """`.dockerignore` as regular expressions over paths relative to the context."""
    ignore = context / ".dockerignore"
    patterns = []
    for line in ignore.read_text().splitlines() if ignore.is_file() else []:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert not line.startswith("!"), "exceptions are not emulated"
        translated = ""
        rest = line.strip("/")
        while rest:
            if rest.startswith("**/"):
                translated, rest = translated + "(?:.*/)?", rest[3:]
            elif rest.startswith("**"):
                translated, rest = translated + ".*", rest[2:]
            elif rest[0] == "*":
                translated, rest = translated + "[^/]*", rest[1:]
            elif rest[0] == "?":
                translated, rest = translated + "[^/]", rest[1:]
            else:
                translated, rest = translated + re.escape(rest[0]), rest[1:]
        # A pattern that names a directory leaves out everything under it.
        patterns.append(re.compile(translated + "(?:/.*)?"))
    return patterns


@dataclass
class Emulation:
    """The Dockerfile's steps carried out without Docker, one stage at a time, in `root`."""

    context: Path
    scratch: Path
    python: str
    environment: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    stage_roots: dict[str, Path] = field(default_factory=dict)
    stage_name: str = ""
    user: str = "root"
    healthcheck: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.scratch / "root"

    def host(self, path: str) -> str:
        """Where an image path lies here."""
        if not path.startswith("/") or any(
            path == d or path.startswith(d + "/") for d in HOST_DIRECTORIES
        ):
            return path
        return str(self.root) + path.rstrip("/")

    def host_environment(self) -> dict[str, str]:
        mapped = {}
        for key, value in self.environment.items():
            parts = value.split(":")
            if value.startswith("/") and all(p.startswith("/") for p in parts):
                value = ":".join(self.host(p) for p in parts)
            mapped[key] = value
        return mapped

    def expand(self, text: str) -> str:
        def value(match: re.Match[str]) -> str:
            return self.environment.get(match.group(1) or match.group(2), "")

        return re.sub(r"\$(\w+)|\$\{(\w+)\}", value, text)

    def image_path(self, path: str) -> str:
        path = self.expand(path)
        return path if path.startswith("/") else f"{self.workdir.rstrip('/')}/{path}"

    def run(self, instruction: Instruction) -> None:
        getattr(self, f"do_{instruction.keyword.lower()}")(instruction)

    def do_from(self, instruction: Instruction) -> None:
        image, *alias = instruction.arguments.split()
        assert not alias or (len(alias) == 2 and alias[0] == "AS"), instruction
        version = image.partition(":")[2].partition("-")[0]
        if self.stage_name:
            self.stage_roots[self.stage_name] = self.root.rename(self.scratch / self.stage_name)
        self.stage_name = alias[-1] if alias else f"stage-{len(self.stage_roots)}"
        self.root.mkdir(mode=0o755)
        bin_directory = self.root / "usr" / "local" / "bin"
        bin_directory.mkdir(parents=True)
        for name in ("python", "python3", f"python{version}"):
            (bin_directory / name).symlink_to(self.python)
        self.environment = dict(IMAGE_ENVIRONMENT)
        self.workdir, self.user, self.healthcheck, self.command = "/", "root", [], []

    def do_env(self, instruction: Instruction) -> None:
        # Every pair of one ENV sees the environment from before it, as in Docker.
        pairs = [token.partition("=") for token in shlex.split(instruction.arguments)]
        assert all(equals for _, equals, _ in pairs), instruction
        self.environment |= {key: self.expand(value) for key, _, value in pairs}

    def do_workdir(self, instruction: Instruction) -> None:
        self.workdir = self.image_path(instruction.arguments)
        Path(self.host(self.workdir)).mkdir(parents=True, exist_ok=True)

    def do_run(self, instruction: Instruction) -> None:
        for flag in instruction.flags:
            # This machine's own caches stand in for the cache mounts.
            assert flag.startswith("--mount=type=cache,"), instruction
        # A literal image path would escape the emulation: name it through ENV instead.
        assert not re.search(r"(^|[\s=\"'])/\w", instruction.arguments), instruction
        environment = {k: v for k, v in os.environ.items() if BUILD_PASSTHROUGH.fullmatch(k)}
        completed = subprocess.run(
            ["/bin/sh", "-c", instruction.arguments],
            cwd=self.host(self.workdir),
            env={**environment, **self.host_environment()},
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert completed.returncode == 0, (
            f"line {instruction.line}: {instruction.arguments}\n"
            + completed.stdout[-3000:]
            + completed.stderr[-3000:]
        )

    def do_copy(self, instruction: Instruction) -> None:
        source_root, ignored = self.context, dockerignore_patterns(self.context)
        for flag in instruction.flags:
            assert flag.startswith("--from="), instruction
            source_root, ignored = self.stage_roots[flag.removeprefix("--from=")], []
        *sources, destination = shlex.split(instruction.arguments)
        target = Path(self.host(self.image_path(destination)))
        into_directory = destination.endswith("/") or len(sources) > 1
        for source in sources:
            origin = source_root / self.expand(source).lstrip("/")
            assert origin.exists(), f"COPY {source}: not in the build context"
            if origin.is_dir():
                self.copy_tree(origin, target, source_root, ignored)
            else:
                path = target / origin.name if into_directory else target
                path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, path)

    @staticmethod
    def copy_tree(
        origin: Path, target: Path, source_root: Path, ignored: list[re.Pattern[str]]
    ) -> None:
        """A directory's contents into `target`, less what `.dockerignore` leaves out."""

        def leave_out(directory: str, names: list[str]) -> set[str]:
            here = Path(directory).relative_to(source_root)
            return {n for n in names if any(p.fullmatch((here / n).as_posix()) for p in ignored)}

        shutil.copytree(origin, target, symlinks=True, ignore=leave_out, dirs_exist_ok=True)

    def do_user(self, instruction: Instruction) -> None:
        self.user = instruction.arguments

    def do_expose(self, instruction: Instruction) -> None:
        assert instruction.arguments.isdigit(), instruction

    def do_healthcheck(self, instruction: Instruction) -> None:
        keyword, _, rest = instruction.arguments.partition(" ")
        assert keyword == "CMD", instruction
        self.healthcheck = Instruction("CMD", [], rest, instruction.line).exec_form()

    def do_cmd(self, instruction: Instruction) -> None:
        self.command = instruction.exec_form()


@contextmanager
def scratch_directory() -> Iterator[Path]:
    """A scratch folder an unprivileged user can enter (pytest's tmp_path is private)."""
    path = Path(tempfile.mkdtemp(prefix="fastapi-architect-image-"))
    try:
        path.chmod(0o755)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.xdist_group("generated-backends")
def test_the_image_steps_run_without_docker_and_serve_as_non_root(
    projects: dict[str, Path], tmp_path: Path
) -> None:
    """Every step of the Dockerfile, carried out here: the builder's virtualenv and install,
    the copies into a fresh root, then the image's command run as the image's user, with
    only the image's environment and the settings given at run time. It migrates a database,
    answers its own HEALTHCHECK and /ready, and stops cleanly on SIGTERM."""
    context = projects["taskflow"]
    instructions = parse_dockerfile((context / "Dockerfile").read_text())
    version = only(stages(instructions)[0], "FROM").arguments.partition(":")[2].partition("-")[0]
    privileged = os.geteuid() == 0
    python = image_python(version, unprivileged=privileged)
    with scratch_directory() as scratch, scratch_directory() as data:
        image = Emulation(context, scratch, python)
        for instruction in instructions:
            image.run(instruction)
        uid, _, gid = image.user.partition(":")
        user = (int(uid), int(gid)) if privileged else None
        if user:
            os.chown(data, *user)
        port = free_port()
        environment = {
            **image.host_environment(),
            "HOME": str(image.root),
            "JWT_SECRET": SECRET,
            "DATABASE_URL": f"sqlite:///{data}/app.db",
            "PORT": str(port),
            "LOG_LEVEL": "WARNING",
        }
        workdir = Path(image.host(image.workdir))
        # The image holds no source tree: the app is imported from the virtualenv.
        assert not (workdir / "app").exists()
        assert not (image.root / "build").exists()
        log = tmp_path / "image.log"
        with serving(image.command, workdir, environment, user=user, log=log) as server:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(server, base, log)
            status = Path(f"/proc/{server.pid}/status").read_text()
            uids = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
            assert uids, status
            assert int(uids.group(1)) != 0, status
            # The shell replaced itself with the server (exec): signals reach it.
            arguments = Path(f"/proc/{server.pid}/cmdline").read_text().split("\0")
            assert Path(arguments[0]).name not in {"sh", "dash", "bash"}, arguments
            assert Path(arguments[1]).name == "fastapi", arguments
            healthcheck = subprocess.run(
                image.healthcheck,
                cwd=workdir,
                env=environment,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
                user=user[0] if user else None,
                group=user[1] if user else None,
                extra_groups=[] if user else None,
            )
            assert healthcheck.returncode == 0, healthcheck.stderr
            assert_serves_health_and_ready(base)
            stop(server, log, port)
        with sqlite3.connect(data / "app.db") as database:
            revisions = database.execute("SELECT version_num FROM alembic_version").fetchall()
        assert revisions == [("0001",)]


def docker_daemon() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        answered = subprocess.run(["docker", "info"], capture_output=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False
    return answered.returncode == 0


@pytest.mark.slow
@pytest.mark.xdist_group("generated-backends")
def test_the_image_builds_and_serves_with_docker(projects: dict[str, Path]) -> None:
    """Where a Docker daemon answers; elsewhere the test above carries out the steps."""
    if not docker_daemon():
        pytest.skip("no Docker daemon answers (the steps are run without Docker instead)")
    tag = f"fastapi-architect-test/taskflow:{uuid.uuid4().hex[:12]}"

    def docker(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
        )

    built = docker("build", "--tag", tag, str(projects["taskflow"]), timeout=1200)
    assert built.returncode == 0, built.stderr[-4000:]
    container = ""
    try:
        assert docker("image", "inspect", "--format", "{{.Config.User}}", tag).stdout.strip() == (
            "10001:10001"
        )
        started = docker(
            "run",
            "--detach",
            "--env",
            f"JWT_SECRET={SECRET}",
            "--env",
            "DATABASE_URL=sqlite:////tmp/app.db",
            "--publish",
            "127.0.0.1::8000",
            tag,
        )
        assert started.returncode == 0, started.stderr
        container = started.stdout.strip()
        published = docker("port", container, "8000/tcp").stdout.strip().splitlines()[0]
        base = f"http://{published}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            raise AssertionError(docker("logs", container).stdout)
        assert_serves_health_and_ready(base)
        stopped = docker("stop", "--time", "20", container)
        assert stopped.returncode == 0, stopped.stderr
        code = docker("inspect", "--format", "{{.State.ExitCode}}", container).stdout.strip()
        # 143: the server re-raised SIGTERM once shut down (128 + 15).
        assert code in {"0", "143"}, docker("logs", container).stdout
    finally:
        if container:
            docker("rm", "--force", container)
        docker("image", "rm", "--force", tag)
