"""api-diff: the changes between two OpenAPI 3.0/3.1 documents, classified by whether they
break clients (ERR), may break them (WARN) or are compatible (INFO)."""

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
