"""`fastapi-architect mcp` as a real process: over stdio and over streamable HTTP."""

from __future__ import annotations

import json
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.conftest import write_tree

APP = """\
from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import Session

app = FastAPI()


@app.get("/api/v1/items/{name}")
def read_item(name: str, session: Session) -> dict[str, str]:
    session.exec(text(f"SELECT * FROM item WHERE name = '{name}'"))
    return {"name": name}
"""
SPEC = "project: {name: notes}\nresources:\n  Note:\n    fields:\n      title: {type: string}\n"
TIMEOUT = 60


def server_command() -> list[str]:
    """The installed `fastapi-architect` console script, as users and MCP clients start it."""
    script = Path(sys.executable).parent / "fastapi-architect"
    found = str(script) if script.exists() else shutil.which("fastapi-architect")
    if found is None:
        pytest.fail("the fastapi-architect console script is not installed (pip install -e .)")
    return [found, "mcp"]


class Lines:
    """The lines of a process's stream, read on a thread so a test can wait with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line)
        self._queue.put(None)

    def next(self, timeout: float = TIMEOUT) -> str | None:
        """The next line, or None at the end of the stream."""
        line = self._queue.get(timeout=timeout)
        if line is not None:
            self.seen.append(line)
        return line

    def rest(self, timeout: float = TIMEOUT) -> str:
        while self.next(timeout) is not None:
            pass
        return "".join(self.seen)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "project", {"app/main.py": APP, "architect.yaml": SPEC})


@pytest.fixture
def process_cleanup() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


async def exercise(client: Client, project: Path) -> None:
    """What an agent does: list the tools, check the spec, design it, generate the backend it
    describes, design from that code, review the generated code (clean) and hand-written code
    (a finding), explain a rule."""
    names = {tool.name for tool in (await client.list_tools()).tools}
    assert {"check_spec", "design", "generate", "review", "survey", "explain_rule"} <= names
    checked = await client.call_tool("check_spec", {"path": "architect.yaml"})
    assert not checked.is_error
    assert checked.structured_content is not None
    assert checked.structured_content["ok"] is True
    assert [r["name"] for r in checked.structured_content["resources"]] == ["User", "Note"]

    designed = await client.call_tool("design", {"spec_path": "architect.yaml", "output": "docs"})
    assert not designed.is_error, designed.content
    assert designed.structured_content is not None
    assert designed.structured_content["written"][0] == "docs/architecture.md"
    assert designed.structured_content["adrs"][0] == "Authentication: builtin"
    assert (project / "docs" / "architecture.md").read_text().startswith("# Notes")
    redesigned = await client.call_tool("design", {"spec_path": "architect.yaml", "output": "docs"})
    assert redesigned.is_error, "existing design files are refused without overwrite"

    generated = await client.call_tool(
        "generate", {"spec_path": "architect.yaml", "target": "backend"}
    )
    assert not generated.is_error, generated.content
    assert generated.structured_content is not None
    assert generated.structured_content["project"] == "backend"
    assert "backend/app/main.py" in generated.structured_content["written"]
    assert (project / "backend" / "app" / "main.py").is_file()
    again = await client.call_tool("generate", {"spec_path": "architect.yaml", "target": "backend"})
    assert again.is_error, "a non-empty directory is refused without overwrite"
    from_code = await client.call_tool("design", {"from_code": "backend"})
    assert from_code.structured_content is not None
    assert from_code.structured_content["source"] == "code"
    assert from_code.structured_content["endpoints"] > 5
    clean = await client.call_tool("review", {"path": "backend", "fail_on": "info"})
    assert clean.structured_content is not None
    assert clean.structured_content["findings"] == []
    assert clean.structured_content["passed"] is True
    assert clean.structured_content["files"] > 20

    reviewed = await client.call_tool("review", {"path": "app"})
    assert reviewed.structured_content is not None
    assert [f["rule_id"] for f in reviewed.structured_content["findings"]] == ["FA104"]
    assert reviewed.structured_content["findings"][0]["location"]["file"] == "app/main.py"
    refused = await client.call_tool("review", {"path": "../"})
    assert refused.is_error
    outside = await client.call_tool("generate", {"spec_path": "architect.yaml", "target": "../x"})
    assert outside.is_error
    assert not (project.parent / "x").exists()
    after = await client.call_tool("explain_rule", {"rule": "FA104"})
    assert after.structured_content is not None
    assert after.structured_content["slug"] == "sql-injection"


def test_stdio_end_to_end_with_the_working_directory_as_root(project: Path):
    command = server_command()
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=project)

    async def main() -> None:
        with anyio.fail_after(TIMEOUT):
            async with Client(params) as client:
                await exercise(client, project)

    anyio.run(main)


def test_stdio_writes_nothing_but_protocol_to_stdout(
    project: Path, process_cleanup: list[subprocess.Popen[str]]
):
    process = subprocess.Popen(
        [*server_command(), "--root", str(project)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process_cleanup.append(process)
    assert process.stdin is not None
    assert process.stdout is not None
    assert process.stderr is not None
    out, err = Lines(process.stdout), Lines(process.stderr)

    def send(message: dict[str, object]) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(message) + "\n")
        process.stdin.flush()

    send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "test", "version": "0"},
            },
        }
    )
    first = json.loads(out.next() or "null")
    assert first["id"] == 1
    assert first["result"]["serverInfo"]["name"] == "fastapi-architect"
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    send({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "survey"}})
    second = json.loads(out.next() or "null")
    assert second["id"] == 2
    assert second["result"]["structuredContent"]["routes"][0]["path"] == "/api/v1/items/{name}"
    process.stdin.close()
    assert process.wait(timeout=TIMEOUT) == 0
    for line in out.rest().splitlines():
        assert json.loads(line)["jsonrpc"] == "2.0"
    assert "Traceback" not in err.rest()


def test_streamable_http_end_to_end_on_a_free_port(
    tmp_path: Path, project: Path, process_cleanup: list[subprocess.Popen[str]]
):
    process = subprocess.Popen(
        [*server_command(), "--root", str(project), "--http", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    process_cleanup.append(process)
    assert process.stderr is not None
    err = Lines(process.stderr)
    url = None
    while url is None:
        line = err.next()
        assert line is not None, f"the server stopped before listening:\n{''.join(err.seen)}"
        match = re.search(r"MCP server at (http://127\.0\.0\.1:\d+/mcp)", line)
        url = match.group(1) if match else None

    async def main() -> None:
        with anyio.fail_after(TIMEOUT):
            async with Client(url) as client:
                await exercise(client, project)

    anyio.run(main)
    process.terminate()
    process.wait(timeout=TIMEOUT)
    assert "Traceback" not in err.rest()
