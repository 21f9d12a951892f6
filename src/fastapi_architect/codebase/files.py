"""Finding the Python files of a tree and reading their text."""

from __future__ import annotations

import fnmatch
import io
import os
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.codebase.facts import ParseError

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
        ".eggs",
        "build",
        "dist",
    }
)


def _is_alembic(directory: Path) -> bool:
    return (directory / "env.py").is_file() and (directory / "versions").is_dir()


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    parts = rel.split("/")
    for pattern in patterns:
        clean = pattern.strip("/")
        if fnmatch.fnmatch(rel, clean) or fnmatch.fnmatch(rel, f"{clean}/*"):
            return True
        if any(fnmatch.fnmatch(part, clean) for part in parts):
            return True
    return False


def discover(root: Path, exclude: Sequence[str] = ()) -> list[Path]:
    """Python files under `root`, skipping virtualenvs, caches and Alembic folders."""
    if root.is_file():
        return [root]
    found: list[Path] = []
    for current, dirs, files in os.walk(root):
        here = Path(current)
        rel_dir = here.relative_to(root).as_posix()
        keep = []
        for name in sorted(dirs):
            child = "" if rel_dir == "." else f"{rel_dir}/"
            if name in SKIP_DIRS or name.endswith(".egg-info"):
                continue
            if _excluded(f"{child}{name}", exclude):
                continue
            if _is_alembic(here / name):
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if not _excluded(rel, exclude):
                found.append(here / name)
    return found


def decode(data: bytes) -> str:
    """Source bytes to text, honouring a PEP 263 coding line and a BOM."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)


@dataclass(frozen=True, slots=True)
class SourceTree:
    """The text of every Python file under a path, keyed by its `/`-separated path relative
    to `base` (the path itself, or its folder when it is a file), and the files that could
    not be read."""

    base: Path
    sources: dict[str, str]
    errors: tuple[ParseError, ...]


def read_tree(path: Path | str, exclude: Sequence[str] = ()) -> SourceTree:
    """Read the Python files under `path` (a directory or one file)."""
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such file or directory")
    base = root.parent if root.is_file() else root
    sources: dict[str, str] = {}
    errors: list[ParseError] = []
    for file in discover(root, exclude):
        rel = file.relative_to(base).as_posix()
        try:
            sources[rel] = decode(file.read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
            errors.append(ParseError(rel, 1, 1, f"cannot read: {exc}"))
    return SourceTree(base, sources, tuple(errors))
