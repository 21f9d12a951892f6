"""The api_diff tool's work: the changes between two OpenAPI documents (or an app and a git
revision of it), classified, with whether they pass at the chosen level."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from fastapi_architect.apidiff.load import ApiDiffInputError
from fastapi_architect.apidiff.model import Level
from fastapi_architect.apidiff.render import ChangeOutput, output_model
from fastapi_architect.apidiff.sources import GIT_PREFIX, AppSpec, api_diff, default_python
from fastapi_architect.mcp.models import _Out
from fastapi_architect.mcp.paths import Root, ToolUsageError

ApiDiffFailOn = Literal["ERR", "WARN", "INFO", "never"]


class ApiDiffResult(_Out):
    """Every change from the base to the revision, most breaking first."""

    base: str
    revision: str
    passed: bool = Field(description="True when no change is at or above `fail_on`.")
    fail_on: str
    summary: str
    counts: dict[str, int] = Field(description="Changes per level: ERR, WARN, INFO.")
    changes: list[ChangeOutput]


def _source(root: Root, raw: str) -> str:
    """A file under the root as an absolute path; `git:` forms are read in the root."""
    if raw.startswith(GIT_PREFIX):
        return raw
    return str(root.existing(raw))


def run_api_diff(
    root: Root,
    base: str,
    revision: str | None,
    app: str | None,
    app_dir: str,
    ignore: str | None,
    fail_on: ApiDiffFailOn,
) -> ApiDiffResult:
    app_spec = None
    if app is not None:
        directory = root.existing(app_dir)
        app_spec = AppSpec(app, directory, default_python(directory))
    try:
        report = api_diff(
            _source(root, base),
            None if revision is None else _source(root, revision),
            app=app_spec,
            ignore=root.existing(ignore) if ignore is not None else None,
            cwd=root.path,
        )
    except ApiDiffInputError as exc:
        raise ToolUsageError(str(exc)) from None
    output = output_model(report)
    ordered = sorted(output.changes, key=lambda c: (-Level[c.level], c.operation, c.id))
    counts = output.summary.model_dump()
    failing = [] if fail_on == "never" else report.at_least(Level[fail_on])
    summary = (
        f"{len(report.changes)} change(s) from {report.base} to {report.revision}: "
        f"{counts['ERR']} breaking (ERR), {counts['WARN']} may break (WARN), "
        f"{counts['INFO']} compatible (INFO)"
    )
    return ApiDiffResult(
        base=report.base,
        revision=report.revision,
        passed=not failing,
        fail_on=fail_on,
        summary=summary,
        counts=counts,
        changes=ordered,
    )
