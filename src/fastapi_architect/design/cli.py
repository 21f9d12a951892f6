"""`design`: the architecture document from a spec or from an existing codebase."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from fastapi_architect.design.model import Design
    from fastapi_architect.design.sections.change_plan import ChangePlanDesign

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class DesignFormat(StrEnum):
    MARKDOWN = "markdown"
    JSON = "json"


def _print(message: str, *, stderr: bool = False) -> None:
    Console(stderr=stderr, highlight=False, soft_wrap=True).print(message, markup=False)


def _usage(message: str) -> typer.Exit:
    _print(f"error: {message}", stderr=True)
    return typer.Exit(EXIT_USAGE)


def _from_spec(spec: Path) -> Design:
    # Imported here so that other commands do not pay for the design machinery.
    from fastapi_architect.design.document import design_from_spec
    from fastapi_architect.spec import check_file

    try:
        result = check_file(spec)
    except (OSError, UnicodeDecodeError) as exc:
        raise _usage(f"cannot read spec {spec}: {getattr(exc, 'strerror', None) or exc}") from None
    if result.spec is None or result.problems:
        for problem in result.problems:
            _print(problem.render(), stderr=True)
        count = len(result.problems)
        _print(f"\n{count} problem{'s' if count != 1 else ''} in {spec}", stderr=True)
        raise typer.Exit(EXIT_PROBLEMS)
    return design_from_spec(result.spec, str(spec))


def _change_plan(old_spec: str, spec: Path) -> ChangePlanDesign:
    """The plan from `old_spec` (a file or git:REF:path) to `spec`, which has no problems."""
    from fastapi_architect.design.sections.change_plan import change_plan_design
    from fastapi_architect.evolve.plan import plan_change
    from fastapi_architect.evolve.sources import SpecSourceError, read_spec_text
    from fastapi_architect.spec import SpecError

    try:
        old_text, new_text = read_spec_text(old_spec), read_spec_text(str(spec))
    except SpecSourceError as exc:
        raise _usage(f"cannot read the old spec: {exc}") from None
    try:
        plan = plan_change(old_text, new_text, old_file=old_spec, new_file=str(spec))
    except SpecError as exc:
        # SPEC was checked already, so these are the old spec's: reported as SPEC's would be.
        for problem in exc.problems:
            _print(problem.render(), stderr=True)
        count = len(exc.problems)
        _print(f"\n{count} problem{'s' if count != 1 else ''} in {old_spec}", stderr=True)
        raise typer.Exit(EXIT_PROBLEMS) from None
    return change_plan_design(plan, old=old_spec, new=str(spec))


def _from_code(path: Path) -> Design:
    from fastapi_architect.design.from_code import design_from_code
    from fastapi_architect.review.config import ConfigError, load_config

    if not path.exists():
        raise _usage(f"{path}: no such file or directory")
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise _usage(str(exc)) from None
    return design_from_code(path, config)


def register(app: typer.Typer) -> None:
    """Add the `design` command to the main `fastapi-architect` app."""

    @app.command("design")
    def design_command(
        spec: Annotated[
            Path | None, typer.Argument(help="The spec file (YAML or JSON).", show_default=False)
        ] = None,
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Directory to write the document into."),
        ] = None,
        output_format: Annotated[
            DesignFormat, typer.Option("--format", "-f", help="markdown (with ADRs) or json.")
        ] = DesignFormat.MARKDOWN,
        from_code: Annotated[
            Path | None,
            typer.Option("--from-code", help="Design an existing codebase instead of a spec."),
        ] = None,
        force: Annotated[
            bool, typer.Option("--force", help="Replace design files already in the directory.")
        ] = False,
        old_spec: Annotated[
            str | None,
            typer.Option(
                "--old-spec",
                metavar="OLD_SPEC",
                help="The spec before the change (a file, or git:REF:path): adds a Change "
                "plan section, the migration from it to SPEC phase by phase.",
                show_default=False,
            ),
        ] = None,
    ) -> None:
        """Write the architecture document: API contracts, database schema, services,
        security, migration plan, tests, risks, open questions and ADRs; with --old-spec,
        the plan of the change from the old spec as well.

        Exit status: 0 written, 1 spec problems, 2 usage error.
        """
        if (spec is None) == (from_code is None):
            raise _usage("give either a SPEC or --from-code PATH")
        if old_spec is not None and spec is None:
            raise _usage("--old-spec plans a change to a SPEC; it does not go with --from-code")
        if output is None:
            raise _usage("missing --output / -o DIR")
        from fastapi_architect.design.files import DesignExistsError, write_design

        change = None
        try:
            design = _from_spec(spec) if spec is not None else _from_code(from_code or Path())
            if old_spec is not None and spec is not None:
                from fastapi_architect.design.sections.change_plan import (
                    with_change_plan,
                    write_change_design,
                )

                change = _change_plan(old_spec, spec)
                written = write_change_design(
                    with_change_plan(design, change), output, output_format.value, force=force
                )
            else:
                written = write_design(design, output, output_format.value, force=force)
        except (typer.Exit, typer.Abort):
            raise
        except DesignExistsError as exc:
            raise _usage(str(exc)) from None
        except OSError as exc:
            raise _usage(f"cannot write {output}: {exc.strerror or exc}") from None
        except Exception as exc:  # never show a traceback
            raise _usage(f"design stopped: {type(exc).__name__}: {exc}") from None
        files = f"{len(written)} file{'s' if len(written) != 1 else ''}"
        plan = f"; change plan from {change.old}: {change.summary}" if change is not None else ""
        _print(
            f"{output}: {files} written ({len(design.endpoints)} endpoints, "
            f"{len(design.tables)} tables, {len(design.adrs)} ADRs){plan}"
        )
