"""Generate: a complete FastAPI + SQLModel + Alembic backend from a resolved spec."""

from __future__ import annotations

from pathlib import Path

from fastapi_architect.generate.render import UnsupportedSpecError, render_project
from fastapi_architect.generate.writer import (
    LOCK_FILE,
    NEW_SUFFIX,
    GenerateError,
    WriteReport,
    digest,
    formatted,
    write_project,
)
from fastapi_architect.spec.model import ResolvedSpec

GENERATOR_VERSION = "0.1.0"
SPEC_FILE = "architect.yaml"


def render_files(spec: ResolvedSpec, spec_text: str) -> dict[str, str]:
    """Every file of the project, formatted: same spec, same bytes."""
    files = render_project(spec, GENERATOR_VERSION)
    files = formatted(files)
    files[SPEC_FILE] = spec_text if spec_text.endswith("\n") else spec_text + "\n"
    return dict(sorted(files.items()))


def generate_project(
    spec: ResolvedSpec, spec_text: str, target: str | Path, *, force: bool = False
) -> WriteReport:
    """Write the project under `target`; a non-empty target needs `force`, and then files
    edited by hand are kept (the new version lands beside them)."""
    files = render_files(spec, spec_text)
    lock = {
        "generator": "fastapi-architect",
        "generator_version": GENERATOR_VERSION,
        "project": spec.project.name,
        "spec_sha256": digest(files[SPEC_FILE]),
    }
    return write_project(Path(target), files, lock, force=force)


__all__ = [
    "GENERATOR_VERSION",
    "LOCK_FILE",
    "NEW_SUFFIX",
    "SPEC_FILE",
    "GenerateError",
    "UnsupportedSpecError",
    "WriteReport",
    "generate_project",
    "render_files",
]
