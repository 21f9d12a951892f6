"""fastapi-architect: design, generate, review and evolve FastAPI backends from a short spec."""

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

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "Location",
    "Problem",
    "ResolvedSpec",
    "SpecError",
    "__version__",
    "check_file",
    "check_text",
    "load_spec",
    "spec_json_schema",
]
