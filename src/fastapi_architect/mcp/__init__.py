"""The architect as an MCP server, so AI coding agents can check, review and survey with it."""

from fastapi_architect.mcp.paths import OutsideRootError, Root, ToolUsageError
from fastapi_architect.mcp.server import build_server, serve_http, serve_stdio

__all__ = [
    "OutsideRootError",
    "Root",
    "ToolUsageError",
    "build_server",
    "serve_http",
    "serve_stdio",
]
