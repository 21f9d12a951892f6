"""The spec language: loading, checking and resolving `architect.yaml`."""

from fastapi_architect.spec.document import SpecDocument, spec_json_schema
from fastapi_architect.spec.loader import CheckResult, SpecError, check_file, check_text, load_spec
from fastapi_architect.spec.model import ResolvedSpec
from fastapi_architect.spec.problems import Location, Problem

__all__ = [
    "CheckResult",
    "Location",
    "Problem",
    "ResolvedSpec",
    "SpecDocument",
    "SpecError",
    "check_file",
    "check_text",
    "load_spec",
    "spec_json_schema",
]
