"""The change plan between two specs: each schema change found, classified, explained and
located, in the order the migration runs it; and what is refused, with the fix."""

from __future__ import annotations

import textwrap

import pytest

from fastapi_architect.evolve import Plan, Safety, plan_change
from fastapi_architect.spec import SpecError

V1 = """\
project: {name: notes}
auth: {mode: none}
resources:
  Note:
    fields:
      body: text
      status: {type: enum, values: [draft, published]}
      legacy: {type: string, required: false}
      score: {type: decimal, precision: 6, scale: 2, required: false}
"""


def _block(text: str, indent: str) -> str:
    return textwrap.indent(textwrap.dedent(text).strip("\n"), indent) + "\n" if text else ""


def v2(fields: str, note: str = "", resources: str = "") -> str:
    """The v2 spec: Note with `fields` and `note` keys, then other `resources`."""
    return (
        "project: {name: notes}\nauth: {mode: none}\nresources:\n  Note:\n    fields:\n"
        + _block(fields, "      ")
        + _block(note, "    ")
        + _block(resources, "  ")
    )


KEEP = """
body: text
status: {type: enum, values: [draft, published]}
legacy: {type: string, required: false}
score: {type: decimal, precision: 6, scale: 2, required: false}
"""


def plan(fields: str, note: str = "", resources: str = "") -> Plan:
    return plan_change(V1, v2(fields, note, resources), old_file="v1.yaml", new_file="v2.yaml")


def ids(result: Plan) -> list[tuple[str, str]]:
    return [(step.id, step.subject) for step in result.steps]


def test_identical_specs_need_nothing() -> None:
    result = plan_change(V1, V1)
    assert result.steps == ()
    assert result.api == ()


def test_a_nullable_field_is_one_safe_step() -> None:
    result = plan(KEEP + "summary: {type: string, required: false}")
    assert ids(result) == [("add-column", "column notes.summary")]
    step = result.steps[0]
    assert step.safety is Safety.SAFE
    assert step.cause == "field Note.summary added"
    assert str(step.location) == "v2.yaml:10:7"


def test_a_required_field_takes_its_default_without_a_rewrite() -> None:
    result = plan(KEEP + "pinned: {type: boolean, default: false}")
    assert ids(result) == [("add-required-column", "column notes.pinned")]
    (step,) = result.steps
    assert step.safety is Safety.SAFE
    assert step.recipe == "ADD COLUMN ... NOT NULL DEFAULT FALSE"
    assert "no rewrite" in step.reason
    assert not result.refused


def test_backfill_fills_existing_rows_when_there_is_no_default() -> None:
    result = plan(KEEP + "title: {type: string, backfill: untitled}")
    assert result.steps[0].recipe == "ADD COLUMN ... NOT NULL DEFAULT 'untitled'"
    assert "backfill" in result.steps[0].reason


def test_a_field_made_required_is_backfilled_then_proven_not_null() -> None:
    result = plan(
        KEEP.replace(
            "legacy: {type: string, required: false}", "legacy: {type: string, backfill: none}"
        )
    )
    assert ids(result) == [
        ("backfill-column", "column notes.legacy"),
        ("set-not-null", "column notes.legacy"),
    ]
    assert [step.safety for step in result.steps] == [Safety.BACKFILL, Safety.SAFE]
    assert (
        result.steps[0].recipe
        == "UPDATE notes SET legacy = 'none' WHERE legacy IS NULL, in batches"
    )
    assert "NOT VALID" in result.steps[1].recipe


def test_a_required_field_without_a_value_for_existing_rows_is_refused_where_it_is() -> None:
    result = plan(KEEP + "title: string")
    (refused,) = result.refused
    assert refused.refused == (
        "field Note.title is added as required, but existing rows have no value for it"
    )
    assert refused.hint == "add `default:` or `backfill:` to the field"
    assert str(refused.location) == "v2.yaml:10:7"


def test_a_rename_keeps_values_and_carries_its_constraints() -> None:
    result = plan(
        """
        content: {type: text, renamed_from: body}
        status: {type: enum, values: [draft, published]}
        legacy: {type: string, required: false}
        score: {type: decimal, precision: 6, scale: 2, required: false}
        """
    )
    assert ids(result) == [("rename-column", "column notes.body to content")]
    assert result.steps[0].safety is Safety.SAFE


def test_a_rename_that_was_already_made_is_not_made_again() -> None:
    after = v2(KEEP.replace("body: text", "content: {type: text, renamed_from: body}"))
    assert plan_change(after, after).steps == ()


def test_an_unknown_or_clashing_rename_is_refused_where_it_is() -> None:
    unknown = plan(KEEP + "summary: {type: text, renamed_from: nothing}")
    step = next(step for step in unknown.steps if step.id == "rename-unknown")
    assert "renamed from nothing, which Note does not have" in (step.refused or "")
    assert str(step.location) == "v2.yaml:10:29"
    clash = plan(KEEP + "summary: {type: text, renamed_from: body}")
    step = next(step for step in clash.steps if step.id == "rename-unknown")
    assert "which the new spec still has" in (step.refused or "")


