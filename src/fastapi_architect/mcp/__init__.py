"""The architect as an MCP server, so AI coding agents can check, design, generate, review
and survey with it."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    # Imported on first use: importing the package for one command stays cheap.
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
