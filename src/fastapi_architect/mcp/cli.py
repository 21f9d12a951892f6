"""`fastapi-architect mcp`: serve the architect over stdio (default) or streamable HTTP."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

DEFAULT_HOST = "127.0.0.1"
EXIT_USAGE = 2


class AddressError(ValueError):
    """An --http value that is not [HOST:]PORT."""


def parse_address(value: str) -> tuple[str, int]:
    """`PORT`, `HOST:PORT`, `:PORT` or `[IPv6]:PORT` to (host, port); the host defaults to
    127.0.0.1 so that nothing is exposed beyond this machine unless asked."""
    text = value.strip()
    host, port_text = DEFAULT_HOST, text
    if text.startswith("["):
        inner, bracket, rest = text[1:].partition("]")
        if not bracket or not rest.startswith(":") or not inner:
            raise AddressError(f"{value!r}: write an IPv6 host as [::1]:PORT")
        host, port_text = inner, rest[1:]
    elif ":" in text:
        head, _, port_text = text.rpartition(":")
        if ":" in head:
            raise AddressError(f"{value!r}: write an IPv6 host in brackets, as [::1]:PORT")
        host = head or DEFAULT_HOST
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise AddressError(f"{value!r}: the port must be a number from 0 to 65535")
    return host, int(port_text)


def _fail(message: str) -> typer.Exit:
    print(f"error: {message}", file=sys.stderr)
    return typer.Exit(EXIT_USAGE)


def mcp(
    root: Annotated[
        Path,
        typer.Option(
            "--root",
            help="The directory tools may read and write under; nothing outside it is touched.",
        ),
    ] = Path(),
    http: Annotated[
        str | None,
        typer.Option(
            "--http",
            metavar="[HOST:]PORT",
            help="Serve streamable HTTP at http://HOST:PORT/mcp (host 127.0.0.1 by default) "
            "instead of stdio.",
        ),
    ] = None,
) -> None:
    """Serve the architect to AI coding agents over MCP: stdio by default (stdout carries
    only the protocol; logs go to stderr), or streamable HTTP with --http."""
    from fastapi_architect.mcp.server import build_server, serve_http, serve_stdio

    try:
        address = parse_address(http) if http is not None else None
    except AddressError as exc:
        raise _fail(f"--http {exc}") from None
    if not root.is_dir():
        raise _fail(f"--root {root}: not a directory")
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="fastapi-architect mcp: %(message)s"
    )
    server = build_server(root)
    try:
        if address is None:
            serve_stdio(server)
            return
        host, port = address
        if host not in {"127.0.0.1", "localhost", "::1"}:
            print(
                f"warning: serving on {host}, reachable from other machines, without "
                "authentication",
                file=sys.stderr,
            )
        url_root = root.resolve()

        def announce(url: str) -> None:
            print(
                f"fastapi-architect MCP server at {url} (root {url_root})",
                file=sys.stderr,
                flush=True,
            )

        serve_http(server, host, port, announce)
    except KeyboardInterrupt:
        return
    except OSError as exc:
        raise _fail(f"cannot serve: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    """Add the `mcp` command to the `fastapi-architect` command line."""
    app.command("mcp")(mcp)
