"""fastapi-architect: design, generate, review and evolve FastAPI backends from a short spec.

The public API is listed in `__all__`; names are imported on first use, so that a command
pays only for the capability it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "api_diff": "fastapi_architect.apidiff",
    "CheckResult": "fastapi_architect.spec",
    "Location": "fastapi_architect.spec",
    "Problem": "fastapi_architect.spec",
    "ResolvedSpec": "fastapi_architect.spec",
    "SpecError": "fastapi_architect.spec",
    "check_file": "fastapi_architect.spec",
    "check_text": "fastapi_architect.spec",
    "load_spec": "fastapi_architect.spec",
    "spec_json_schema": "fastapi_architect.spec",
    "design_from_code": "fastapi_architect.design",
    "design_from_spec": "fastapi_architect.design",
    "to_metadata": "fastapi_architect.design",
    "write_design": "fastapi_architect.design",
    "GenerateError": "fastapi_architect.generate",
    "WriteReport": "fastapi_architect.generate",
    "generate_project": "fastapi_architect.generate",
    "render_files": "fastapi_architect.generate",
    "Finding": "fastapi_architect.review",
    "ReviewConfig": "fastapi_architect.review",
    "ReviewResult": "fastapi_architect.review",
    "review": "fastapi_architect.review",
    "Survey": "fastapi_architect.survey",
    "survey": "fastapi_architect.survey",
}

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
    "api_diff",
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

if TYPE_CHECKING:
    from fastapi_architect.apidiff import api_diff
    from fastapi_architect.design import (
        design_from_code,
        design_from_spec,
        to_metadata,
        write_design,
    )
    from fastapi_architect.generate import (
        GenerateError,
        WriteReport,
        generate_project,
        render_files,
    )
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


__getattr__ = lazy_exports(__name__, _EXPORTS)
