"""A change plan as text (step by step, for a terminal or a CI log), Markdown (a pull-request
comment) and JSON (with a published JSON Schema, docs/evolve.schema.json).

The API impact is api-diff's: its changes appear in api-diff's own JSON shape, so a tool that
reads `api-diff --format json` reads this part of `diff --format json` too."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fastapi_architect.apidiff.model import Change, Level, Report
from fastapi_architect.apidiff.render import ChangeOutput
from fastapi_architect.apidiff.render import Summary as ApiSummary
from fastapi_architect.apidiff.render import by_operation as api_diff_by_operation
from fastapi_architect.apidiff.render import cell as markdown_cell
from fastapi_architect.apidiff.render import output_model as api_diff_output
from fastapi_architect.evolve.model import Plan, Safety, Step

Format = Literal["text", "json", "markdown"]
FORMATS: tuple[Format, ...] = ("text", "json", "markdown")

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def render(
    plan: Plan, output_format: Format, *, old: str | None = None, new: str | None = None
) -> str:
    """`plan` in `output_format`; `old` and `new` name where the two specs were read from."""
    renderers: dict[Format, Callable[..., str]] = {
        "text": text,
        "json": render_json,
        "markdown": markdown,
    }
    return renderers[output_format](plan, old=old, new=new)


# ---------------------------------------------------------------- counting


def safety_counts(plan: Plan) -> dict[Safety, int]:
    return {safety: sum(step.safety is safety for step in plan.steps) for safety in Safety}


def api_counts(plan: Plan) -> dict[Level, int]:
    return {level: sum(change.level is level for change in plan.api) for level in Level}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(plan: Plan, *, old: str | None = None, new: str | None = None) -> str:
    """One line: the steps per safety class, the refusals, the breaking API changes."""
    if plan.empty and not plan.notes:
        return f"no changes between {old} and {new}" if old and new else "no changes"
    classes = ", ".join(
        f"{count} {safety.description}" for safety, count in safety_counts(plan).items() if count
    )
    steps = _plural(len(plan.steps), "step") + (f" ({classes})" if classes else "")
    return (
        f"{steps}; {len(plan.refused)} refused; {len(plan.breaking)} breaking of "
        f"{_plural(len(plan.api), 'API change')}"
    )


# ---------------------------------------------------------------- text

# Labels of a step's lines, padded to one width so that the values line up.
_LABEL_WIDTH = len("refused: ")


def _line(label: str, value: str) -> str:
    return f"    {label + ':':<{_LABEL_WIDTH}}{value}"


def _step_text(number: int, step: Step) -> list[str]:
    refused = "  REFUSED" if step.refused else ""
    lines = [
        f"{number}. {step.subject}  [{step.safety.description}]{refused}",
        _line("step", step.id),
        _line("cause", step.cause),
    ]
    if step.location is not None:
        lines.append(_line("where", str(step.location)))
    lines += [_line("reason", step.reason), _line("recipe", step.recipe)]
    if step.refused:
        lines.append(_line("refused", step.refused))
    if step.hint:
        lines.append(_line("hint", step.hint))
    return lines


def _api_text(plan: Plan) -> list[str]:
    """The API changes grouped by operation, most harmful first in each, as api-diff groups
    its report; levels by their `--fail-on` names."""
    lines = ["API impact:"]
    for operation, changes in api_diff_by_operation(Report("", "", plan.api)):
        lines += ["", f"  {operation or '(document)'}"]
        for change in changes:
            lines.append(f"    {change.level.name:<4}  {change.id}  {change.message}")
            # The revision is where a change is made; a removal is found in the base.
            where = change.revision_location or change.base_location
            if where:
                lines.append(f"          {where}")
    return lines


def text(plan: Plan, *, old: str | None = None, new: str | None = None) -> str:
    """The steps in the order the migration runs them, then the API impact, the notes and a
    summary line. Plain text: no colour, no wrapping, the same on a terminal and in a log."""
    lines = [f"{old} -> {new}", ""] if old and new else []
    if plan.steps:
        lines.append("Migration steps, in the order they run:")
        for number, step in enumerate(plan.steps, start=1):
            lines += ["", *_step_text(number, step)]
        lines.append("")
    if plan.api:
        lines += [*_api_text(plan), ""]
    if plan.notes:
        lines.append("Notes (no migration step):")
        lines += [f"  - {note}" for note in plan.notes]
        lines.append("")
    lines.append(summary(plan, old=old, new=new))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- Markdown

_API_TITLES = {Level.ERR: "breaking", Level.WARN: "may break clients", Level.INFO: "compatible"}


def _markdown_icon(plan: Plan) -> str:
    if plan.refused or plan.breaking:
        return "🛑"
    return "⚠️" if plan.unsafe else "✅"


def _api_table(changes: list[Change]) -> list[str]:
    lines = ["| Level | Operation | Change | Details |", "|---|---|---|---|"]
    for change in sorted(changes, key=lambda c: (-c.level, c.operation, c.id)):
        lines.append(
            f"| {change.level.name} ({_API_TITLES[change.level]}) | "
            f"`{markdown_cell(change.operation) or '(document)'}` | `{change.id}` | "
            f"{markdown_cell(change.message)} |"
        )
    return lines


def markdown(plan: Plan, *, old: str | None = None, new: str | None = None) -> str:
    """A pull-request comment: a headline, a table of the steps, the refusals with their
    hints, the API impact and the notes."""
    lines = [f"### {_markdown_icon(plan)} Spec change: {summary(plan, old=old, new=new)}"]
    if old and new:
        lines += ["", f"`{markdown_cell(old)}` → `{markdown_cell(new)}`"]
    if plan.steps:
        lines += [
            "",
            "#### Migration steps",
            "",
            "| # | Safety | Step | Cause | Reason | Recipe |",
            "|---|---|---|---|---|---|",
        ]
        for number, step in enumerate(plan.steps, start=1):
            where = f" (`{step.location}`)" if step.location is not None else ""
            mark = " **refused**" if step.refused else ""
            lines.append(
                f"| {number} | {step.safety.description}{mark} | `{step.id}` "
                f"{markdown_cell(step.subject)} | {markdown_cell(step.cause)}{where} | "
                f"{markdown_cell(step.reason)} | {markdown_cell(step.recipe)} |"
            )
    if plan.refused:
        lines += ["", "#### Refused", ""]
        for number, step in enumerate(plan.steps, start=1):
            if step.refused:
                hint = f" **Hint:** {step.hint}" if step.hint else ""
                lines.append(f"- {step.refused} (step {number}, `{step.id}`).{hint}")
    if plan.api:
        lines += ["", "#### API impact"]
        harmful = [c for c in plan.api if c.level is not Level.INFO]
        compatible = [c for c in plan.api if c.level is Level.INFO]
        if harmful:
            lines += ["", *_api_table(harmful)]
        if compatible:
            # Folded: compatible changes are many (a field shows in every operation) and
            # harmless, and the comment is read for what needs attention.
            lines += [
                "",
                f"<details><summary>{_plural(len(compatible), 'compatible change')}</summary>",
                "",
                *_api_table(compatible),
                "",
                "</details>",
            ]
    if plan.notes:
        lines += ["", "#### Notes", ""]
        lines += [f"- {note}" for note in plan.notes]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- JSON


class StepOutput(BaseModel):
    """One migration step, in the order the migration runs it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Stable kebab-case id of the kind of step (`add-column`).")
    table: str = Field(description="The table the step changes; empty when there is none.")
    subject: str = Field(description="What changes, as a reader names it (`column notes.title`).")
    safety: Safety
    safety_description: str = Field(description="The safety class in words (`safe online`).")
    cause: str = Field(description="The spec change behind the step.")
    location: str = Field(
        description="file:line:col of the cause in the new spec (the old one for a removal); "
        "empty when not known."
    )
    reason: str = Field(description="Why the step has its safety class.")
    recipe: str = Field(description="How the generated migration does it.")
    refused: str | None = Field(
        description="Why `generate` will not write the step as it stands; null when it will."
    )
    hint: str | None = Field(description="What to change to lift the refusal; null if none.")
    reversible: bool = Field(description="`downgrade()` undoes the step without loss.")


