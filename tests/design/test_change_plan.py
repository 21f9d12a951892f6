"""`design NEW_SPEC -o DIR --old-spec OLD_SPEC`: the Change plan section, the migration from
the old spec to the new one phase by phase, in architecture.md and architecture.json."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from fastapi_architect.design import design_files, design_from_spec
from fastapi_architect.design.sections.change_plan import (
    DesignWithChangePlan,
    Phase,
    change_design_files,
    change_plan_design,
    step_phases,
)
from fastapi_architect.evolve.model import Safety, Step
from fastapi_architect.evolve.plan import plan_change
from fastapi_architect.spec import check_text
from tests.conftest import EXAMPLES, write_tree
from tests.design.test_cli import design

OLD = EXAMPLES / "evolve" / "notes-v1.yaml"
NEW = EXAMPLES / "evolve" / "notes-v2.yaml"
PHASE_TITLES = [
    "Phase 1: Deploy the schema (expand)",
    "Phase 2: Backfill",
    "Phase 3: Deploy the code",
    "Phase 4: Contract",
]
# A field made required: existing rows are backfilled, then the column is made NOT NULL.
TASKS_V1 = """\
project: {name: tasks}
auth: {mode: none}
resources:
  Task:
    fields:
      title: {type: string, max_length: 100}
      assignee: {type: string, max_length: 50, required: false}
"""
TASKS_V2 = TASKS_V1.replace(
    "assignee: {type: string, max_length: 50, required: false}",
    "assignee: {type: string, max_length: 50, backfill: nobody}",
)
BAD_OLD = """\
project: {name: tasks}
resources:
  Task:
    fields:
      title: {type: strng}
