"""Machine-readable reports: JSON and SARIF 2.1.0 (GitHub code scanning)."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version

from fastapi_architect.review.docs import rule_doc
from fastapi_architect.review.model import Finding, ReviewResult, Severity
from fastapi_architect.review.rule import all_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}


def tool_version() -> str:
    try:
        return version("fastapi-architect")
    except PackageNotFoundError:
        return "0+unknown"


def _finding_json(f: Finding) -> dict[str, object]:
    return {
        "rule_id": f.rule_id,
        "slug": f.slug,
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "cwe": f.cwe,
        "path": f.path,
        "line": f.line,
        "col": f.col,
        "end_line": f.end_line,
        "end_col": f.end_col,
        "message": f.message,
        "fix": f.fix,
        # The mechanical fix `--fix` applies, if any: ast places (columns in UTF-8 bytes).
        "edits": [
            {
                "line": e.line,
                "col": e.col,
                "end_line": e.end_line,
                "end_col": e.end_col,
                "text": e.text,
            }
            for e in f.edits
        ],
        "suppressed": f.suppressed,
        "suppression_reason": f.suppression_reason,
    }


def render_json(result: ReviewResult) -> str:
    """The review as JSON: findings (suppressed ones flagged), parse errors, counts."""
    active = result.active
    data = {
        "tool": {"name": "fastapi-architect", "version": tool_version()},
        "root": result.root,
        "files": result.files,
        "summary": {s.value: sum(1 for f in active if f.severity is s) for s in Severity},
        "findings": [_finding_json(f) for f in result.findings],
        "errors": [
            {"path": e.path, "line": e.line, "col": e.col, "message": e.message}
            for e in result.errors
        ],
    }
    return json.dumps(data, indent=2)


def render_sarif(result: ReviewResult) -> str:
    """The review as a SARIF 2.1.0 log that GitHub code scanning accepts."""
    rules = [r for r in all_rules() if r.id in set(result.rules)] or list(all_rules())
    index = {r.id: i for i, r in enumerate(rules)}
    descriptors = []
    for rule in rules:
        doc = rule_doc(rule)
        tags = ["security"] if rule.cwe else []
        if rule.cwe:
            tags.append(f"external/cwe/cwe-{rule.cwe}")
        descriptors.append(
            {
                "id": rule.id,
                "name": rule.slug,
                "shortDescription": {"text": doc.summary or rule.slug},
                "fullDescription": {"text": " ".join(doc.section("Why is this bad?").split())},
                "help": {
                    "text": " ".join(doc.section("What it does").split()),
                    "markdown": "\n\n".join(f"## {t}\n{b}" for t, b in doc.sections),
                },
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                "properties": {
                    "tags": tags,
                    "precision": {"high": "high", "medium": "medium", "low": "low"}[
                        rule.confidence.value
                    ],
                    "security-severity": _SECURITY_SEVERITY[rule.severity] if rule.cwe else None,
                },
            }
        )
        if not rule.cwe:
            del descriptors[-1]["properties"]["security-severity"]  # type: ignore[attr-defined]
    results = []
    for f in result.findings:
        entry: dict[str, object] = {
            "ruleId": f.rule_id,
            "level": _SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message}. Fix: {f.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.col,
                            "endLine": f.end_line,
                            "endColumn": max(f.end_col, f.col if f.end_line == f.line else 1),
                        },
                    }
                }
            ],
            "properties": {"confidence": f.confidence.value},
        }
        if f.rule_id in index:
            entry["ruleIndex"] = index[f.rule_id]
        if f.suppressed:
            entry["suppressions"] = [
                {"kind": "inSource", "justification": f.suppression_reason or ""}
            ]
        results.append(entry)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-architect",
                        "version": tool_version(),
                        "informationUri": "https://github.com/fastapi-architect/fastapi-architect",
                        "rules": descriptors,
                    }
                },
                "results": results,
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [
                            {
                                "level": "warning",
                                "message": {"text": e.message},
                                "locations": [
                                    {
                                        "physicalLocation": {
                                            "artifactLocation": {"uri": e.path},
                                            "region": {"startLine": e.line},
                                        }
                                    }
                                ],
                            }
                            for e in result.errors
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(log, indent=2)
