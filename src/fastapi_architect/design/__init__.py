"""Design: what a spec (or an existing codebase) becomes on paper: the database schema as
SQLAlchemy metadata, and the architecture document with its ADRs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "to_metadata": "fastapi_architect.design.database",
    "design_from_spec": "fastapi_architect.design.document",
    "DesignExistsError": "fastapi_architect.design.files",
    "write_design": "fastapi_architect.design.files",
    "design_from_code": "fastapi_architect.design.from_code",
    "design_from_survey": "fastapi_architect.design.from_code",
    "design_files": "fastapi_architect.design.markdown",
    "render_json": "fastapi_architect.design.markdown",
    "render_markdown": "fastapi_architect.design.markdown",
    "Design": "fastapi_architect.design.model",
}

__all__ = [
    "Design",
    "DesignExistsError",
    "design_files",
    "design_from_code",
    "design_from_spec",
    "design_from_survey",
    "render_json",
    "render_markdown",
    "to_metadata",
    "write_design",
]

if TYPE_CHECKING:
    from fastapi_architect.design.database import to_metadata
    from fastapi_architect.design.document import design_from_spec
    from fastapi_architect.design.files import DesignExistsError, write_design
    from fastapi_architect.design.from_code import design_from_code, design_from_survey
    from fastapi_architect.design.markdown import design_files, render_json, render_markdown
    from fastapi_architect.design.model import Design


__getattr__ = lazy_exports(__name__, _EXPORTS)
