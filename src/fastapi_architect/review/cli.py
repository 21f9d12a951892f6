"""`review`, `rules` and `rule`: thin command-line callers of the review API.

`fail`, `emit`, `read_settings` and `without_traceback` are shared with the `survey` command.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fastapi_architect._terminal import shows_progress
from fastapi_architect.review.config import ConfigError, ReviewConfig, load_config
from fastapi_architect.review.docs import render_rule, rule_doc
from fastapi_architect.review.engine import review, unknown_codes
from fastapi_architect.review.fix import plan_fixes, write_fixes
from fastapi_architect.review.model import Confidence, Severity
from fastapi_architect.review.report import render_json, render_sarif
from fastapi_architect.review.rule import all_rules, get_rule
from fastapi_architect.review.text import render_text


class ReviewFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NEVER = "never"


def _split(values: list[str] | None) -> tuple[str, ...] | None:
    if not values:
        return None
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


def fail(console: Console, message: str) -> typer.Exit:
    """Print `message` as an error; the exit (status 2) to raise."""
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(2)


def emit(text: str, output: Path | None, console: Console) -> None:
    """Write `text` to `output`, or to standard output when it is None."""
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(console, f"cannot write {output}: {exc.strerror or exc}") from None


def read_settings(console: Console, path: Path, config_file: Path | None = None) -> ReviewConfig:
    """The settings for `path`; a missing path or file, or a bad setting, ends the command."""
    if not path.exists():
        raise fail(console, f"{path}: no such file or directory")
    if config_file is not None and not config_file.is_file():
        raise fail(console, f"{config_file}: no such file")
    try:
        return load_config(path, config_file)
    except ConfigError as exc:
        raise fail(console, str(exc)) from None


@contextmanager
def without_traceback(console: Console, command: str) -> Iterator[None]:
    """An unexpected error ends the command with one line, never a traceback."""
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        raise fail(console, f"{command} stopped: {type(exc).__name__}: {exc}") from None


# Trees at least this large show a progress bar (on a terminal, outside CI).
PROGRESS_MIN_FILES = 100
_PHASES = {"index": "Reviewing: reading files", "rules": "Reviewing: running the rules"}


class ReviewProgress:
    """A progress bar on standard error while a large tree is reviewed; nothing when standard
    error is not a terminal (piped, redirected) or under CI (`CI` set)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.enabled = shows_progress(console)
        self._bar: Progress | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_MIN_FILES:
            return
        if self._bar is None:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("files"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.add_task(_PHASES.get(phase, phase), total=total)
            self._bar.start()
        task = self._bar.task_ids[0]
        self._bar.update(task, completed=done, description=_PHASES.get(phase, phase))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@contextmanager
def review_progress(console: Console) -> Iterator[ReviewProgress]:
    """A `ReviewProgress` on `console`, taken off the screen when the review ends."""
    progress = ReviewProgress(console)
    try:
        yield progress
    finally:
        progress.close()


def register(app: typer.Typer) -> None:
    """Add the `review` command to the main `fastapi-architect` app."""

    @app.command("review")
    def review_command(
        path: Annotated[Path, typer.Argument(help="Directory or file to review.")],
        output_format: Annotated[
            ReviewFormat, typer.Option("--format", "-f", help="Report format.")
        ] = ReviewFormat.TEXT,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report to a file.")
        ] = None,
        select: Annotated[
            list[str] | None,
            typer.Option(help="Rules to run: ids, slugs or id prefixes (FA1), comma-separated."),
        ] = None,
        ignore: Annotated[
            list[str] | None, typer.Option(help="Rules to skip: ids, slugs or prefixes.")
        ] = None,
        exclude: Annotated[
            list[str] | None, typer.Option(help="Glob of paths to skip (repeatable).")
        ] = None,
        fail_on: Annotated[
            FailOn | None,
            typer.Option(help="Exit 1 when a finding is at or above this severity."),
        ] = None,
        min_confidence: Annotated[
            Confidence | None, typer.Option(help="Hide findings below this confidence.")
        ] = None,
        show_suppressed: Annotated[
            bool, typer.Option(help="List suppressed findings with their reasons.")
        ] = False,
        no_cache: Annotated[
            bool, typer.Option("--no-cache", help="Do not read or write the cache.")
        ] = False,
        cache_dir: Annotated[Path | None, typer.Option(help="Where to keep the cache.")] = None,
        jobs: Annotated[int, typer.Option(help="Worker processes (0: one per CPU).", min=0)] = 0,
        config_file: Annotated[
            Path | None, typer.Option("--config", help="pyproject.toml to read settings from.")
        ] = None,
        fix: Annotated[
            bool,
            typer.Option(
                "--fix", help="Apply the mechanical fixes findings carry, then report the rest."
            ),
        ] = False,
        diff: Annotated[
            bool,
            typer.Option(
                "--diff", help="Print the fixes as a unified diff instead; exit 1 if there are any."
            ),
        ] = False,
    ) -> None:
        """Review a FastAPI codebase against the backend checklist (statically)."""
        err = Console(stderr=True)
        with without_traceback(err, "review"):
            config = read_settings(err, path, config_file)
            select_codes, ignore_codes = _split(select), _split(ignore)
            bad = unknown_codes(
                [*(select_codes or ()), *(ignore_codes or ()), *config.select, *config.ignore]
            )
            if bad:
                raise fail(err, f"unknown rule(s): {', '.join(bad)}; see `fastapi-architect rules`")
            config = config.merged(
                select=select_codes,
                ignore=ignore_codes,
                exclude=(*config.exclude, *(exclude or ())) if exclude else None,
                min_confidence=min_confidence,
                cache=False if no_cache else None,
                cache_dir=cache_dir,
                jobs=jobs,
            )
            with review_progress(err) as progress:
                result = review(path, config, progress=progress)
            if diff or fix:
                fixes = plan_fixes(path, result.active)
                count = sum(len(f.fixed) for f in fixes)
                if diff:
                    sys.stdout.write("".join(f.diff() for f in fixes))
                    err.print(f"{count} finding(s) would be fixed in {len(fixes)} file(s)")
                    raise typer.Exit(1 if fixes else 0)
                write_fixes(path, fixes)
                err.print(f"fixed {count} finding(s) in {len(fixes)} file(s)")
                if fixes:
                    result = review(path, config)
            if output_format is ReviewFormat.JSON:
                emit(render_json(result), output, err)
            elif output_format is ReviewFormat.SARIF:
                emit(render_sarif(result), output, err)
            elif output is not None:
                with output.open("w", encoding="utf-8") as handle:
                    render_text(
                        result,
                        Console(file=handle, width=120, no_color=True),
                        show_suppressed=show_suppressed,
                    )
            else:
                render_text(
                    result,
                    Console(highlight=False, soft_wrap=True),
                    show_suppressed=show_suppressed,
                )
            threshold = fail_on.value if fail_on is not None else config.fail_on.value
            if threshold != FailOn.NEVER and result.fails(Severity(threshold)):
                raise typer.Exit(1)