class SafetyCounts(BaseModel):
    """How many steps fall in each safety class."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    safe: int
    backfill: int
    lock: int
    data_loss: int = Field(alias="data-loss")
    breaking: int


class PlanSummary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: int = Field(description="How many migration steps there are.")
    safety: SafetyCounts
    unsafe: int = Field(description="Steps that are not safe online.")
    refused: int = Field(description="Steps `generate` refuses to write.")
    api: ApiSummary = Field(description="API changes per api-diff level.")


class DiffOutput(BaseModel):
    """What `fastapi-architect diff --format json` prints."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", title="fastapi-architect diff (evolve) report"
    )

    old: str | None = Field(description="Where the old spec was read from; null if not known.")
    new: str | None = Field(description="Where the new spec was read from; null if not known.")
    summary: PlanSummary
    steps: list[StepOutput]
    api: list[ChangeOutput] = Field(
        description="What the API's clients see, as `api-diff --format json` reports it."
    )
    notes: list[str] = Field(description="Spec changes that need no migration step.")


def _step_output(step: Step) -> StepOutput:
    return StepOutput(
        id=step.id,
        table=step.table,
        subject=step.subject,
        safety=step.safety,
        safety_description=step.safety.description,
        cause=step.cause,
        location=str(step.location) if step.location is not None else "",
        reason=step.reason,
        recipe=step.recipe,
        refused=step.refused,
        hint=step.hint,
        reversible=step.reversible,
    )


