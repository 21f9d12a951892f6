"""Where the two documents come from: a file, a file at a git revision (`git:REF:path`), or a
FastAPI application imported in a subprocess (`--app module:attr`), now or at a git revision
(`git:REF`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.apidiff.load import (
    ApiDiffInputError,
    Document,
    load_document,
    parse_document,
)
from fastapi_architect.apidiff.model import Report

GIT_PREFIX = "git:"
APP_TARGET = re.compile(r"[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?")
# Long enough for an app that builds a large schema; short enough that a hung import ends.
APP_TIMEOUT_SECONDS = 120

# Imports the app with its directory first on the path and prints its OpenAPI document. A
# factory (a callable that is not itself an app) is called without arguments.
_EXTRACT = """
import json, sys
sys.path.insert(0, sys.argv[1])
module_name, _, attribute = sys.argv[2].partition(":")
import importlib
target = importlib.import_module(module_name)
for part in (attribute or "app").split("."):
    target = getattr(target, part)
if not hasattr(target, "openapi") and callable(target):
    target = target()
with open(sys.argv[3], "w", encoding="utf-8") as out:
    json.dump(target.openapi(), out)
"""


@dataclass(frozen=True)
class AppSpec:
    """A FastAPI application to take the document from."""

    target: str  # module:attr
    directory: Path  # the directory its module is imported from
    python: str  # the interpreter that has the app's dependencies


def default_python(directory: Path) -> str:
    """The app's own virtualenv when it has one beside it, else this interpreter."""
    for candidate in (directory / ".venv", *(p / ".venv" for p in directory.resolve().parents)):
        python = candidate / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
        if python.exists():
            return str(python)
    return sys.executable


def read_source(source: str | None, app: AppSpec | None, cwd: Path | None = None) -> Document:
    """The document `source` names (relative to `cwd`, by default the current directory);
    with `app`, `None` is the app as it is now and `git:REF` the app at that revision."""
    cwd = cwd or Path.cwd()
    if source is None:
        if app is None:
            raise ApiDiffInputError("give a REVISION document, or --app module:attr")
        return app_document(app, app.directory, label=f"app:{app.target}")
    if source.startswith(GIT_PREFIX):
        ref, _, path = source.removeprefix(GIT_PREFIX).partition(":")
        if not ref:
            raise ApiDiffInputError(f"{source}: give a revision, e.g. git:origin/main")
        if path:
            return _git_document(ref, path, source, cwd)
        if app is None:
            raise ApiDiffInputError(
                f"{source}: name a file (git:{ref}:openapi.yaml) or an app (--app module:attr)"
            )
        return _app_at_revision(app, ref, source)
    file = cwd / source
    if not file.is_file():
        raise ApiDiffInputError(f"{source}: no such file")
    return load_document(file, source)


def git_output(args: list[str], cwd: Path) -> bytes:
    """What `git ARGS` prints in `cwd`; ApiDiffInputError with git's words when it fails."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise ApiDiffInputError("git is not installed, so git: sources cannot be read") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise ApiDiffInputError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
    return result.stdout


def repository_root(directory: Path) -> Path:
    """The top folder of the git repository `directory` is in."""
    return Path(git_output(["rev-parse", "--show-toplevel"], directory).decode().strip())


def _git_document(ref: str, path: str, label: str, cwd: Path) -> Document:
    root = repository_root(cwd)
    inside = (cwd / path).resolve().relative_to(root.resolve()).as_posix()
    text = git_output(["show", f"{ref}:{inside}"], cwd).decode("utf-8", errors="replace")
    with tempfile.TemporaryDirectory(prefix="api-diff-") as scratch:
        # Files the document refers to come from the same revision.
        _export(ref, root, Path(scratch))
        return parse_document(text, label, base_dir=Path(scratch) / Path(inside).parent)


def _export(ref: str, root: Path, target: Path) -> None:
    archive = git_output(["archive", "--format=tar", ref], root)
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(target, filter="data")


def _app_at_revision(app: AppSpec, ref: str, label: str) -> Document:
    root = repository_root(app.directory)
    inside = app.directory.resolve().relative_to(root.resolve())
    scratch = Path(tempfile.mkdtemp(prefix="api-diff-"))
    try:
        _export(ref, root, scratch)
        return app_document(app, scratch / inside, label=f"{label}:app:{app.target}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def app_document(app: AppSpec, directory: Path, *, label: str) -> Document:
    """The OpenAPI document of the app imported from `directory`, in a subprocess."""
    if not APP_TARGET.fullmatch(app.target):
        raise ApiDiffInputError(f"--app {app.target}: expected module:attr, e.g. app.main:app")
    with tempfile.TemporaryDirectory(prefix="api-diff-") as scratch:
        # A file, not stdout: the app may print while it is imported.
        written = Path(scratch) / "openapi.json"
        try:
            result = subprocess.run(
                [app.python, "-c", _EXTRACT, str(directory), app.target, str(written)],
                cwd=directory,
                capture_output=True,
                text=True,
                check=False,
                timeout=APP_TIMEOUT_SECONDS,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            )
        except subprocess.TimeoutExpired:
            raise ApiDiffInputError(
                f"{label}: importing the app took over {APP_TIMEOUT_SECONDS} s"
            ) from None
        except OSError as exc:
            raise ApiDiffInputError(f"{label}: cannot run {app.python}: {exc.strerror}") from None
        if result.returncode != 0 or not written.exists():
            lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
            reason = lines[-1] if lines else f"exit status {result.returncode}"
            raise ApiDiffInputError(
                f"{label}: cannot import {app.target} from {directory} with {app.python}: {reason}"
            )
        return parse_document(written.read_text(encoding="utf-8"), label)


def api_diff(
    base: str,
    revision: str | None = None,
    *,
    app: AppSpec | None = None,
    ignore: Path | None = None,
    cwd: Path | None = None,
) -> Report:
    """The changes from `base` to `revision` (each a file, `git:REF:path`, or with `app`
    `git:REF` or None for the app as it is now), without those `ignore` accepts. The
    command line and the MCP tool both call this."""
    from fastapi_architect.apidiff.compare import diff
    from fastapi_architect.apidiff.ignore import read_ignore_file, without_accepted

    accepted = read_ignore_file(ignore) if ignore is not None else ()
    report = diff(read_source(base, app, cwd), read_source(revision, app, cwd))
    return without_accepted(report, accepted)
