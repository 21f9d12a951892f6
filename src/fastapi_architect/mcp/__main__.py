"""`python -m fastapi_architect.mcp`: the same server as `fastapi-architect mcp`."""

import typer

from fastapi_architect.mcp.cli import register

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
register(app)

if __name__ == "__main__":
    app(prog_name="fastapi-architect mcp")
