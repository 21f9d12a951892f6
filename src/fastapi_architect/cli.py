"""The `fastapi-architect` command line: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from fastapi_architect import __version__
from fastapi_architect._files import write_text_atomic
from fastapi_architect._terminal import shows_progress
from fastapi_architect.apidiff.cli import register as register_api_diff
from fastapi_architect.design.cli import register as register_design
from fastapi_architect.evolve.cli import register as register_diff
from fastapi_architect.init.cli import register as register_init
from fastapi_architect.mcp.cli import register as register_mcp
from fastapi_architect.review.cli import register as register_review
from fastapi_architect.review.cli import register_rules
from fastapi_architect.survey.cli import register as register_survey

if TYPE_CHECKING:
    from fastapi_architect.generate import WriteReport
    from fastapi_architect.spec import CheckResult, ResolvedSpec

app = typer.Typer(
    name="fastapi-architect",
    help="The backend architect for FastAPI: check specs, design, generate, review and evolve.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def _console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def _usage_error(message: str) -> typer.Exit:
    _console(stderr=True).print(f"error: {message}", markup=False)
    return typer.Exit(EXIT_USAGE)


def _version(value: bool) -> None:
    if value:
        print(f"fastapi-architect {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """The backend architect for FastAPI."""


@app.command()
def check(
    spec: Annotated[Path, typer.Argument(help="The spec file (YAML or JSON).")],
    output: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.text
    ),
) -> None:
    """Check a spec: report every problem with its location, or summarise the resolved spec.

    Exit status: 0 valid, 1 problems, 2 usage error (missing or unreadable file).
    """
    from fastapi_architect.spec import check_file

    try:
        result = check_file(spec)
    except OSError as exc:
        raise _usage_error(f"cannot read spec {spec}: {exc.strerror or exc}") from None
    if output is OutputFormat.json:
        print(result.model_dump_json(indent=2))
    else:
        _print_check(result)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


def _print_check(result: CheckResult) -> None:
    console = _console()
    if result.spec is None or result.problems:
        for problem in result.problems:
            console.print(problem.render(), markup=False)
        count = len(result.problems)
        console.print(
            f"\n{count} problem{'s' if count != 1 else ''} in {result.file}", markup=False
        )
        return
    spec = result.spec
    console.print(f"{result.file}: valid", markup=False)
    _print_summary(console, spec)
    if spec.open_questions:
        console.print("\nOpen questions (the default taken):", markup=False)
        for question in spec.open_questions:
            console.print(f"  {question.location}: {question.render()}", markup=False)


def _print_summary(console: Console, spec: ResolvedSpec) -> None:
    from fastapi_architect.spec.model import ACTIONS

    auth = spec.auth.mode + (f", roles {', '.join(spec.auth.roles)}" if spec.auth.enabled else "")
    console.print(
        f"{spec.project.title} ({spec.project.name} {spec.project.version}): {auth} auth, "
        f"{spec.api.ids} ids, prefix {spec.api.prefix or '/'}, {spec.database.engine}",
        markup=False,
    )
    width = max(len(resource.name) for resource in spec.resources)
    for resource in spec.resources:
        flags = [
            name
            for name, on in (
                ("owned", resource.owned),
                ("soft delete", resource.soft_delete),
                ("audit", resource.audit),
                ("built-in", resource.builtin),
            )
            if on
        ]
        table = next(t for t in spec.tables if t.name == resource.table)
        pad = " " * (width + 4)
        console.print(
            f"  {resource.name:<{width}}  {spec.api.prefix}{resource.path}  table {table.name} "
            f"({len(table.columns)} columns)" + (f"  [{', '.join(flags)}]" if flags else ""),
            markup=False,
        )
        if resource.relations:
            links = ", ".join(f"{r.name} -> {r.target} ({r.kind})" for r in resource.relations)
            console.print(f"{pad}relations: {links}", markup=False)
        access = ", ".join(
            f"{action} {'/'.join(resource.access.for_action(action)) or 'nobody'}"
            for action in ACTIONS
        )
        console.print(f"{pad}access: {access}", markup=False)
        if resource.ai:
            actions = ", ".join(
                f"{a.name} ({'streamed' if a.streamed else 'structured'})" for a in resource.ai
            )
            console.print(f"{pad}ai: {actions}", markup=False)
    indexes = sum(len(t.indexes) for t in spec.tables)
    keys = sum(len(t.foreign_keys) for t in spec.tables)
    checks = sum(len(t.checks) for t in spec.tables)
    console.print(
        f"{len(spec.tables)} tables ({', '.join(t.name for t in spec.tables)}), "
        f"{indexes} indexes, {keys} foreign keys, {checks} check constraints",
        markup=False,
    )


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of the spec format (for editor completion and validation)."""
    from fastapi_architect.spec import spec_json_schema

    text = json.dumps(spec_json_schema(), indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise _usage_error(f"cannot write {output}: {exc.strerror or exc}") from None


def _checked_spec(spec: Path) -> tuple[ResolvedSpec, str]:
    """The resolved spec and its text, or exit 1 (problems) / 2 (unreadable)."""
    from fastapi_architect.spec import check_file

    try:
        result = check_file(spec)
        text = spec.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _usage_error(
            f"cannot read spec {spec}: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    if result.spec is None or result.problems:
        _print_check(result)
        raise typer.Exit(EXIT_PROBLEMS)
    return result.spec, text


def _write(spec: ResolvedSpec, text: str, target: Path, *, force: bool) -> WriteReport:
    from fastapi_architect.generate import GenerateError, UnsupportedSpecError, generate_project

    try:
        return generate_project(spec, text, target, force=force)
    except UnsupportedSpecError as exc:
        _console(stderr=True).print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except GenerateError as exc:
        raise _usage_error(str(exc)) from None
    except OSError as exc:
        raise _usage_error(f"cannot write {target}: {exc.strerror or exc}") from None


def _print_report(report: WriteReport, shown: Path | None = None) -> None:
    from fastapi_architect.generate import NEW_SUFFIX

    console = _console()
    console.print(
        f"{shown or report.root}: {len(report.written)} written, {len(report.merged)} merged, "
        f"{len(report.unchanged)} unchanged, {len(report.kept)} kept, "
        f"{len(report.conflicted)} with conflicts",
        markup=False,
    )
    for relative in report.merged:
        console.print(f"  merged {relative} (your edits kept)", markup=False)
    for relative in report.deleted:
        console.print(f"  left deleted {relative} (deleted by hand)", markup=False)
    for relative in report.removed:
        console.print(f"  removed {relative} (no longer generated)", markup=False)
    for relative in report.stale:
        console.print(
            f"  stale {relative}: no longer generated, but edited by hand, so kept; remove it "
            "or fold your edits into the new files",
            markup=False,
        )
    for relative in report.kept:
        console.print(
            f"  kept {relative} (edited by hand); the new version is {relative}{NEW_SUFFIX}",
            markup=False,
        )
    for relative in report.conflicted:
        console.print(
            f"  CONFLICT {relative}: resolve the <<<<<<< ======= >>>>>>> markers", markup=False
        )


@app.command()
def new(
    spec: Annotated[Path, typer.Argument(help="The spec file (YAML or JSON).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Directory to create.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Write into a non-empty directory (hand-edited files are kept)."
        ),
    ] = False,
    install: Annotated[
        bool,
        typer.Option(
            "--install",
            help="Then create OUTPUT/.venv and install the project into it with its dev extras.",
        ),
    ] = False,
) -> None:
    """Generate a complete backend from a spec into a new directory."""
    resolved, text = _checked_spec(spec)
    report = _write(resolved, text, output, force=force)
    _print_report(report)
    if install:
        _install(output)
    _console().print(f"next: cd {output} && make test && make dev", markup=False)


def _install(project: Path) -> None:
    """Install the written project, with a spinner and pip's current step on a terminal."""
    from fastapi_architect.generate.install import InstallError, install_project

    console = _console(stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not shows_progress(console),
    )
    task = progress.add_task("installing")
    try:
        with progress:
            venv = install_project(
                project,
                on_step=lambda step: progress.update(task, description=f"installing: {step}"),
            )
    except InstallError as exc:
        console.print(f"error: {exc}", markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None
    _console().print(f"installed into {venv}", markup=False)


@app.command()
def generate(
    project: Annotated[Path, typer.Argument(help="A generated project.")] = Path(),
    spec: Annotated[
        Path | None, typer.Option("--spec", help="Spec to use instead of PROJECT/architect.yaml.")
    ] = None,
    allow_data_loss: Annotated[
        bool,
        typer.Option(
            "--allow-data-loss", help="Write steps that drop columns or tables (refused otherwise)."
        ),
    ] = False,
) -> None:
    """Bring a generated project to its spec: a spec change becomes one new migration with
    safe steps, and files edited by hand are merged with the new version."""
    from fastapi_architect.evolve.project import EvolveError, PlanRefused, evolve_project
    from fastapi_architect.evolve.render import text as plan_text
    from fastapi_architect.generate import SPEC_FILE
    from fastapi_architect.spec import SpecError

    spec_path = spec or project / SPEC_FILE
    _, text = _checked_spec(spec_path)
    try:
        report = evolve_project(project, text, str(spec_path), allow_data_loss=allow_data_loss)
    except PlanRefused as exc:
        sys.stdout.write(plan_text(exc.plan))
        _console(stderr=True).print(
            f"error: nothing written: {len(exc.plan.steps)} step(s) refused (see above)",
            markup=False,
        )
        raise typer.Exit(EXIT_PROBLEMS) from None
    except SpecError as exc:
        for problem in exc.problems:
            _console(stderr=True).print(problem.render(), markup=False)
        raise typer.Exit(EXIT_PROBLEMS) from None
    except EvolveError as exc:
        raise _usage_error(str(exc)) from None
    except OSError as exc:
        raise _usage_error(f"cannot write {project}: {exc.strerror or exc}") from None
    if report.revision:
        unsafe = len(report.plan.unsafe)
        _console().print(
            f"{report.revision}: {len(report.plan.steps)} steps, {unsafe} not safe online "
            "(`fastapi-architect diff` explains them)",
            markup=False,
        )
    _print_report(report.written, project)
    if report.written.conflicted:
        raise typer.Exit(EXIT_PROBLEMS)


# Capabilities that bring their own commands.
register_init(app)
register_design(app)
register_review(app)
register_survey(app)
register_rules(app)
register_api_diff(app)
register_diff(app)
register_mcp(app)


def main() -> None:
    app()
