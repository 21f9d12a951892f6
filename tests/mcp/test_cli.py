"""The `mcp` command's options: --http addresses, --root, and usage errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fastapi_architect.mcp.cli import AddressError, parse_address, register


def mcp_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("other")
    def other() -> None:
        """Keep `mcp` a subcommand, as in the main command line."""

    return app


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8000", ("127.0.0.1", 8000)),
        (":8000", ("127.0.0.1", 8000)),
        ("0.0.0.0:9000", ("0.0.0.0", 9000)),
        ("localhost:0", ("localhost", 0)),
        ("[::1]:8000", ("::1", 8000)),
    ],
)
def test_http_addresses(value: str, expected: tuple[str, int]):
    assert parse_address(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http", "the port must be a number"),
        ("host:70000", "the port must be a number from 0 to 65535"),
        ("::1:8000", "write an IPv6 host in brackets"),
        ("[::1]8000", "write an IPv6 host as [::1]:PORT"),
    ],
)
def test_bad_http_addresses(value: str, message: str):
    with pytest.raises(AddressError, match=message.replace("[", r"\[")):
        parse_address(value)


def test_bad_http_option_is_a_usage_error():
    result = CliRunner().invoke(mcp_app(), ["mcp", "--http", "nope"])
    assert result.exit_code == 2
    assert "error: --http 'nope': the port must be a number" in result.output
    assert "Traceback" not in result.output


def test_missing_root_is_a_usage_error(tmp_path: Path):
    result = CliRunner().invoke(mcp_app(), ["mcp", "--root", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert f"error: --root {tmp_path / 'missing'}: not a directory" in result.output


def test_a_port_in_use_is_a_usage_error(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            mcp_app(), ["mcp", "--root", str(tmp_path), "--http", f"127.0.0.1:{port}"]
        )
    assert result.exit_code == 2
    assert "error: cannot serve: Address already in use" in result.output


def test_help_describes_both_transports():
    result = CliRunner().invoke(mcp_app(), ["mcp", "--help"])
    assert result.exit_code == 0
    assert "--root" in result.output
    assert "[HOST:]PORT" in result.output
    assert "stdio" in result.output
