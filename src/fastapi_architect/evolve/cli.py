"""`diff`: a thin command-line caller of the evolve API."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

# The same exit statuses as `api-diff`.
from fastapi_architect.apidiff.cli import EXIT_FAIL, EXIT_USAGE

if TYPE_CHECKING:
    from fastapi_architect.evolve.model import Plan


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class FailOn(StrEnum):
    """What makes `diff` exit 1, from the strictest to never."""

    ANY = "any"  # any step or API change at all
    UNSAFE = "unsafe"  # a refused step, a step not safe online, or a breaking API change
    BREAKING = "breaking"  # a refused step, a step that breaks clients, or a breaking API change
    NEVER = "never"


def fails(plan: Plan, fail_on: FailOn) -> bool:
    """Whether `plan` makes `diff --fail-on fail_on` exit 1."""
    from fastapi_architect.evolve.model import Safety

    if fail_on is FailOn.NEVER:
        return False
    if fail_on is FailOn.ANY:
        return bool(plan.steps or plan.api)
    # A refusal means `generate` would stop: every level but `never` and `any` fails on it.
    if plan.refused or plan.breaking:
        return True
    if fail_on is FailOn.UNSAFE:
        return bool(plan.unsafe)
    return any(step.safety is Safety.BREAKING for step in plan.steps)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _error(message: str) -> typer.Exit:
    _stderr().print(f"error: {message}", markup=False)
    return typer.Exit(EXIT_USAGE)


def register(app: typer.Typer) -> None:
    """Add the `diff` command to the main `fastapi-architect` app."""

    @app.command("diff")
    def diff_command(
        old_spec: Annotated[
            str,
            typer.Argument(
                help="The spec before the change: a file, or git:REF:path.", show_default=False
            ),
        ],
        new_spec: Annotated[
            str,
            typer.Argument(
                help="The spec after the change: a file, or git:REF:path.", show_default=False
            ),
        ],
        output_format: Annotated[
            OutputFormat, typer.Option("--format", "-f", help="Report format.")
        ] = OutputFormat.TEXT,
        fail_on: Annotated[
            FailOn,
            typer.Option(
                "--fail-on",
                help="Exit 1 on: any (any step or API change), unsafe (a step not safe "
                "online, a refused step or a breaking API change), breaking (a refused step "
                "or a breaking API change), never.",
            ),
        ] = FailOn.UNSAFE,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
        ] = None,
    ) -> None:
        """Explain a spec change: the migration steps it takes, each with its safety class,
        reason and recipe, what is refused and why, and what the API's clients see.

        Exit status: 0 nothing that --fail-on counts, 1 otherwise, 2 usage error, unreadable
        input or a spec with problems.
        """
        # Imported here so that other commands do not pay for the planner.
        from fastapi_architect.evolve.plan import plan_change
        from fastapi_architect.evolve.render import render
        from fastapi_architect.evolve.sources import SpecSourceError, read_spec_text
        from fastapi_architect.spec import SpecError

        try:
            old_text, new_text = read_spec_text(old_spec), read_spec_text(new_spec)
        except SpecSourceError as exc:
            raise _error(str(exc)) from None
        try:
            plan = plan_change(old_text, new_text, old_file=old_spec, new_file=new_spec)
        except SpecError as exc:
            console = _stderr()
            for problem in exc.problems:
                console.print(problem.render(), markup=False)
            files = sorted({problem.location.file for problem in exc.problems})
            count = len(exc.problems)
            raise _error(
                f"{count} problem{'s' if count != 1 else ''} in {', '.join(files)}: "
                "fix the spec (`fastapi-architect check`) to plan the change"
            ) from None
        except Exception as exc:  # never a traceback
            raise _error(f"diff stopped: {type(exc).__name__}: {exc}") from None
        report = render(plan, output_format.value, old=old_spec, new=new_spec)
        if output is None:
            typer.echo(report, nl=False)
        else:
            try:
                output.write_text(report, encoding="utf-8")
            except OSError as exc:
                raise _error(f"cannot write {output}: {exc.strerror or exc}") from None
        if fails(plan, fail_on):
            raise typer.Exit(EXIT_FAIL)
