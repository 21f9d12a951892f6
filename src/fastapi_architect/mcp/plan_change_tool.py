"""The plan_change tool's work: the plan of a spec change (the migration steps, each with its
safety class, and the API impact), as `fastapi-architect diff` gives it, with a verdict."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_serializer

from fastapi_architect.apidiff.sources import GIT_PREFIX
from fastapi_architect.evolve.cli import FailOn, fails
from fastapi_architect.evolve.plan import plan_change
from fastapi_architect.evolve.render import DiffOutput, markdown, output_model, summary
from fastapi_architect.evolve.sources import SpecSourceError
from fastapi_architect.evolve.sources import read_spec_text as read_source_text
from fastapi_architect.mcp.models import _Out
from fastapi_architect.mcp.paths import Root, ToolUsageError
from fastapi_architect.mcp.tools import MAX_PROBLEM_LINES, MAX_SPEC_CHARS
from fastapi_architect.spec import SpecError
from fastapi_architect.spec.problems import Problem
from fastapi_architect.spec.source import DocumentError
from fastapi_architect.spec.source import read_spec_text as read_spec_file


class PlanChangeResult(_Out):
    """The plan from the old spec to the new one, and whether it rolls out safely."""

    old: str = Field(description="Where the old spec was read from (`old_spec` for text).")
    new: str = Field(description="Where the new spec was read from (`new_spec` for text).")
    safe: bool = Field(
        description="True when no step is refused, every step is safe online and no API "
        "change breaks clients (ERR): what `diff --fail-on unsafe` passes."
    )
    summary: str
    plan: DiffOutput = Field(
        description="The plan as `fastapi-architect diff --format json` prints it: the steps "
        "in the order the migration runs them, the API changes, the notes."
    )
    markdown: str = Field(
        description="The plan as a pull-request comment (`diff --format markdown`)."
    )

    @field_serializer("plan")
    def _plan_as_diff_prints_it(self, plan: DiffOutput) -> dict[str, Any]:
        # The published output schema has `diff`'s key names (`data-loss`), and the server
        # dumps results without aliases: this field keeps them.
        return plan.model_dump(mode="json", by_alias=True)


def _spec_text(root: Root, side: str, text: str | None, path: str | None) -> tuple[str, str]:
    """The text of one side's spec and the name its locations carry."""
    text_name, path_name = f"{side}_spec", f"{side}_path"
    if (text is None) == (path is None):
        raise ToolUsageError(
            f"give exactly one of `{text_name}` (the {side} spec's text) or `{path_name}` (a "
            "spec file under the server root, or git:REF:path)"
        )
    if text is not None:
        if len(text) > MAX_SPEC_CHARS:
            raise ToolUsageError(f"`{text_name}` is over {MAX_SPEC_CHARS} characters")
        return text, text_name
    assert path is not None
    if path.startswith(GIT_PREFIX):
        _, _, inside = path.removeprefix(GIT_PREFIX).partition(":")
        if inside:
            root.resolve(inside)  # a file of the repository, but under the root only
        try:
            return read_source_text(path, root.path), path
        except SpecSourceError as exc:
            raise ToolUsageError(f"`{path_name}`: {exc}") from None
    file = root.existing(path)
    if file.is_dir():
        raise ToolUsageError(f"{path!r} is a directory; give the spec file (e.g. architect.yaml)")
    label = root.relative(file)
    try:
        return read_spec_file(file), label
    except DocumentError as exc:
        raise ToolUsageError(_problems_message(label, (exc.problem,))) from None
    except OSError as exc:
        raise ToolUsageError(f"cannot read {path!r}: {exc.strerror or exc}") from None


def _problems_message(files: str, problems: tuple[Problem, ...]) -> str:
    lines = [
        f"{p.location}: {p.message} [{p.code}]" + (f" (hint: {p.hint})" if p.hint else "")
        for p in problems
    ]
    more = len(lines) - MAX_PROBLEM_LINES
    tail = [f"... and {more} more (call `check_spec` for all of them)"] if more > 0 else []
    count = len(lines)
    head = (
        f"{files}: {count} problem{'s' if count != 1 else ''} in the spec, so no change was "
        "planned; fix each one (`check_spec` lists them with their locations) and call "
        "`plan_change` again:"
    )
    return "\n".join([head, *lines[:MAX_PROBLEM_LINES], *tail])


def run_plan_change(
    root: Root,
    old_spec: str | None,
    old_path: str | None,
    new_spec: str | None,
    new_path: str | None,
) -> PlanChangeResult:
    old_text, old = _spec_text(root, "old", old_spec, old_path)
    new_text, new = _spec_text(root, "new", new_spec, new_path)
    try:
        plan = plan_change(old_text, new_text, old_file=old, new_file=new)
    except SpecError as exc:
        files = sorted({problem.location.file for problem in exc.problems})
        raise ToolUsageError(_problems_message(", ".join(files), exc.problems)) from None
    safe = not fails(plan, FailOn.UNSAFE)
    verdict = (
        "safe to roll out online"
        if safe
        else "not safe: "
        + ", ".join(
            part
            for part in (
                f"{len(plan.refused)} refused (generate writes nothing until they are resolved)"
                if plan.refused
                else "",
                f"{len(plan.unsafe)} not safe online" if plan.unsafe else "",
                f"{len(plan.breaking)} breaking API change(s)" if plan.breaking else "",
            )
            if part
        )
    )
    return PlanChangeResult(
        old=old,
        new=new,
        safe=safe,
        summary=f"{old} -> {new}: {summary(plan)}; {verdict}",
        plan=output_model(plan, old=old, new=new),
        markdown=markdown(plan, old=old, new=new),
    )


__all__ = ["PlanChangeResult", "run_plan_change"]
