"""`api_changes`: what a spec change does to the generated API, as api-diff reports it, from
the specs alone; and, in the slow test, the same answer as api-diff between the documents
two generated backends really serve."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from fastapi_architect.apidiff.compare import diff
from fastapi_architect.apidiff.model import Change, Level
from fastapi_architect.apidiff.sources import AppSpec, app_document
from fastapi_architect.evolve.api import api_changes
from fastapi_architect.generate import generate_project
from fastapi_architect.spec import check_text
from fastapi_architect.spec.model import ResolvedSpec

NOTES = """\
project: {name: notes}
auth: {mode: builtin, roles: [user, admin], default_role: user}
resources:
  Note:
    owned: true
    fields:
      title: {type: string, max_length: 200}
      status: {type: enum, values: [draft, published], default: draft}
      body: {type: text, required: false}
    filters: [status]
"""
TAG = """\
  Tag:
    fields:
      name: {type: string, max_length: 40}
"""
CREATE = "POST /api/v1/notes"
LIST = "GET /api/v1/notes"
GET = "GET /api/v1/notes/{note_id}"
UPDATE = "PATCH /api/v1/notes/{note_id}"
TAG_OPERATIONS = {
    "GET /api/v1/tags",
    "POST /api/v1/tags",
    "GET /api/v1/tags/{tag_id}",
    "PATCH /api/v1/tags/{tag_id}",
    "DELETE /api/v1/tags/{tag_id}",
}


def spec(text: str) -> ResolvedSpec:
    result = check_text(text)
    assert result.spec is not None, result.problems
    return result.spec


def changes(old: str, new: str) -> tuple[Change, ...]:
    return api_changes(spec(old), spec(new))


def found(items: tuple[Change, ...]) -> set[tuple[str, str, Level]]:
    return {(c.operation, c.id, c.level) for c in items}


def with_field(line: str) -> str:
    return NOTES.replace("      body:", f"      {line}\n      body:")


def test_the_same_spec_changes_nothing() -> None:
    assert changes(NOTES, NOTES) == ()


def test_a_new_required_field_without_default_breaks_create() -> None:
    result = changes(NOTES, with_field("due: {type: datetime}"))
    assert (CREATE, "new-required-request-property", Level.ERR) in found(result)
    assert {c.operation for c in result if c.level is Level.ERR} == {CREATE}


def test_a_new_optional_field_is_compatible() -> None:
    result = changes(NOTES, with_field("due: {type: datetime, required: false}"))
    assert (CREATE, "new-optional-request-property", Level.INFO) in found(result)
    assert (GET, "response-required-property-added", Level.INFO) in found(result)
    assert {c.level for c in result} == {Level.INFO}


def test_a_removed_field_breaks_every_response_that_had_it() -> None:
    result = changes(NOTES, NOTES.replace("      body: {type: text, required: false}\n", ""))
    breaking = {(c.operation, c.id) for c in result if c.level is Level.ERR}
    assert breaking == {
        (operation, "response-required-property-removed")
        for operation in (CREATE, LIST, GET, UPDATE)
    }
    assert (CREATE, "request-property-removed", Level.WARN) in found(result)


def test_a_new_enum_value_widens_responses() -> None:
    result = changes(NOTES, NOTES.replace("[draft, published]", "[draft, published, archived]"))
    assert (GET, "response-property-enum-value-added", Level.WARN) in found(result)
    assert (LIST, "request-parameter-enum-value-added", Level.INFO) in found(result)
    assert (CREATE, "request-property-enum-value-added", Level.INFO) in found(result)
    assert all(c.level is not Level.ERR for c in result)


def test_a_removed_enum_value_breaks_requests() -> None:
    result = changes(NOTES, NOTES.replace("[draft, published]", "[draft]"))
    assert (UPDATE, "request-property-enum-value-removed", Level.ERR) in found(result)


def test_a_tighter_max_length_breaks_writes() -> None:
    result = changes(NOTES, NOTES.replace("max_length: 200", "max_length: 100"))
    assert found(result) == {
        (CREATE, "request-property-max-length-decreased", Level.ERR),
        (UPDATE, "request-property-max-length-decreased", Level.ERR),
    }


def test_filters_are_query_parameters() -> None:
    added = changes(NOTES, NOTES.replace("filters: [status]", "filters: [status, title]"))
    assert found(added) == {(LIST, "new-optional-request-parameter", Level.INFO)}
    removed = changes(NOTES, NOTES.replace("    filters: [status]\n", ""))
    assert found(removed) == {(LIST, "request-parameter-removed", Level.WARN)}


def test_a_removed_resource_removes_its_operations() -> None:
    result = changes(NOTES + TAG, NOTES)
    assert {c.operation for c in result} == TAG_OPERATIONS
    assert {(c.id, c.level) for c in result} == {
        ("api-path-removed-without-deprecation", Level.ERR)
    }


def test_a_new_resource_adds_its_operations() -> None:
    result = changes(NOTES, NOTES + TAG)
    assert {c.operation for c in result} == TAG_OPERATIONS
    assert {(c.id, c.level) for c in result} == {("endpoint-added", Level.INFO)}


def test_a_renamed_field_still_breaks_clients() -> None:
    renamed = NOTES.replace("title: {type", "heading: {renamed_from: title, type")
    assert spec(renamed).resource("Note").field("heading").renamed_from == "title"
    result = found(changes(NOTES, renamed))
    assert (GET, "response-required-property-removed", Level.ERR) in result
    assert (GET, "response-required-property-added", Level.INFO) in result
    assert (CREATE, "request-property-removed", Level.WARN) in result
    assert (CREATE, "new-required-request-property", Level.ERR) in result


def test_public_reads_no_longer_answer_403() -> None:
    public = NOTES.replace("owned: true", "owned: true\n    access: {read: public}")
    assert found(changes(NOTES, public)) == {
        (LIST, "response-non-success-status-removed", Level.INFO),
        (GET, "response-non-success-status-removed", Level.INFO),
    }


# ---------------------------------------------------------------- against generated backends

V1 = """\
project: {name: planner}
auth: {mode: builtin, roles: [user, admin], default_role: user}
resources:
  Note:
    owned: true
    fields:
      title: {type: string, min_length: 1, max_length: 200}
      status: {type: enum, values: [draft, published], default: draft}
      body: {type: text, required: false}
      priority: {type: integer, min: 1, max: 5, default: 3}
    filters: [status]
    sort: [created_at, priority]
  Folder:
    owned: true
    fields:
      name: {type: string, max_length: 80}
