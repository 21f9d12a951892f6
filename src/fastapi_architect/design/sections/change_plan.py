"""Change plan: how to roll a spec change out, for the design document of the new spec.

The plan is evolve's (`fastapi-architect diff`): its steps, in the order the migration runs
them, are grouped here by rollout phase (expand, backfill, deploy the code, contract), and
its breaking API changes by operation with what their clients must do. The prose is in
design/templates/change_plan; the section is added to architecture.md as its last section
and to architecture.json as `change_plan`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import field_serializer

from fastapi_architect.apidiff.model import Change, Level, Report
from fastapi_architect.apidiff.render import ChangeOutput
from fastapi_architect.apidiff.render import by_operation as api_diff_by_operation
from fastapi_architect.apidiff.render import output_model as api_diff_output
from fastapi_architect.design.files import write_files
from fastapi_architect.design.markdown import DOCUMENT, SECTIONS, design_files
from fastapi_architect.design.model import Design, _Frozen
from fastapi_architect.design.sections.prose import paragraph, render_parts
from fastapi_architect.evolve.cli import FailOn, fails
from fastapi_architect.evolve.model import Plan, Safety, Step
from fastapi_architect.evolve.render import (
    DiffOutput,
    StepOutput,
    api_counts,
    output_model,
    summary,
)

TITLE = "Change plan"
ROLLOUT = "change_plan/rollout.md.j2"
CLIENTS = "change_plan/clients.md.j2"


class Phase(StrEnum):
    """The rollout phases, in the order they happen."""

    EXPAND = "expand"
    BACKFILL = "backfill"
    CODE = "code"
    CONTRACT = "contract"


# The rollout phase of each kind of step: the one place that decides it. A kind not named
# here is an expand step (additive or loosening: the old code keeps working on it).
_PHASES_BY_STEP: dict[str, tuple[Phase, ...]] = {
    "backfill-column": (Phase.BACKFILL,),
    "backfill-missing": (Phase.BACKFILL,),
    # Added NOT VALID with the schema (it holds for new rows at once), validated at the end,
    # when the backfill has given every row its value.
    "add-check": (Phase.EXPAND, Phase.CONTRACT),
    "add-foreign-key": (Phase.EXPAND, Phase.CONTRACT),
    "change-on-delete": (Phase.EXPAND, Phase.CONTRACT),
    "enum-values-added": (Phase.EXPAND, Phase.CONTRACT),
    # Forbids values the old code may still write: only once the new code serves.
    "enum-values-removed": (Phase.CONTRACT,),
    "set-not-null": (Phase.CONTRACT,),
    "add-index": (Phase.CONTRACT,),
    "add-unique-index": (Phase.CONTRACT,),
    "drop-index": (Phase.CONTRACT,),
    "drop-column": (Phase.CONTRACT,),
    "drop-table": (Phase.CONTRACT,),
}


def step_phases(step: Step) -> tuple[Phase, ...]:
    """The phases `step` belongs to: two for a constraint added NOT VALID and validated later."""
    # Whatever its kind, a step that loses values or rewrites the table under a lock (a
    # narrowed type) must wait until no running code needs what it takes away.
    if step.safety in (Safety.DATA_LOSS, Safety.LOCK):
        return (Phase.CONTRACT,)
    return _PHASES_BY_STEP.get(step.id, (Phase.EXPAND,))


# ---------------------------------------------------------------- the section as data


class PhaseStep(_Frozen):
    """A step of the plan as one phase sees it."""

    # Its number in `plan.steps` (from 1): the order the migration runs it.
    step: int
    # What this phase does of a step that spans two phases; empty when it does all of it.
    action: str = ""


class RolloutPhase(_Frozen):
    number: int
    phase: Phase
    title: str
    guidance: str
    steps: tuple[PhaseStep, ...]


class ClientImpact(_Frozen):
    """The breaking API changes of one operation, and what its clients must do."""

    # "METHOD /path", or empty for a change to the whole document.
    operation: str
    clients_must: str
    changes: tuple[ChangeOutput, ...]


class ChangePlanDesign(_Frozen):
    """The Change plan section: the plan from the old spec to the new one, as a rollout."""

    old: str
    new: str
    # The plan in one line, as `fastapi-architect diff` ends its report.
    summary: str
    # No refused step, no step that is not safe online, no breaking API change.
    safe: bool
    intro: str
    # Why `generate` writes nothing yet; empty when no step is refused.
    refused: str
    phases: tuple[RolloutPhase, ...]
    breaking: tuple[ClientImpact, ...]
    # What the breaking changes leave out (the WARN and INFO changes), in a sentence.
    other_api_changes: str
    # The whole plan, as `fastapi-architect diff --format json` prints it.
    plan: DiffOutput

    @field_serializer("plan")
    def _plan_as_diff_prints_it(self, plan: DiffOutput) -> dict[str, Any]:
        # With its aliases (`data-loss`), so that this part reads as `diff`'s JSON does.
        return plan.model_dump(mode="json", by_alias=True)


class DesignWithChangePlan(Design):
    """A design with the plan of the change that led to its spec; its JSON loads back here."""

    change_plan: ChangePlanDesign


# ---------------------------------------------------------------- building it


def _client_concern(change_id: str) -> str:
    """Which sentence of clients.md.j2 speaks to a breaking change of this kind."""
    if change_id == "webhook-removed" or change_id.startswith(("api-removed", "api-path-removed")):
        return "removed"
    if change_id.startswith(("request-", "new-required-request-", "new-request-")):
        return "request"
    if change_id.startswith(("response-", "required-response-")):
        return "response"
    return "other"


def _clients_prose(operation: str, warn: int = 0, info: int = 0) -> dict[str, str]:
    values: dict[str, object] = {"operation": operation, "warn": warn, "info": info}
    return {name: paragraph(text) for name, text in render_parts(CLIENTS, values).items()}


def _client_impact(operation: str, changes: list[Change], old: str, new: str) -> ClientImpact:
    sentences = _clients_prose(operation)
    concerns = {_client_concern(change.id) for change in changes}
    # A client of a removed operation has nothing else to adapt to.
    wanted = ["removed"] if "removed" in concerns else ["request", "response", "other"]
    return ClientImpact(
        operation=operation,
        clients_must=" ".join(sentences[concern] for concern in wanted if concern in concerns),
        changes=tuple(api_diff_output(Report(old, new, tuple(changes))).changes),
    )


def change_plan_design(plan: Plan, *, old: str, new: str) -> ChangePlanDesign:
    """The Change plan section for `plan`; `old` and `new` name where the specs were read."""
    output = output_model(plan, old=old, new=new)
    values: dict[str, object] = {
        "renames": any(step.id in ("rename-table", "rename-column") for step in plan.steps),
        "refused": len(plan.refused),
        "data_loss": any(step.safety is Safety.DATA_LOSS for step in plan.steps),
        "breaking": len(plan.breaking),
    }
    prose = {name: paragraph(text) for name, text in render_parts(ROLLOUT, values).items()}
    actions = {
        Phase.EXPAND: prose["not_valid_action"],
        Phase.CONTRACT: prose["validate_action"],
    }
    in_phase: dict[Phase, list[PhaseStep]] = {phase: [] for phase in Phase}
    for number, step in enumerate(plan.steps, start=1):
        spans = step_phases(step)
        for phase in spans:
            action = actions[phase] if len(spans) > 1 else ""
            in_phase[phase].append(PhaseStep(step=number, action=action))
    phases = tuple(
        RolloutPhase(
            number=number,
            phase=phase,
            title=prose[f"{phase}_title"],
            # Deploying the code is a phase even when the schema asks nothing of it.
            guidance=prose[f"{phase}_guidance"]
            if in_phase[phase] or phase is Phase.CODE
            else prose["empty_phase"],
            steps=tuple(in_phase[phase]),
        )
        for number, phase in enumerate(Phase, start=1)
    )
    counts = api_counts(plan)
    return ChangePlanDesign(
        old=old,
        new=new,
        summary=summary(plan),
        safe=not fails(plan, FailOn.UNSAFE),
        intro=prose["unchanged"] if plan.empty else prose["intro"],
        refused=prose["refused"] if plan.refused else "",
        phases=() if plan.empty else phases,
        breaking=tuple(
            _client_impact(operation, changes, old, new)
            for operation, changes in api_diff_by_operation(Report(old, new, plan.breaking))
        ),
        other_api_changes=_clients_prose("", counts[Level.WARN], counts[Level.INFO])["non_breaking"]
        if counts[Level.WARN] or counts[Level.INFO]
        else "",
        plan=output,
    )


def with_change_plan(design: Design, change: ChangePlanDesign) -> DesignWithChangePlan:
    return DesignWithChangePlan.model_validate({**dict(design), "change_plan": change})


# ---------------------------------------------------------------- Markdown


def _sentence(text: str) -> str:
    """`text` as a sentence: a capital first letter and a final stop."""
    text = text.strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _step_item(number: int, step: StepOutput, action: str) -> str:
    unsafe = step.safety is not Safety.SAFE
    safety = f"**{step.safety_description}**" if unsafe else step.safety_description
    marks = f"`{step.id}`, {safety}" + (", **refused**" if step.refused else "")
    # evolve's recipe of a step it cannot make reads `nothing: ...`; the refusal says why.
    recipe = "" if step.refused and step.recipe.startswith("nothing") else step.recipe
    parts = [f"- Step {number}, **{step.subject}** ({marks}):", _sentence(action or recipe)]
    # A refused step is explained by its refusal; an unsafe one by the reason for its class.
    if unsafe and not step.refused:
        parts.append(_sentence(step.reason))
    where = f" (`{step.location}`)" if step.location else ""
    parts.append(f"Cause: {step.cause}{where}.")
    if step.refused:
        parts.append(f"**Refused:** {_sentence(step.refused)}")
        if step.hint:
            parts.append(f"**Hint:** {_sentence(step.hint)}")
    return " ".join(part for part in parts if part)


def _breaking_lines(change: ChangePlanDesign) -> list[str]:
    out: list[str] = []
    if change.breaking:
        out += ["#### Breaking API changes", ""]
        for impact in change.breaking:
            out += [f"##### `{impact.operation or '(document)'}`", "", impact.clients_must, ""]
            out += [f"- `{item.id}`: {item.message}" for item in impact.changes]
            out.append("")
    if change.other_api_changes:
        out += [change.other_api_changes, ""]
    return out


def change_plan_markdown(change: ChangePlanDesign, number: int) -> list[str]:
    """The section's lines, headed `## {number}. Change plan`, ending with a blank line."""
    out = [f"## {number}. {TITLE}", ""]
    out += [f"From `{change.old}` to `{change.new}`: {change.summary}.", "", change.intro, ""]
    if change.refused:
        out += [f"**{change.refused}**", ""]
    steps = change.plan.steps
    for phase in change.phases:
        out += [f"### Phase {phase.number}: {phase.title}", "", phase.guidance, ""]
        out += [_step_item(item.step, steps[item.step - 1], item.action) for item in phase.steps]
        if phase.steps:
            out.append("")
        if phase.phase is Phase.CODE:
            out += _breaking_lines(change)
    if change.plan.notes:
        out += ["### Notes", "", "Spec changes that need no migration step:", ""]
        out += [f"- {note}" for note in change.plan.notes]
        out.append("")
    return out


