"""The `fastapi-architect` command line: a thin layer over the Python API."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="fastapi-architect",
    help="The backend architect for FastAPI: check specs, design, generate, review and evolve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()
