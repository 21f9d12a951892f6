"""The spec language: loading, checking and resolving `architect.yaml`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "SpecDocument": "fastapi_architect.spec.document",
    "spec_json_schema": "fastapi_architect.spec.document",
    "CheckResult": "fastapi_architect.spec.loader",
    "SpecError": "fastapi_architect.spec.loader",
    "check_file": "fastapi_architect.spec.loader",
    "check_text": "fastapi_architect.spec.loader",
    "load_spec": "fastapi_architect.spec.loader",
    "ResolvedSpec": "fastapi_architect.spec.model",
    "Location": "fastapi_architect.spec.problems",
    "Problem": "fastapi_architect.spec.problems",
}

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

if TYPE_CHECKING:
    from fastapi_architect.spec.document import SpecDocument, spec_json_schema
    from fastapi_architect.spec.loader import (
        CheckResult,
        SpecError,
        check_file,
        check_text,
        load_spec,
    )
    from fastapi_architect.spec.model import ResolvedSpec
    from fastapi_architect.spec.problems import Location, Problem


__getattr__ = lazy_exports(__name__, _EXPORTS)