"""


def section(document: str) -> str:
    _, found, rest = document.partition("\n## 11. Change plan\n")
    assert found, "no Change plan section"
    return rest


def phases(document: str) -> dict[str, str]:
    """{phase heading: its text} of the Change plan section."""
    parts = re.split(r"^### (Phase \d: .*)$", section(document), flags=re.MULTILINE)
    texts = dict(zip(parts[1::2], parts[2::2], strict=True))
    return {title: text.split("\n### ", 1)[0] for title, text in texts.items()}


def notes_plan_document(tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "docs"
    code, stdout, stderr = design(str(NEW), "-o", str(out), "--old-spec", str(OLD), *extra)
    assert code == 0, stderr
    assert f"change plan from {OLD}: " in stdout
    return (out / "architecture.md").read_text()


def test_the_section_gives_every_phase_in_order(tmp_path: Path) -> None:
    document = notes_plan_document(tmp_path)
    assert "10. [Decisions](#10-decisions)\n11. [Change plan](#11-change-plan)\n" in document
    assert document.index("## 10. Decisions") < document.index("## 11. Change plan")
    found = phases(document)
    assert list(found) == PHASE_TITLES
    # Every step of the plan is in the phase (or phases) its kind and safety give.
    plan = plan_change(OLD.read_text(), NEW.read_text(), old_file=str(OLD), new_file=str(NEW))
    titles = dict(zip(Phase, PHASE_TITLES, strict=True))
    for number, planned in enumerate(plan.steps, start=1):
        entry = f"- Step {number}, **{planned.subject}** (`{planned.id}`, "
        for phase in Phase:
            assert (entry in found[titles[phase]]) is (phase in step_phases(planned)), entry
    expand, _, code, contract = found.values()
    assert "Step 1, **column notes.body to content** (`rename-column`, safe online)" in expand
    assert "Renames are the exception" in expand
    assert "Deploy the application generated from the new spec" in code
    assert "`drop-column`, **loses data**, **refused**" in contract
    assert "only with `--allow-data-loss`" in contract
    assert "`add-index`, safe online): CREATE INDEX CONCURRENTLY" in contract


def test_refused_steps_come_with_their_hints(tmp_path: Path) -> None:
    document = notes_plan_document(tmp_path)
    plan = plan_change(OLD.read_text(), NEW.read_text(), old_file=str(OLD), new_file=str(NEW))
    assert plan.refused
    text = section(document)
    assert f"**{len(plan.refused)} steps are refused: `generate` writes no revision" in text
    for step in plan.refused:
        assert step.hint
        # Each refused step is in its phase, its refusal and hint as sentences.
        assert f"**Hint:** {step.hint[0].upper()}{step.hint[1:]}." in text
        assert f"**Refused:** {step.refused[0].upper()}{step.refused[1:]}." in text


def test_a_constraint_is_added_not_valid_first_and_validated_in_the_contract(
    tmp_path: Path,
) -> None:
    found = phases(notes_plan_document(tmp_path))
    check = "**check ck_notes_status_values** (`enum-values-added`, safe online): "
    assert check + "Added NOT VALID" in found[PHASE_TITLES[0]]
    assert check + "Validated (VALIDATE CONSTRAINT)" in found[PHASE_TITLES[3]]


def test_breaking_api_changes_are_listed_by_operation_with_what_clients_must_do(
    tmp_path: Path,
) -> None:
    code = phases(notes_plan_document(tmp_path))[PHASE_TITLES[2]]
    assert "#### Breaking API changes" in code
    post = code.split("##### `POST /api/v1/notes`\n", 1)[1].split("#####", 1)[0]
    assert "Clients must send requests the new contract accepts" in post
    assert "Clients must stop relying on what the response no longer carries" in post
    assert "- `new-required-request-property`: required request property added: `content`" in post
    listing = code.split("##### `GET /api/v1/notes`\n", 1)[1].split("#####", 1)[0]
    assert "Clients must send requests" not in listing  # only its responses changed
    assert "(WARN) and" in code
    assert "(INFO): `fastapi-architect diff` lists them all." in code


def test_a_backfill_shows_its_update_and_the_row_lock(tmp_path: Path) -> None:
    write_tree(tmp_path, {"v1.yaml": TASKS_V1, "v2.yaml": TASKS_V2})
    out = tmp_path / "docs"
    code, _, stderr = design(
        str(tmp_path / "v2.yaml"), "-o", str(out), "--old-spec", str(tmp_path / "v1.yaml")
    )
    assert code == 0, stderr
    found = phases((out / "architecture.md").read_text())
    backfill = found[PHASE_TITLES[1]]
    assert (
        "`backfill-column`, **needs a backfill**): UPDATE tasks SET assignee = 'nobody'" in backfill
    )
    # The rows an UPDATE writes stay locked: the phase says so, and how to keep it short.
    assert "each batch committed on its own, so a row stays locked only" in backfill
    assert "run it at a quiet time" in backfill
    assert "(`set-not-null`, safe online)" in found[PHASE_TITLES[3]]
    assert "Renames are the exception" not in found[PHASE_TITLES[0]]
    assert "No step of this change belongs to this phase." in found[PHASE_TITLES[0]]


def test_a_compatible_change_is_safe() -> None:
    new = TASKS_V1 + "      note: {type: text, required: false}\n"
    plan = plan_change(TASKS_V1, new, old_file="v1.yaml", new_file="v2.yaml")
    change = change_plan_design(plan, old="v1.yaml", new="v2.yaml")
    assert change.safe
    assert change.refused == ""
    assert change.breaking == ()
    code = change.phases[2]
    assert code.guidance.endswith("No API change breaks clients.")
    assert change.other_api_changes.startswith("Of the other API changes, ")
    assert "(WARN)" not in change.other_api_changes


def test_the_json_holds_the_same_plan_and_gives_back_the_same_markdown(tmp_path: Path) -> None:
    markdown = notes_plan_document(tmp_path)
    out = tmp_path / "json"
    code, _, stderr = design(str(NEW), "-o", str(out), "--old-spec", str(OLD), "--format", "json")
    assert code == 0, stderr
    text = (out / "architecture.json").read_text()
    data = json.loads(text)
    change = data["change_plan"]
    assert [phase["phase"] for phase in change["phases"]] == [phase.value for phase in Phase]
    assert change["safe"] is False
    # The plan reads as `diff --format json` prints it, aliases included.
    assert change["plan"]["summary"]["safety"]["data-loss"] >= 1
    assert change["plan"]["old"] == str(OLD)
    loaded = DesignWithChangePlan.model_validate_json(text)
    assert change_design_files(loaded, "markdown")["architecture.md"] == markdown


def test_without_an_old_spec_the_document_is_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    assert design(str(NEW), "-o", str(out))[0] == 0
    result = check_text(NEW.read_text(), str(NEW))
    assert result.spec is not None
    expected = design_files(design_from_spec(result.spec, str(NEW)))
    assert (out / "architecture.md").read_text() == expected["architecture.md"]
    assert "Change plan" not in expected["architecture.md"]


def test_the_same_spec_twice_has_nothing_to_migrate(tmp_path: Path) -> None:
    document = notes_plan_document_for(tmp_path, OLD, OLD)
    text = section(document)
    assert ": no changes." in text
    assert "nothing to migrate" in text
    assert "### Phase" not in text


def notes_plan_document_for(tmp_path: Path, old: Path, new: Path) -> str:
    out = tmp_path / "same"
    code, _, stderr = design(str(new), "-o", str(out), "--old-spec", str(old))
    assert code == 0, stderr
    return (out / "architecture.md").read_text()


def test_an_old_spec_with_problems_is_reported_located_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    old = write_tree(tmp_path, {"old.yaml": BAD_OLD}) / "old.yaml"
    expected = check_text(BAD_OLD, str(old)).problems
    assert expected
    out = tmp_path / "docs"
    code, _, stderr = design(str(NEW), "-o", str(out), "--old-spec", str(old))
    assert code == 1  # as for problems in SPEC
    for problem in expected:
        assert f"{problem.location}: error: {problem.message}" in stderr
    assert f"1 problem in {old}" in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--old-spec", "missing.yaml"], "cannot read the old spec: missing.yaml: no such file"),
        (["--old-spec", "git:"], "cannot read the old spec: git:: expected git:REF:path"),
    ],
)
def test_an_unreadable_old_spec_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, stderr = design(str(NEW), "-o", str(tmp_path / "docs"), *args)
    assert code == 2
    assert message in stderr
    assert not (tmp_path / "docs").exists()


def test_an_old_spec_does_not_go_with_from_code(tmp_path: Path) -> None:
    code, _, stderr = design("--from-code", str(tmp_path), "-o", "docs", "--old-spec", str(OLD))
    assert code == 2
    assert "--old-spec plans a change to a SPEC" in stderr


def test_the_old_spec_can_come_from_a_git_revision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = write_tree(tmp_path / "repo", {"architect.yaml": TASKS_V1})

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("add", "architect.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "v1")
    (repo / "architect.yaml").write_text(TASKS_V2)
    monkeypatch.chdir(repo)
    code, stdout, stderr = design(
        "architect.yaml", "-o", "docs", "--old-spec", "git:HEAD:architect.yaml"
    )
    assert code == 0, stderr
    assert "change plan from git:HEAD:architect.yaml: " in stdout
    document = (repo / "docs" / "architecture.md").read_text()
    assert "From `git:HEAD:architect.yaml` to `architect.yaml`: " in document
    assert "UPDATE tasks SET assignee = 'nobody'" in document


# ---------------------------------------------------------------- the phase mapping


def step(step_id: str, safety: Safety = Safety.SAFE) -> Step:
    return Step(step_id, "t", "subject", safety, "reason", "recipe", "cause")


@pytest.mark.parametrize(
    ("step_id", "safety", "expected"),
    [
        ("add-column", Safety.SAFE, (Phase.EXPAND,)),
        ("rename-table", Safety.SAFE, (Phase.EXPAND,)),
        ("drop-not-null", Safety.SAFE, (Phase.EXPAND,)),
        ("alter-column-type", Safety.SAFE, (Phase.EXPAND,)),  # widening
        ("alter-column-type", Safety.LOCK, (Phase.CONTRACT,)),  # narrowing
        ("alter-column-type", Safety.DATA_LOSS, (Phase.CONTRACT,)),
        ("backfill-column", Safety.BACKFILL, (Phase.BACKFILL,)),
        ("add-check", Safety.SAFE, (Phase.EXPAND, Phase.CONTRACT)),
        ("add-foreign-key", Safety.SAFE, (Phase.EXPAND, Phase.CONTRACT)),
        ("enum-values-removed", Safety.SAFE, (Phase.CONTRACT,)),
        ("set-not-null", Safety.SAFE, (Phase.CONTRACT,)),
        ("add-unique-index", Safety.SAFE, (Phase.CONTRACT,)),
        ("drop-table", Safety.DATA_LOSS, (Phase.CONTRACT,)),
        ("a-kind-not-known-yet", Safety.SAFE, (Phase.EXPAND,)),
    ],
)
def test_each_step_has_its_phase(step_id: str, safety: Safety, expected: tuple[Phase, ...]) -> None:
    assert step_phases(step(step_id, safety)) == expected


def test_the_design_of_a_plan_keeps_every_step_in_some_phase() -> None:
    plan = plan_change(OLD.read_text(), NEW.read_text(), old_file=str(OLD), new_file=str(NEW))
    change = change_plan_design(plan, old=str(OLD), new=str(NEW))
    placed = {item.step for phase in change.phases for item in phase.steps}
    assert placed == set(range(1, len(plan.steps) + 1))
    assert [phase.number for phase in change.phases] == [1, 2, 3, 4]
