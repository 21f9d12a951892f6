"""Where a spec comes from: a file, or a file at a git revision (`git:REF:path`, read from the
repository of the current directory), with the same syntax as `api-diff`'s sources."""

from __future__ import annotations

from pathlib import Path

from fastapi_architect.apidiff.load import ApiDiffInputError

# The git plumbing is api-diff's; this module adds reading a file's text (not an OpenAPI
# document with its $ref'd files) on top of it.
from fastapi_architect.apidiff.sources import GIT_PREFIX, git_output, repository_root


class SpecSourceError(Exception):
    """A spec that cannot be read; the message names the source and why."""


def read_spec_text(source: str, cwd: Path | None = None) -> str:
    """The text of the spec `source` names: a path (relative to `cwd`, by default the
    current directory) or `git:REF:path`."""
    cwd = cwd or Path.cwd()
    if source.startswith(GIT_PREFIX):
        return _git_file_text(source, cwd)
    file = cwd / source
    if not file.is_file():
        raise SpecSourceError(f"{source}: no such file")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecSourceError(f"{source}: not UTF-8 text") from None
    except OSError as exc:
        raise SpecSourceError(f"{source}: cannot read it: {exc.strerror or exc}") from None


def _git_file_text(source: str, cwd: Path) -> str:
    ref, _, path = source.removeprefix(GIT_PREFIX).partition(":")
    if not ref or not path:
        raise SpecSourceError(
            f"{source}: expected git:REF:path, e.g. git:origin/main:architect.yaml"
        )
    try:
        root = repository_root(cwd)
    except ApiDiffInputError as exc:
        raise SpecSourceError(f"{source}: {exc}") from None
    try:
        # A ref git does not know gets a sentence of its own rather than `git show`'s.
        git_output(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], cwd
        )
    except ApiDiffInputError:
        raise SpecSourceError(f"{source}: no git revision {ref!r} in {root}") from None
    try:
        inside = (cwd / path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise SpecSourceError(f"{source}: {path} is outside the repository {root}") from None
    try:
        data = git_output(["show", f"{ref}:{inside}"], cwd)
    except ApiDiffInputError as exc:
        raise SpecSourceError(f"{source}: {exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecSourceError(f"{source}: not UTF-8 text") from None


__all__ = ["SpecSourceError", "read_spec_text"]