def _contents_line(number: int, title: str) -> str:
    # The Contents entry as markdown.render_markdown writes its own.
    return f"{number}. [{title}](#{number}-{title.lower().replace(' ', '-')})"


def with_section(document: str, change: ChangePlanDesign) -> str:
    """architecture.md with the Change plan added to its contents and as its last section."""
    number = len(SECTIONS) + 1
    last = _contents_line(len(SECTIONS), SECTIONS[-1])
    document = document.replace(f"\n{last}\n", f"\n{last}\n{_contents_line(number, TITLE)}\n", 1)
    section = change_plan_markdown(change, number)
    while section and section[-1] == "":
        section.pop()
    return document + "\n" + "\n".join(section) + "\n"


# ---------------------------------------------------------------- files


def change_design_files(design: DesignWithChangePlan, output_format: str) -> dict[str, str]:
    """{relative path: text}: the design's files with the Change plan in them."""
    files = design_files(design, output_format)  # the JSON holds `change_plan` already
    if DOCUMENT in files:
        files[DOCUMENT] = with_section(files[DOCUMENT], design.change_plan)
    return files


def write_change_design(
    design: DesignWithChangePlan, output: Path | str, output_format: str, *, force: bool
) -> list[Path]:
    """Write the design with its Change plan under `output`: all files or none, and over
    existing design files only with `force`."""
    return write_files(change_design_files(design, output_format), output, force=force)


__all__ = [
    "ChangePlanDesign",
    "ClientImpact",
    "DesignWithChangePlan",
    "Phase",
    "PhaseStep",
    "RolloutPhase",
    "change_design_files",
    "change_plan_design",
    "change_plan_markdown",
    "step_phases",
    "with_change_plan",
    "with_section",
    "write_change_design",
]
