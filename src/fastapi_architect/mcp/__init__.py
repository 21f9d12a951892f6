"""The architect as an MCP server, so AI coding agents can check, design, generate, review
and survey with it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "OutsideRootError": "fastapi_architect.mcp.paths",
    "Root": "fastapi_architect.mcp.paths",
    "ToolUsageError": "fastapi_architect.mcp.paths",
    "build_server": "fastapi_architect.mcp.server",
    "serve_http": "fastapi_architect.mcp.server",
    "serve_stdio": "fastapi_architect.mcp.server",
}

__all__ = [
    "OutsideRootError",
    "Root",
    "ToolUsageError",
    "build_server",
    "serve_http",
    "serve_stdio",
]

if TYPE_CHECKING:
    from fastapi_architect.mcp.paths import OutsideRootError, Root, ToolUsageError
    from fastapi_architect.mcp.server import build_server, serve_http, serve_stdio


__getattr__ = lazy_exports(__name__, _EXPORTS)
