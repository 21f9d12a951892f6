"""`api-diff`: a thin command-line caller of the api-diff API."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    GITHUB = "github"


class FailOn(StrEnum):
    ERR = "ERR"
    WARN = "WARN"
    INFO = "INFO"
    NEVER = "never"


def _error(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {message}", markup=False)
    return typer.Exit(EXIT_USAGE)


def register(app: typer.Typer) -> None:
    """Add the `api-diff` command to the main `fastapi-architect` app."""

    @app.command("api-diff")
    def api_diff_command(
        base: Annotated[
            str,
            typer.Argument(
                help="The base: an OpenAPI file, git:REF:path, or git:REF with --app.",
                show_default=False,
            ),
        ],
        revision: Annotated[
            str | None,
            typer.Argument(
                help="The revision: an OpenAPI file or git:REF:path; the --app as it is now "
                "when left out.",
                show_default=False,
            ),
        ] = None,
        output_format: Annotated[
            OutputFormat, typer.Option("--format", "-f", help="Report format.")
        ] = OutputFormat.TEXT,
        fail_on: Annotated[
            FailOn,
            typer.Option("--fail-on", help="Exit 1 when a change is at or above this level."),
        ] = FailOn.ERR,
        ignore: Annotated[
            Path | None,
            typer.Option("--ignore", help="A file of accepted changes, one per line."),
        ] = None,
        app_target: Annotated[
            str | None,
            typer.Option("--app", help="A FastAPI app (module:attr, or a factory) to diff."),
        ] = None,
        app_dir: Annotated[
            Path, typer.Option("--app-dir", help="The directory the app is imported from.")
        ] = Path(),
        python: Annotated[
            str | None,
            typer.Option(
                "--python", help="The interpreter with the app's dependencies (default: its .venv)."
            ),
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
        ] = None,
    ) -> None:
        """Compare two OpenAPI documents (or a FastAPI app against a git revision of itself)
        and classify every change: ERR breaks clients, WARN may, INFO is compatible.

        Exit status: 0 nothing at or above --fail-on, 1 otherwise, 2 usage error or
        unreadable input.
        """
        # Imported here so that other commands do not pay for the api-diff machinery.
        from fastapi_architect.apidiff.load import ApiDiffInputError
        from fastapi_architect.apidiff.model import Level
        from fastapi_architect.apidiff.render import render
        from fastapi_architect.apidiff.sources import AppSpec, api_diff, default_python

        app_spec = None
        if app_target is not None:
            if not app_dir.is_dir():
                raise _error(f"--app-dir {app_dir}: no such directory")
            app_spec = AppSpec(app_target, app_dir, python or default_python(app_dir))
        try:
            report = api_diff(base, revision, app=app_spec, ignore=ignore)
        except ApiDiffInputError as exc:
            raise _error(str(exc)) from None
        except Exception as exc:  # never a traceback
            raise _error(f"api-diff stopped: {type(exc).__name__}: {exc}") from None
        text = render(report, output_format.value)
        if output is None:
            typer.echo(text, nl=False)
        else:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise _error(f"cannot write {output}: {exc.strerror or exc}") from None
        if fail_on is not FailOn.NEVER and report.at_least(Level[fail_on.value]):
            raise typer.Exit(EXIT_FAIL)
