"""Design: what a spec (or an existing codebase) becomes on paper: the database schema as
SQLAlchemy metadata, and the architecture document with its ADRs."""

from fastapi_architect.design.database import to_metadata
from fastapi_architect.design.document import design_from_spec
from fastapi_architect.design.files import DesignExistsError, write_design
from fastapi_architect.design.from_code import design_from_code, design_from_survey
from fastapi_architect.design.markdown import design_files, render_json, render_markdown
from fastapi_architect.design.model import Design

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
