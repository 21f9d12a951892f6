"""A report as text (grouped by operation), JSON (with a published JSON Schema), Markdown for
a pull-request comment, SARIF 2.1.0 for code scanning, and GitHub workflow annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import groupby
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fastapi_architect.apidiff.checks import CHECKS
from fastapi_architect.apidiff.model import Change, Level, Report

Format = Literal["text", "json", "markdown", "sarif", "github"]
FORMATS: tuple[Format, ...] = ("text", "json", "markdown", "sarif", "github")

_NAMES = {Level.ERR: "error", Level.WARN: "warning", Level.INFO: "info"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVELS = {Level.ERR: "error", Level.WARN: "warning", Level.INFO: "note"}
_GITHUB_LEVELS = {Level.ERR: "error", Level.WARN: "warning", Level.INFO: "notice"}


def render(report: Report, output_format: Format) -> str:
    renderers: dict[Format, Callable[[Report], str]] = {
        "text": render_text,
        "json": render_json,
        "markdown": render_markdown,
        "sarif": render_sarif,
        "github": render_github,
    }
    return renderers[output_format](report)


def _counts(report: Report) -> dict[Level, int]:
    return {level: sum(c.level is level for c in report.changes) for level in Level}


def _summary(report: Report) -> str:
    counts = _counts(report)
    if not report.changes:
        return f"no changes between {report.base} and {report.revision}"
    return (
        f"{len(report.changes)} change(s): {counts[Level.ERR]} error, "
        f"{counts[Level.WARN]} warning, {counts[Level.INFO]} info"
    )


def by_operation(report: Report) -> list[tuple[str, list[Change]]]:
    ordered = sorted(report.changes, key=lambda c: (c.operation, -c.level, c.id))
    return [
        (operation, list(group)) for operation, group in groupby(ordered, lambda c: c.operation)
    ]


# ---------------------------------------------------------------- text


def render_text(report: Report) -> str:
    lines = [f"{report.base} -> {report.revision}"]
    for operation, changes in by_operation(report):
        lines += ["", operation or "(document)"]
        for change in changes:
            lines.append(f"  {_NAMES[change.level]:<7}  {change.id}  {change.message}")
            where = "   ".join(
                f"{side}: {location}"
                for side, location in (
                    ("base", change.base_location),
                    ("revision", change.revision_location),
                )
                if location
            )
            if where:
                lines.append(f"           {where}")
    lines += ["", _summary(report)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- JSON


class Side(BaseModel):
    model_config = ConfigDict(frozen=True)

    pointer: str = Field(description="JSON pointer (RFC 6901) into the document; empty if absent.")
    location: str = Field(description="file:line:col of the node, when known; else empty.")


class ChangeOutput(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable kebab-case id of the kind of change.")
    level: Literal["ERR", "WARN", "INFO"]
    operation: str = Field(description='"METHOD /path", or empty for the whole document.')
    message: str
    base: Side
    revision: Side


class Summary(BaseModel):
    model_config = ConfigDict(frozen=True)

    ERR: int
    WARN: int
    INFO: int


class ApiDiffOutput(BaseModel):
    """What `api-diff --format json` prints."""

    model_config = ConfigDict(frozen=True, title="fastapi-architect api-diff report")

    base: str
    revision: str
    summary: Summary
    changes: list[ChangeOutput]


def output_model(report: Report) -> ApiDiffOutput:
    counts = _counts(report)
    return ApiDiffOutput(
        base=report.base,
        revision=report.revision,
        summary=Summary(ERR=counts[Level.ERR], WARN=counts[Level.WARN], INFO=counts[Level.INFO]),
        changes=[
            ChangeOutput(
                id=c.id,
                level=c.level.name,
                operation=c.operation,
                message=c.message,
                base=Side(pointer=c.base_pointer, location=c.base_location),
                revision=Side(pointer=c.revision_pointer, location=c.revision_location),
            )
            for c in report.changes
        ],
    )


def render_json(report: Report) -> str:
    return output_model(report).model_dump_json(indent=2) + "\n"


def json_schema() -> str:
    """The JSON Schema of the JSON format, as published in docs/api-diff.schema.json."""
    return json.dumps(ApiDiffOutput.model_json_schema(), indent=2) + "\n"


# ---------------------------------------------------------------- Markdown


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report) -> str:
    counts = _counts(report)
    icon = "🛑" if counts[Level.ERR] else ("⚠️" if counts[Level.WARN] else "✅")
    lines = [
        f"### {icon} API changes: {counts[Level.ERR]} breaking, {counts[Level.WARN]} "
        f"possibly breaking, {counts[Level.INFO]} compatible",
        "",
        f"`{cell(report.base)}` → `{cell(report.revision)}`",
    ]
    for level, title in (
        (Level.ERR, "Breaking"),
        (Level.WARN, "May break clients"),
        (Level.INFO, "Compatible"),
    ):
        changes = [c for c in report.changes if c.level is level]
        if not changes:
            continue
        lines += ["", f"#### {title}", "", "| Operation | Change | Details |", "|---|---|---|"]
        lines += [
            f"| `{cell(c.operation) or '(document)'}` | `{c.id}` | {cell(c.message)} |"
            for c in changes
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- SARIF 2.1.0

_LOCATION = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+)$")


def _physical(location: str) -> dict[str, object] | None:
    match = _LOCATION.match(location)
    if match is None:
        return None
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": match["file"].replace("\\", "/")},
            "region": {"startLine": int(match["line"]), "startColumn": int(match["column"])},
        }
    }


def render_sarif(report: Report) -> str:
    used = sorted({c.id for c in report.changes})
    index = {rule_id: number for number, rule_id in enumerate(used)}
    rules = []
    for rule_id in used:
        check = CHECKS.get(rule_id)
        summary = check.summary if check is not None else rule_id
        level = check.level if check is not None else Level.WARN
        rules.append(
            {
                "id": rule_id,
                "name": rule_id,
                "shortDescription": {"text": summary},
                "defaultConfiguration": {"level": _SARIF_LEVELS[level]},
            }
        )
    results = []
    for change in report.changes:
        result: dict[str, object] = {
            "ruleId": change.id,
            "ruleIndex": index[change.id],
            "level": _SARIF_LEVELS[change.level],
            "message": {"text": f"{change.operation}: {change.message}".lstrip(": ")},
        }
        # The revision is what the pull request changes; a removal points at the base.
        located = _physical(change.revision_location) or _physical(change.base_location)
        if located is not None:
            result["locations"] = [located]
        result["partialFingerprints"] = {
            "apiDiff/v1": f"{change.id}|{change.operation}|{change.revision_pointer}"
            f"|{change.base_pointer}"
        }
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-architect api-diff",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


# ---------------------------------------------------------------- GitHub annotations


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """Workflow commands that GitHub Actions shows as annotations on the changed lines."""
    lines = []
    for change in report.changes:
        properties = [f"title={_escape_property(f'api-diff {change.id}')}"]
        match = _LOCATION.match(change.revision_location or change.base_location)
        if match is not None:
            properties = [
                f"file={_escape_property(match['file'])}",
                f"line={match['line']}",
                f"col={match['column']}",
                *properties,
            ]
        text = f"{change.operation}: {change.message}" if change.operation else change.message
        lines.append(
            f"::{_GITHUB_LEVELS[change.level]} {','.join(properties)}::{_escape_data(text)}"
        )
    return "\n".join([*lines, _summary(report)]) + "\n"


# ---------------------------------------------------------------- the catalogue in the docs

_CATALOGUE = re.compile(
    r"(<!-- api-diff-checks:start -->\n).*?(<!-- api-diff-checks:end -->)", re.DOTALL
)


def update_checks_doc(text: str) -> str:
    """`text` (docs/api-diff.md) with the catalogue of changes rendered between its markers."""
    from fastapi_architect.apidiff.checks import markdown_table

    return _CATALOGUE.sub(lambda m: m[1] + markdown_table() + m[2], text)


if __name__ == "__main__":
    import sys
    from pathlib import Path

    doc = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/api-diff.md")
    doc.write_text(update_checks_doc(doc.read_text(encoding="utf-8")), encoding="utf-8")
    schema = doc.with_name("api-diff.schema.json")
    schema.write_text(json_schema(), encoding="utf-8")
