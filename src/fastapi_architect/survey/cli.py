"""`survey`: a thin command-line caller of the survey API."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


class SurveyFormat(StrEnum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add the `survey` command to the main `fastapi-architect` app."""

    @app.command("survey")
    def survey_command(
        path: Annotated[Path, typer.Argument(help="Directory or file to survey.")],
        output_format: Annotated[
            SurveyFormat, typer.Option("--format", "-f", help="Output format.")
        ] = SurveyFormat.TEXT,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write to a file.")
        ] = None,
    ) -> None:
        """Show what a FastAPI codebase is: routes, models, ER diagram, layering."""
        # Imported here so that other commands do not pay for the survey machinery. The
        # settings (paths to exclude) are the `[tool.fastapi-architect]` ones review reads.
        from fastapi_architect.review.cli import emit, read_settings, without_traceback
        from fastapi_architect.survey.model import survey
        from fastapi_architect.survey.render import render_json, render_markdown, render_text

        err = Console(stderr=True)
        with without_traceback(err, "survey"):
            result = survey(path, read_settings(err, path))
            if output_format is SurveyFormat.JSON:
                emit(render_json(result), output, err)
            elif output_format is SurveyFormat.MARKDOWN:
                emit(render_markdown(result), output, err)
            elif output is not None:
                with output.open("w", encoding="utf-8") as handle:
                    render_text(result, Console(file=handle, width=160, no_color=True))
            else:
                render_text(result, Console())
