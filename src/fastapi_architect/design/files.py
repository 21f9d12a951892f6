"""Writing a design to a directory: all files or none, and never over existing ones unasked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi_architect.design.markdown import design_files
from fastapi_architect.design.model import Design


class DesignExistsError(FileExistsError):
    """The output directory already holds design files, and overwriting was not asked for."""

    def __init__(self, existing: list[Path]) -> None:
        self.existing = existing
        names = ", ".join(str(path) for path in existing[:3])
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        super().__init__(f"would overwrite {names}{more}; pass --force to replace them")


def write_design(
    design: Design, output: Path | str, output_format: str = "markdown", *, force: bool = False
) -> list[Path]:
    """Write the design's files under `output`; returns their paths."""
    return write_files(design_files(design, output_format), output, force=force)


def write_files(files: dict[str, str], output: Path | str, *, force: bool = False) -> list[Path]:
    """Write `files` ({relative path: text}) under `output`; returns their paths.

    Every file is written to a temporary file first and renamed into place only when all
    were written, so a failure leaves the directory as it was."""
    root = Path(output)
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    targets = {root / relative: text for relative, text in files.items()}
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise DesignExistsError(existing)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((Path(name), path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
        for staged_file, path in staged:
            staged_file.replace(path)
    except BaseException:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        raise
    return list(targets)
