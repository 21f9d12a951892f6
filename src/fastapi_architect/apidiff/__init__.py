"""api-diff: the changes between two OpenAPI 3.0/3.1 documents, classified by whether they
break clients (ERR), may break them (WARN) or are compatible (INFO)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "CHECKS": "fastapi_architect.apidiff.checks",
    "diff": "fastapi_architect.apidiff.compare",
    "ApiDiffInputError": "fastapi_architect.apidiff.load",
    "Document": "fastapi_architect.apidiff.load",
    "load_document": "fastapi_architect.apidiff.load",
    "parse_document": "fastapi_architect.apidiff.load",
    "Change": "fastapi_architect.apidiff.model",
    "Level": "fastapi_architect.apidiff.model",
    "Report": "fastapi_architect.apidiff.model",
    "AppSpec": "fastapi_architect.apidiff.sources",
    "api_diff": "fastapi_architect.apidiff.sources",
}

__all__ = [
    "CHECKS",
    "ApiDiffInputError",
    "AppSpec",
    "Change",
    "Document",
    "Level",
    "Report",
    "api_diff",
    "diff",
    "load_document",
    "parse_document",
]

if TYPE_CHECKING:
    from fastapi_architect.apidiff.checks import CHECKS
    from fastapi_architect.apidiff.compare import diff
    from fastapi_architect.apidiff.load import (
        ApiDiffInputError,
        Document,
        load_document,
        parse_document,
    )
    from fastapi_architect.apidiff.model import Change, Level, Report
    from fastapi_architect.apidiff.sources import AppSpec, api_diff


__getattr__ = lazy_exports(__name__, _EXPORTS)
