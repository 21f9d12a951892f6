"""Writing a generated project: formatted in a temporary folder, then moved into place,
so that a failure leaves nothing behind and hand edits are never overwritten."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

LOCK_FILE = "architect.lock.json"
# A regenerated file whose old version was edited by hand lands beside it with this suffix.
NEW_SUFFIX = ".architect-new"


class GenerateError(Exception):
    """The project cannot be written where it was asked to be."""


@dataclass
class WriteReport:
    """What writing a project did."""

    root: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Files edited by hand since they were generated: kept, with the new version beside.
    kept: list[str] = field(default_factory=list)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def format_tree(root: Path) -> None:
    """Sort imports, drop unused ones and format, with the project's own ruff settings."""
    ruff = find_ruff_bin()
    for command in (
        [ruff, "check", "--fix-only", "--select", "I,F401,UP", "--exit-zero", "--quiet", "."],
        [ruff, "format", "--quiet", "."],
    ):
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise GenerateError(f"formatting failed: {completed.stderr.strip()}")


def formatted(files: dict[str, str]) -> dict[str, str]:
    """The files after formatting (done in a scratch folder that is always removed)."""
    with tempfile.TemporaryDirectory(prefix="fastapi-architect-") as scratch:
        root = Path(scratch)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        format_tree(root)
        return {relative: (root / relative).read_text(encoding="utf-8") for relative in files}


def _is_empty(directory: Path) -> bool:
    return not any(directory.iterdir())


def write_project(
    target: Path, files: dict[str, str], lock: Mapping[str, object], *, force: bool
) -> WriteReport:
    """Write `files` (already formatted) and the lock file under `target`."""
    target = target.resolve()
    if target.exists() and not target.is_dir():
        raise GenerateError(f"{target} exists and is not a directory")
    hashes = {relative: digest(text) for relative, text in files.items()}
    lock_text = json.dumps({**lock, "files": dict(sorted(hashes.items()))}, indent=2) + "\n"
    if not target.exists() or _is_empty(target):
        return _write_fresh(target, {**files, LOCK_FILE: lock_text})
    if not force:
        raise GenerateError(
            f"{target} is not empty; pass --force to regenerate into it (files edited by "
            f"hand are kept, with the new version beside them as *{NEW_SUFFIX})"
        )
    return _regenerate(target, files, lock_text)


def _write_fresh(target: Path, files: dict[str, str]) -> WriteReport:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    moved: list[Path] = []
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if not target.exists():
            staging.rename(target)
            return WriteReport(root=target, written=sorted(files))
        # An existing empty directory keeps its identity: its new entries move into it.
        for entry in sorted(staging.iterdir()):
            destination = target / entry.name
            entry.rename(destination)
            moved.append(destination)
        staging.rmdir()
    except BaseException:
        for destination in moved:
            if destination.is_dir():
                shutil.rmtree(destination, ignore_errors=True)
            else:
                destination.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(root=target, written=sorted(files))


def _regenerate(target: Path, files: dict[str, str], lock_text: str) -> WriteReport:
    previous: dict[str, str] = {}
    lock_path = target / LOCK_FILE
    if lock_path.is_file():
        try:
            recorded = json.loads(lock_path.read_text(encoding="utf-8")).get("files", {})
            previous = {str(k): str(v) for k, v in recorded.items()}
        except (ValueError, AttributeError):
            previous = {}
    report = WriteReport(root=target)
    plan: dict[Path, str] = {}
    for relative, text in sorted(files.items()):
        path = target / relative
        if not path.resolve().is_relative_to(target):
            raise GenerateError(f"{path} leads outside {target} (a symbolic link?); not writing")
        if not path.exists():
            plan[path] = text
            report.written.append(relative)
            continue
        current = digest(path.read_text(encoding="utf-8", errors="replace"))
        if current == digest(text):
            report.unchanged.append(relative)
        elif previous.get(relative) == current:
            plan[path] = text
            report.written.append(relative)
        else:
            plan[path.with_name(path.name + NEW_SUFFIX)] = text
            report.kept.append(relative)
    plan[lock_path] = lock_text
    # Every file is staged beside its destination first, then all are renamed into place.
    staged: list[tuple[Path, Path]] = []
    try:
        for destination, text in plan.items():
            destination.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            staged.append((Path(name), destination))
        for temporary, destination in staged:
            temporary.replace(destination)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    return report
