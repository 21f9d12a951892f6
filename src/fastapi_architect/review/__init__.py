"""Static review of FastAPI / SQLModel / SQLAlchemy code: rules, findings and reports.

The code under review is parsed, never imported or run; the model of it (`ProjectIndex`,
`build_index`) is `fastapi_architect.codebase`, re-exported here.
"""

from fastapi_architect.codebase import ParseError, ProjectIndex, Route, build_index
from fastapi_architect.review.config import ConfigError, ReviewConfig, load_config
from fastapi_architect.review.docs import render_rule, render_rule_reference, rule_doc
from fastapi_architect.review.engine import review, review_files
from fastapi_architect.review.model import Confidence, Finding, ReviewResult, Severity
from fastapi_architect.review.report import render_json, render_sarif
from fastapi_architect.review.rule import Rule, all_rules, get_rule

__all__ = [
    "Confidence",
    "ConfigError",
    "Finding",
    "ParseError",
    "ProjectIndex",
    "ReviewConfig",
    "ReviewResult",
    "Route",
    "Rule",
    "Severity",
    "all_rules",
    "build_index",
    "get_rule",
    "load_config",
    "render_json",
    "render_rule",
    "render_rule_reference",
    "render_sarif",
    "review",
    "review_files",
    "rule_doc",
]