def output_model(plan: Plan, *, old: str | None = None, new: str | None = None) -> DiffOutput:
    by_safety = safety_counts(plan)
    by_level = api_counts(plan)
    # api-diff's own conversion, so that both commands describe a change the same way.
    api = api_diff_output(Report(base=old or "", revision=new or "", changes=plan.api)).changes
    return DiffOutput(
        old=old,
        new=new,
        summary=PlanSummary(
            steps=len(plan.steps),
            safety=SafetyCounts.model_validate({s.value: n for s, n in by_safety.items()}),
            unsafe=len(plan.unsafe),
            refused=len(plan.refused),
            api=ApiSummary(
                ERR=by_level[Level.ERR], WARN=by_level[Level.WARN], INFO=by_level[Level.INFO]
            ),
        ),
        steps=[_step_output(step) for step in plan.steps],
        api=api,
        notes=list(plan.notes),
    )


def to_json(plan: Plan, *, old: str | None = None, new: str | None = None) -> dict[str, Any]:
    """The JSON output as Python data (what `json.loads` of `--format json` gives)."""
    return output_model(plan, old=old, new=new).model_dump(mode="json", by_alias=True)


def render_json(plan: Plan, *, old: str | None = None, new: str | None = None) -> str:
    return json.dumps(to_json(plan, old=old, new=new), indent=2, ensure_ascii=False) + "\n"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the JSON output, as docs/evolve.schema.json holds it."""
    schema = DiffOutput.model_json_schema(by_alias=True, mode="serialization")
    return {"$schema": JSON_SCHEMA_DIALECT, **schema}


def json_schema_text() -> str:
    """docs/evolve.schema.json, byte for byte."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "FORMATS",
    "DiffOutput",
    "Format",
    "json_schema",
    "json_schema_text",
    "markdown",
    "render",
    "render_json",
    "summary",
    "text",
    "to_json",
]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    # `python -m fastapi_architect.evolve.render [docs/evolve.schema.json]` rewrites the schema.
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/evolve.schema.json")
    target.write_text(json_schema_text(), encoding="utf-8")
