"""fastapi-architect: design, generate, review and evolve FastAPI backends from a short spec."""

from fastapi_architect.design import design_from_code, design_from_spec, to_metadata, write_design
from fastapi_architect.generate import GenerateError, WriteReport, generate_project, render_files
from fastapi_architect.review import Finding, ReviewConfig, ReviewResult, review
from fastapi_architect.spec import (
    CheckResult,
    Location,
    Problem,
    ResolvedSpec,
    SpecError,
    check_file,
    check_text,
    load_spec,
    spec_json_schema,
)
from fastapi_architect.survey import Survey, survey

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "Finding",
    "GenerateError",
    "Location",
    "Problem",
    "ResolvedSpec",
    "ReviewConfig",
    "ReviewResult",
    "SpecError",
    "Survey",
    "WriteReport",
    "__version__",
    "check_file",
    "check_text",
    "design_from_code",
    "design_from_spec",
    "generate_project",
    "load_spec",
    "render_files",
    "review",
    "spec_json_schema",
    "survey",
    "to_metadata",
    "write_design",
]
