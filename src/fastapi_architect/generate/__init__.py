"""Generate: a complete FastAPI + SQLModel + Alembic backend from a resolved spec."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fastapi_architect.generate.layout import INITIAL_MIGRATION
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
# The first revision's id; each spec change adds the next number (`evolve`).
INITIAL_REVISION = "0001"


def _spec_file_text(spec_text: str) -> str:
    return spec_text if spec_text.endswith("\n") else spec_text + "\n"


def render_files(
    spec: ResolvedSpec, spec_text: str, *, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every file of the project, and the `extra` files given, formatted together: same
    spec, same bytes."""
    files = render_project(spec, GENERATOR_VERSION) | dict(extra or {})
    files = formatted(files)
    files[SPEC_FILE] = _spec_file_text(spec_text)
    return dict(sorted(files.items()))


def lock_record(
    spec: ResolvedSpec, spec_text: str, *, migration_head: str = INITIAL_REVISION
) -> dict[str, str]:
    """What the lock file says besides file hashes: the generator, the spec the project
    was generated from (the base of the next spec change) and the head revision."""
    text = _spec_file_text(spec_text)
    return {
        "generator": "fastapi-architect",
        "generator_version": GENERATOR_VERSION,
        "project": spec.project.name,
        "spec_sha256": digest(text),
        "spec": text,
        "migration_head": migration_head,
    }


def generate_project(
    spec: ResolvedSpec, spec_text: str, target: str | Path, *, force: bool = False
) -> WriteReport:
    """Write the project under `target`; a non-empty target needs `force`, and then files
    edited by hand are kept (the new version lands beside them)."""
    files = render_files(spec, spec_text)
    return write_project(Path(target), files, lock_record(spec, spec_text), force=force)


__all__ = [
    "GENERATOR_VERSION",
    "INITIAL_MIGRATION",
    "INITIAL_REVISION",
    "LOCK_FILE",
    "NEW_SUFFIX",
    "SPEC_FILE",
    "GenerateError",
    "UnsupportedSpecError",
    "WriteReport",
    "generate_project",
    "lock_record",
    "render_files",
]
