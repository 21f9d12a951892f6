"""`review --fix` and `--diff`: the mechanical fixes findings carry, applied to the files or
shown as a unified diff."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect._files import write_bytes_atomic
from fastapi_architect.review.model import Edit, Finding


@dataclass(frozen=True)
class FileFix:
    """One file's fixes: its text before and after, and the findings they fix."""

    path: str
    before: bytes
    after: bytes
    fixed: tuple[Finding, ...]

    def diff(self) -> str:
        old = self.before.decode("utf-8", "replace").splitlines(keepends=True)
        new = self.after.decode("utf-8", "replace").splitlines(keepends=True)
        lines = difflib.unified_diff(old, new, f"a/{self.path}", f"b/{self.path}")
        return "".join(line if line.endswith("\n") else f"{line}\n" for line in lines)


def add_keyword(call: ast.Call, keyword: str) -> Edit | None:
    """The edit that passes `keyword` (`name=value`) to `call` after its last argument, or
    None when the call has no argument to follow (or unpacks `**kwargs`, which may hold it)."""
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    if not arguments or any(k.arg is None for k in call.keywords):
        return None
    last = max(arguments, key=lambda node: (node.end_lineno or 0, node.end_col_offset or 0))
    line, col = last.end_lineno or last.lineno, last.end_col_offset or 0
    return Edit(line, col, line, col, f", {keyword}")


def plan_fixes(root: Path, findings: Iterable[Finding]) -> list[FileFix]:
    """The fixes of the active `findings` that have edits, file by file. A finding whose
    edits overlap another's is left for a later run."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.edits and not finding.suppressed:
            by_path.setdefault(finding.path, []).append(finding)
    fixes: list[FileFix] = []
    for path, found in sorted(by_path.items()):
        file = root / path if root.is_dir() else root
        before = file.read_bytes()
        after, fixed = _apply(before, sorted(found, key=lambda f: f.sort_key))
        if fixed:
            fixes.append(FileFix(path, before, after, tuple(fixed)))
    return fixes


def write_fixes(root: Path, fixes: Iterable[FileFix]) -> None:
    """Write each fixed file in place, atomically, keeping its permissions."""
    for fix in fixes:
        write_bytes_atomic(root / fix.path if root.is_dir() else root, fix.after)


def _apply(source: bytes, findings: list[Finding]) -> tuple[bytes, list[Finding]]:
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[line - 1] + col if 0 < line <= len(lines) else -1

    taken: list[tuple[int, int]] = []
    chosen: list[tuple[int, int, bytes]] = []
    fixed: list[Finding] = []
    for finding in findings:
        spans = [_span(edit, offset) for edit in finding.edits]
        if any(start < 0 or end < start for start, end, _ in spans):
            continue
        if any((s < e2 and s2 < e) or s == s2 for s, e, _ in spans for s2, e2 in taken):
            continue
        taken.extend((s, e) for s, e, _ in spans)
        chosen.extend(spans)
        fixed.append(finding)
    result = source
    for start, end, text in sorted(chosen, reverse=True):
        result = result[:start] + text + result[end:]
    return result, fixed


def _span(edit: Edit, offset: Callable[[int, int], int]) -> tuple[int, int, bytes]:
    return offset(edit.line, edit.col), offset(edit.end_line, edit.end_col), edit.text.encode()