def test_a_dropped_field_loses_data_and_is_refused_until_allowed() -> None:
    result = plan(KEEP.replace("legacy: {type: string, required: false}\n", ""))
    (step,) = result.steps
    assert (step.id, step.safety) == ("drop-column", Safety.DATA_LOSS)
    assert step.refused == "dropping column notes.legacy loses its values"
    assert "--allow-data-loss" in (step.hint or "")
    # Where the field was: the old spec.
    assert str(step.location) == "v1.yaml:8:7"
    assert not step.reversible


def test_a_new_enum_value_replaces_the_check_without_a_rewrite() -> None:
    result = plan(KEEP.replace("[draft, published]", "[draft, published, archived]"))
    assert [step.id for step in result.steps] == ["enum-values-added"]
    assert result.steps[0].cause == "field Note.status: values added archived"
    removed = plan(KEEP.replace("[draft, published]", "[draft]"))
    assert [step.id for step in removed.steps] == ["enum-values-removed"]
    assert "removed published" in removed.steps[0].cause


def test_widening_is_safe_and_narrowing_is_refused() -> None:
    wider = plan(KEEP.replace("precision: 6", "precision: 10"))
    assert [(s.id, s.safety) for s in wider.steps] == [("alter-column-type", Safety.SAFE)]
    narrower = plan(KEEP.replace("body: text", "body: {type: string, max_length: 20}"))
    (step,) = narrower.refused
    assert step.id == "alter-column-type"
    assert "TEXT to VARCHAR(20)" in (step.refused or "")
    assert step.hint is not None


def test_indexes_are_built_concurrently_last() -> None:
    result = plan(KEEP + "code: {type: string, unique: true, required: false}", "filters: [status]")
    assert [step.id for step in result.steps] == ["add-column", "add-index", "add-unique-index"]
    assert all("CONCURRENTLY" in step.recipe for step in result.steps[1:])
    assert "duplicates" in result.steps[2].reason


def test_a_new_resource_and_a_link_to_it() -> None:
    result = plan(
        KEEP,
        "relations: {folder: {to: Folder, required: false}}",
        "Folder: {fields: {name: string}}",
    )
    assert [step.id for step in result.steps] == [
        "create-table",
        "add-column",
        "add-foreign-key",
        "add-index",
    ]
    assert result.steps[0].cause == "resource Folder added"
    assert "NOT VALID" in result.steps[2].recipe


def test_switching_soft_delete_on_is_named_as_such() -> None:
    result = plan(KEEP, "soft_delete: true")
    assert "soft_delete switched on for Note" in result.notes
    assert ("add-column", "column notes.deleted_at") in ids(result)
    assert next(s for s in result.steps if s.id == "add-column").cause == (
        "soft_delete of Note added"
    )


def test_a_spec_with_problems_is_reported_not_planned() -> None:
    with pytest.raises(SpecError) as caught:
        plan_change(V1, "project: {name: notes}\nresources: {Note: {fields: {x: nosuchtype}}}\n")
    assert caught.value.problems


RENAMED_RESOURCE = """\
project: {name: notes}
auth: {mode: none}
resources:
  Memo:
    fields:
      body: {type: text, max_length: 500}
    relations:
      tags: {to: Tag, kind: many_to_many}
  Tag:
    fields:
      name: string
"""


def test_a_renamed_resource_renames_its_tables_keys_and_constraints() -> None:
    after = RENAMED_RESOURCE.replace("  Memo:\n", "  Note:\n    renamed_from: Memo\n")
    result = plan_change(RENAMED_RESOURCE, after)
    assert {step.id for step in result.steps} == {
        "rename-table",
        "rename-column",
        "rename-index",
        "rename-constraint",
    }
    subjects = [step.subject for step in result.steps]
    assert subjects[:3] == [
        "table memos to notes",
        "table memo_tags to note_tags",
        "column note_tags.memo_id to note_id",
    ]
    assert "constraint fk_memo_tags_memo_id_memos to fk_note_tags_note_id_notes" in subjects
    assert all(step.safety is Safety.SAFE for step in result.steps)
    assert not result.refused


def test_a_backfill_must_satisfy_the_field_it_fills() -> None:
    from fastapi_architect.spec import check_text

    text = V1.replace(
        "legacy: {type: string, required: false}",
        "legacy: {type: string, max_length: 5, backfill: far-too-long}",
    )
    (problem,) = check_text(text, "v2.yaml").problems
    assert problem.render().startswith(
        "v2.yaml:8:55: error: Note.legacy: backfill 'far-too-long' is longer than max_length 5"
    )
    enum = V1.replace("values: [draft, published]}", "values: [draft, published], backfill: gone}")
    (problem,) = check_text(enum, "v2.yaml").problems
    assert "backfill 'gone'" in problem.message
    computed = V1.replace(
        "legacy: {type: string, required: false}", "seen_at: {type: datetime, backfill: now}"
    )
    (problem,) = check_text(computed, "v2.yaml").problems
    assert "backfill 'now' is computed, not a value" in problem.message
