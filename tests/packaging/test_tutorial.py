"""docs/tutorial.md, followed to the letter in an empty directory: every `$` command run in
order, in the directory the commands before it left (`cd`), each printing what the tutorial
shows (`...` leaves lines out; `(exit status N)` is the status expected, 0 otherwise), each
file block (```LANG file=PATH) saved, each diff applied, each YAML excerpt found in the spec.

Two substitutions: `pipx install fastapi-architect` installs the wheel built from this tree
(the package is not on an index here), and the server of `make dev` listens on a free port
instead of 8000 (tests run side by side). `make dev` runs in the background until the next
step."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, free_port
from tests.packaging.conftest import Dist, clean_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tutorial")]
TUTORIAL = ROOT / "docs" / "tutorial.md"
TIMEOUT = 900
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)
STATUS = re.compile(r"^\(exit status (\d+)\)$")


@dataclass
class Command:
    line: str
    expected: list[str] = field(default_factory=list)

    @property
    def status(self) -> int:
        for line in self.expected:
            match = STATUS.match(line)
            if match:
                return int(match.group(1))
        return 0


@dataclass
class Block:
    step: int
    info: str
    body: str

    def commands(self) -> list[Command]:
        out: list[Command] = []
        for line in self.body.splitlines():
            if line.startswith("$ "):
                out.append(Command(line[2:]))
            elif out and line.strip() and line.strip() != "...":
                out[-1].expected.append(line)
        return out


def blocks() -> list[Block]:
    text = TUTORIAL.read_text(encoding="utf-8")
    out = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        steps = re.findall(r"^## (\d+)\. ", before, re.M)
        out.append(Block(int(steps[-1]) if steps else 0, match["info"], match["body"]))
    return out


class Walkthrough:
    def __init__(self, base: Path, dist: Dist) -> None:
        self.cwd = base / "work"
        self.cwd.mkdir()
        self.dist = dist
        self.state = base / "cwd"
        self.port = free_port()
        shims = base / "shims"
        shims.mkdir()
        pipx = shims / "pipx"
        pipx.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m pipx "$@"\n')
        pipx.chmod(0o755)
        self.env = clean_env(
            PIPX_HOME=str(base / "pipx"),
            PIPX_BIN_DIR=str(base / "bin"),
            PRE_COMMIT_HOME=str(base / "pre-commit"),
            PORT=str(self.port),
            GIT_AUTHOR_NAME="Ada",
            GIT_AUTHOR_EMAIL="ada@example.com",
            GIT_COMMITTER_NAME="Ada",
            GIT_COMMITTER_EMAIL="ada@example.com",
        )
        self.env["PATH"] = f"{base / 'bin'}:{shims}:{self.env['PATH']}"
        self.server: subprocess.Popen[bytes] | None = None
        self.server_log = base / "server.log"
        self.transcript: list[str] = []

    def command_line(self, line: str) -> str:
        line = line.replace("pipx install fastapi-architect", f"pipx install {self.dist.wheel}")
        return line.replace("127.0.0.1:8000", f"127.0.0.1:{self.port}")

    def run(self, command: Command) -> None:
        line = self.command_line(command.line)
        if line == "make dev":
            self.serve()
            return
        script = f"{line}\nstatus=$?\npwd > {self.state}\nexit $status\n"
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        output = done.stdout + done.stderr
        self.transcript.append(f"$ {line}\n{output}")
        assert done.returncode == command.status, f"$ {line}\n{output[-5000:]}"
        self.cwd = Path(self.state.read_text().strip())
        lines = {text.strip() for text in output.splitlines()}
        for expected in command.expected:
            if not STATUS.match(expected):
                assert expected.strip() in lines, f"$ {line}\nwanted: {expected}\n{output}"

    def serve(self) -> None:
        log = self.server_log.open("w")
        self.server = subprocess.Popen(
            ["make", "dev"],
            cwd=self.cwd,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert self.server.poll() is None, self.server_log.read_text()[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/ready", timeout=2).status_code == 200:
                    docs = httpx.get(f"http://127.0.0.1:{self.port}/docs", timeout=5)
                    assert docs.status_code == 200
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"make dev did not serve: {self.server_log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.server is not None and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGINT)  # Ctrl-C
            try:
                self.server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait(timeout=30)
        self.server = None

    def save(self, block: Block, path: str) -> None:
        target = self.cwd / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.body, encoding="utf-8")

    def apply(self, block: Block) -> None:
        done = subprocess.run(
            ["git", "apply", "-"],
            input=block.body,
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

    def excerpt(self, block: Block) -> None:
        spec = (self.cwd / "architect.yaml").read_text(encoding="utf-8")
        assert block.body in spec, f"not in architect.yaml:\n{block.body}"


def test_the_tutorial_step_by_step(dist: Dist, tmp_path: Path) -> None:
    walk = Walkthrough(tmp_path, dist)
    found = blocks()
    assert sorted({b.step for b in found}) == list(range(1, 11)), "ten steps"
    step = 0
    ran = 0
    try:
        for block in found:
            if block.step != step:
                walk.stop()
                step = block.step
            language, _, rest = block.info.partition(" ")
            if rest.startswith("file="):
                walk.save(block, rest.removeprefix("file="))
            elif language == "console":
                for command in block.commands():
                    walk.run(command)
                    ran += 1
            elif language == "diff":
                walk.apply(block)
            elif language == "yaml":
                walk.excerpt(block)
            else:
                raise AssertionError(f"a block the test cannot follow: {block.info!r}")
    finally:
        walk.stop()
    assert ran >= 20
    # Where the tutorial ends: the backend served, reviewed, evolved and committed.
    work = walk.cwd
    assert (work / "backend" / "migrations" / "versions" / "0002_books.py").is_file()
    log = subprocess.run(
        ["git", "log", "--format=%s"], cwd=work, capture_output=True, text=True, check=True
    )
    assert log.stdout.strip() == "Bookshelf backend"
