"""Writing the new spec and its schema: never over an existing file without `force`, and all
or nothing (each file written beside its place and renamed into it; a failure removes what
this call made)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.init.render import SCHEMA_FILE, SPEC_FILE


class InitError(Exception):
    """Why nothing was written: a located message for the user."""


@dataclass(frozen=True)
class Written:
    spec: Path
    schema: Path
    replaced: tuple[Path, ...]


def targets(directory: Path) -> tuple[Path, Path]:
    return directory / SPEC_FILE, directory / SCHEMA_FILE


def refuse_existing(directory: Path, *, force: bool) -> None:
    """Raise InitError when `directory` cannot take the files, or would lose one without
    `force`."""
    if directory.exists() and not directory.is_dir():
        raise InitError(f"{directory}: not a directory")
    if force:
        return
    present = [path for path in targets(directory) if path.exists() or path.is_symlink()]
    if present:
        names = " and ".join(str(path) for path in present)
        verb = "exist" if len(present) > 1 else "exists"
        raise InitError(f"{names} already {verb}: nothing written (--force replaces)")


def write_spec_files(directory: Path, spec_text: str, schema_text: str, *, force: bool) -> Written:
    """Write `architect.yaml` and `architect.schema.json` into `directory` (made if missing)."""
    refuse_existing(directory, force=force)
    made: list[Path] = []
    missing = directory
    while not missing.exists():
        made.append(missing)
        missing = missing.parent
    spec_path, schema_path = targets(directory)
    replaced = tuple(path for path in (spec_path, schema_path) if path.exists())
    staged: list[tuple[Path, Path]] = []
    renamed: list[Path] = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for path, text in ((schema_path, schema_text), (spec_path, spec_text)):
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
            staged.append((Path(name), path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
        for staged_file, path in staged:
            staged_file.replace(path)
            renamed.append(path)
    except OSError as exc:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        for path in renamed:
            if path not in replaced:
                path.unlink(missing_ok=True)
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        where = exc.filename or directory
        raise InitError(f"cannot write {where}: {exc.strerror or exc}") from None
    return Written(spec_path, schema_path, replaced)