def register_rules(app: typer.Typer) -> None:
    """Add the `rules` and `rule` commands to the main `fastapi-architect` app."""

    @app.command("rules")
    def rules_command(
        as_json: Annotated[bool, typer.Option("--json", help="List as JSON.")] = False,
    ) -> None:
        """List the review rules."""
        rules = all_rules()
        if as_json:
            data = [
                {
                    "id": r.id,
                    "slug": r.slug,
                    "severity": r.severity.value,
                    "confidence": r.confidence.value,
                    "cwe": r.cwe,
                    "summary": rule_doc(r).summary,
                }
                for r in rules
            ]
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
            return
        table = Table(title=f"{len(rules)} rules")
        for col in ("Id", "Slug", "Severity", "Confidence", "What it catches"):
            table.add_column(col)
        for r in rules:
            table.add_row(r.id, r.slug, r.severity.value, r.confidence.value, rule_doc(r).summary)
        Console().print(table)

    @app.command("rule")
    def rule_command(
        code: Annotated[str, typer.Argument(help="Rule id (FA104) or slug (sql-injection).")],
    ) -> None:
        """Print one rule's documentation: what, why, example, fix."""
        rule = get_rule(code)
        if rule is None:
            raise fail(Console(stderr=True), f"no rule {code!r}; see `fastapi-architect rules`")
        Console().print(Markdown(render_rule(rule, heading="#")))