"""
V2 = """\
project: {name: planner}
auth: {mode: builtin, roles: [user, admin], default_role: user}
resources:
  Note:
    owned: true
    soft_delete: true
    fields:
      title: {type: string, min_length: 1, max_length: 100}
      status: {type: enum, values: [draft, published, archived], default: draft}
      rank: {type: integer, min: 1, max: 5, default: 3, renamed_from: priority}
      summary: {type: string, max_length: 300}
      due: {type: datetime, required: false}
    filters: [status, due]
    sort: [created_at, rank]
    search: [title]
  Label:
    fields:
      name: {type: string, max_length: 40}
"""


@pytest.mark.slow
@pytest.mark.xdist_group("generated-backends-b")
def test_the_same_changes_as_between_the_generated_backends(
    tmp_path: Path, venv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "test")
    documents = []
    for name, text in (("v1", V1), ("v2", V2)):
        project = tmp_path / name
        generate_project(spec(text), text, project)
        app = AppSpec("app.main:create_app", project, str(venv / "bin" / "python"))
        documents.append(app_document(app, project, label=name))
    # Each change as reported: its operation, id, level and sentence, as often as it comes.
    real = Counter(_seen(c) for c in diff(*documents).changes if c.operation)
    derived = Counter(_seen(c) for c in api_changes(spec(V1), spec(V2)))
    assert derived == real, (
        sorted((derived - real).elements()),
        sorted((real - derived).elements()),
    )
    # The pair covers the kinds of change the fast tests check one by one.
    assert {check_id for _, check_id, _, _ in real} >= {
        "api-path-removed-without-deprecation",
        "endpoint-added",
        "new-optional-request-parameter",
        "new-required-request-property",
        "request-property-max-length-decreased",
        "request-property-removed",
        "response-property-enum-value-added",
        "response-required-property-removed",
    }


def _seen(change: Change) -> tuple[str, str, Level, str]:
    return (change.operation, change.id, change.level, change.message)
