"""The human report: findings grouped by file, each with its source line and fix."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from fastapi_architect.review.model import Finding, ReviewResult, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _source_line(base: Path, finding: Finding, cache: dict[str, list[str]]) -> str | None:
    if finding.path not in cache:
        try:
            cache[finding.path] = (base / finding.path).read_text(errors="replace").splitlines()
        except OSError:
            cache[finding.path] = []
    lines = cache[finding.path]
    return lines[finding.line - 1] if 0 < finding.line <= len(lines) else None


def render_text(result: ReviewResult, console: Console, *, show_suppressed: bool = False) -> None:
    """Print the review for a person reading a terminal."""
    root = Path(result.root)
    base = root.parent if root.is_file() else root
    sources: dict[str, list[str]] = {}
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.active:
        by_file[finding.path].append(finding)
    for path in sorted(by_file):
        console.print(f"[bold underline]{escape(path)}[/]")
        for f in by_file[path]:
            cwe = f" CWE-{f.cwe}" if f.cwe else ""
            console.print(
                f"  {f.line}:{f.col}  [{_STYLE[f.severity]}]{f.severity.value}[/]  "
                f"[bold]{f.rule_id}[/] {f.slug}  {escape(f.message)} "
                f"[dim]({f.confidence.value} confidence{cwe})[/]"
            )
            line = _source_line(base, f, sources)
            if line is not None:
                stripped = line.lstrip()
                indent = len(line) - len(stripped)
                width = f.end_col - f.col if f.end_line == f.line and f.end_col > f.col else 1
                console.print(f"      [dim]{escape(stripped.rstrip())}[/]", highlight=False)
                console.print(f"      {' ' * max(0, f.col - 1 - indent)}[red]{'^' * width}[/]")
            applies = " (`--fix` applies it)" if f.edits else ""
            console.print(f"      [green]fix:[/] {escape(f.fix)}{applies}")
        console.print()
    suppressed = result.suppressed
    if suppressed and show_suppressed:
        console.print("[bold]Suppressed[/]")
        for f in suppressed:
            console.print(
                f"  {escape(f.path)}:{f.line}  {f.rule_id} {f.slug}  "
                f"[dim]{escape(f.suppression_reason or 'no reason given')}[/]"
            )
        console.print()
    for error in result.errors:
        console.print(
            f"[magenta]skipped[/] {escape(error.path)}:{error.line}:{error.col}  "
            f"{escape(error.message)}"
        )
    active = result.active
    counts = {s: sum(1 for f in active if f.severity is s) for s in Severity}
    summary = (
        f"{len(active)} finding(s): {counts[Severity.ERROR]} error, "
        f"{counts[Severity.WARNING]} warning, {counts[Severity.INFO]} info "
        f"in {result.files} file(s)"
    )
    if suppressed:
        summary += f"; {len(suppressed)} suppressed"
    if result.errors:
        summary += f"; {len(result.errors)} file(s) skipped"
    if result.cached_files:
        summary += f"; {result.cached_files} from cache"
    console.print(f"[bold]{summary}[/]")
