"""The taskflow backend's MCP endpoint served for real: uvicorn on PostgreSQL, driven by the
official MCP client over Streamable HTTP with two users' tokens (one worker keeping sessions,
then two stateless workers)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import psycopg
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

from fastapi_architect import load_spec
from fastapi_architect.spec.tools import mcp_tools
from tests.conftest import EXAMPLES, served_project

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("generated-backends")]

API = "/api/v1"
PASSWORD = "a long enough password"


def serve(venv: Path, project: Path, database_url: str, *, workers: int) -> Iterator[str]:
    """The project served by uvicorn on a free port; its base URL until the caller is done."""
    env = {
        "APP_ENV": "production",
        "JWT_SECRET": "a-production-secret-of-at-least-32-characters",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "MCP_STATELESS": "true" if workers > 1 else "false",
    }
    yield from served_project(venv, project, env, workers=workers)


@pytest.fixture
def one_worker(venv: Path, projects: dict[str, Path], postgres_url: str) -> Iterator[str]:
    yield from serve(venv, projects["taskflow"], postgres_url, workers=1)


@pytest.fixture
def two_stateless_workers(
    venv: Path, projects: dict[str, Path], postgres_url: str
) -> Iterator[str]:
    yield from serve(venv, projects["taskflow"], postgres_url, workers=2)


def account(base: str, email: str, database_url: str, role: str = "user") -> dict[str, str]:
    """A registered account (its role set in the database, as an administrator would): its
    id and bearer header."""
    with httpx.Client(base_url=base + API, timeout=10) as client:
        credentials = {"email": email, "password": PASSWORD}
        registered = client.post("/auth/register", json=credentials)
        assert registered.status_code == 201, registered.text
        if role != "user":
            with psycopg.connect(database_url, autocommit=True) as connection:
                connection.execute("UPDATE users SET role = %s WHERE email = %s", (role, email))
        token = client.post("/auth/login", json=credentials).json()["access_token"]
    return {"id": registered.json()["data"]["id"], "Authorization": f"Bearer {token}"}


def data(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    return result.structured_content


def error_code(result: CallToolResult) -> str:
    """The code of the REST error envelope a refused call carries after the tool's name."""
    assert result.is_error
    content = result.content[0]
    assert isinstance(content, TextContent)
    return str(json.loads(content.text.partition(": ")[2])["error"]["code"])


async def drive(base: str, database_url: str, mode: Any) -> None:
    """Two users' agents and an administrator's: tools offered, rows kept apart, changes
    audited as made through MCP."""
    alice = account(base, f"alice-{mode}@example.com", database_url)
    bob = account(base, f"bob-{mode}@example.com", database_url)
    admin = account(base, f"admin-{mode}@example.com", database_url, role="admin")
    spec = load_spec(EXAMPLES / "taskflow.yaml")
    every_tool = sorted(tool.name for tool in mcp_tools(spec))

    async with AsyncExitStack() as stack:
        alices, bobs = [
            await stack.enter_async_context(
                Client(
                    streamable_http_client(
                        f"{base}/mcp",
                        http_client=await stack.enter_async_context(
                            httpx2.AsyncClient(headers={"Authorization": who["Authorization"]})
                        ),
                    ),
                    mode=mode,
                )
            )
            for who in (alice, bob)
        ]
        for agent in (alices, bobs):
            assert sorted(tool.name for tool in (await agent.list_tools()).tools) == every_tool
        created = [
            data(await alices.call_tool("create_task", {"data": {"title": f"task {n}"}}))
            for n in range(3)
        ]
        mine = data(await alices.call_tool("list_tasks", {"query": {"limit": 10}}))
        assert {row["id"] for row in mine["data"]} == {row["id"] for row in created}
        assert data(await bobs.call_tool("list_tasks", {}))["data"] == []
        target = created[0]["id"]
        for name, arguments in (
            ("get_task", {"id": target}),
            ("update_task", {"id": target, "changes": {"title": "mine now"}}),
            ("delete_task", {"id": target}),
        ):
            assert error_code(await bobs.call_tool(name, arguments)) == "not_found"
        changed = {"id": target, "changes": {"status": "done"}}
        assert data(await alices.call_tool("update_task", changed))["status"] == "done"
    with httpx.Client(base_url=base + API, timeout=10) as client:
        refused = client.post(f"{base}/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "ping"})
        assert refused.status_code == 401
        assert "resource_metadata=" in refused.headers["www-authenticate"]
        entries = client.get(
            "/audit-log",
            params={"resource": "Task", "resource_id": target},
            headers={"Authorization": admin["Authorization"]},
        ).json()["data"]
    assert [(e["action"], e["channel"], e["actor_id"]) for e in entries] == [
        ("update", "mcp", alice["id"]),
        ("create", "mcp", alice["id"]),
    ]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_one_worker_serves_two_users_agents(one_worker: str, postgres_url: str, mode: str) -> None:
    anyio.run(drive, one_worker, postgres_url, mode)


def test_two_stateless_workers_serve_two_users_agents(
    two_stateless_workers: str, postgres_url: str
) -> None:
    # The handshake, then each call in its own request: any worker may answer any of them.
    anyio.run(drive, two_stateless_workers, postgres_url, "legacy")
