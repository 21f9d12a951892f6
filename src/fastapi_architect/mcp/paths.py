"""Confining every path a tool touches to the server's root directory."""

from __future__ import annotations

import os
from pathlib import Path


class ToolUsageError(Exception):
    """A tool cannot do what was asked; the message tells the caller why and what to do."""


class OutsideRootError(ToolUsageError):
    """A path that lies outside the server's root, directly or through a symlink."""


class Root:
    """The directory a server may read and write under, and nothing outside it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path).resolve(strict=True)
        if not self.path.is_dir():
            raise NotADirectoryError(f"{self.path} is not a directory")

    def resolve(self, raw: str) -> Path:
        """The real path of `raw` (relative to the root, or absolute), refused unless under root.

        `..` that climbs out and symlinks that point out are both refused; the path need
        not exist yet, so writing tools can name a directory to create.
        """
        if not raw.strip():
            raise ToolUsageError("the path is empty; give a path relative to the server root")
        if "\x00" in raw:
            raise OutsideRootError("the path contains a NUL character")
        given = Path(raw).expanduser()
        joined = given if given.is_absolute() else self.path / given
        lexical = Path(os.path.normpath(joined))
        if not lexical.is_relative_to(self.path):
            raise OutsideRootError(
                f"{raw!r} is outside the server root {self.path}; "
                "give a path under the root (start the server with --root to change it)"
            )
        real = lexical.resolve(strict=False)
        if not real.is_relative_to(self.path):
            raise OutsideRootError(
                f"{raw!r} leads outside the server root {self.path} through a symbolic link "
                f"(it resolves to {real}); only paths under the root can be used"
            )
        return real

    def existing(self, raw: str) -> Path:
        """Like `resolve`, for a path that must already exist."""
        path = self.resolve(raw)
        if not path.exists():
            raise ToolUsageError(f"{raw!r}: no such file or directory under {self.path}")
        return path

    def contains(self, path: Path) -> bool:
        """True when `path`, with every symlink followed, lies under the root."""
        return path.resolve(strict=False).is_relative_to(self.path)

    def relative(self, path: Path) -> str:
        """`path` as the caller sees it: relative to the root, `/`-separated."""
        try:
            rel = path.relative_to(self.path).as_posix()
        except ValueError:
            return path.as_posix()
        return rel or "."

    def target_directory(self, raw: str, *, overwrite: bool) -> Path:
        """A directory a writing tool may fill: under the root, and empty unless `overwrite`."""
        path = self.resolve(raw)
        if path.exists() and not path.is_dir():
            raise ToolUsageError(f"{raw!r} exists and is not a directory")
        if path.is_dir() and not overwrite and any(path.iterdir()):
            raise ToolUsageError(
                f"{raw!r} is not empty; choose an empty directory, or pass overwrite=true "
                "to write into it"
            )
        return path
