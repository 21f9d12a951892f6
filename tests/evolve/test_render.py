"""A change plan as text, Markdown and JSON: every step with its safety class, cause,
location, reason and recipe, refusals with their hints, the API impact, the notes and a
summary; the JSON valid against the published schema, docs/evolve.schema.json."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from fastapi_architect.apidiff.model import Change, Level
from fastapi_architect.evolve import Plan, Safety, Step, plan_change
from fastapi_architect.evolve.render import json_schema, json_schema_text, markdown, text, to_json
from fastapi_architect.spec import Location
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "evolve"
SCHEMA_FILE = ROOT / "docs" / "evolve.schema.json"

RENAME = Step(
    id="rename-column",
    table="notes",
    subject="column notes.body to content",
    safety=Safety.SAFE,
    reason="a rename is a catalog change: every value stays",
    recipe="ALTER TABLE ... RENAME COLUMN",
    cause="field Note.content renamed from body",
    location=Location("v2.yaml", 8, 7),
)
BACKFILL = Step(
    id="backfill-column",
    table="notes",
    subject="column notes.source",
    safety=Safety.BACKFILL,
    reason="every existing row is written once",
    recipe="UPDATE notes SET source = 'import' WHERE source IS NULL",
    cause="field Note.source added as required",
)
LOCK = Step(
    id="alter-column-type",
    table="notes",
    subject="column notes.title",
    safety=Safety.LOCK,
    reason="changing VARCHAR(200) to VARCHAR(100) rewrites the table",
    recipe="nothing: refused",
    cause="field Note.title type changed",
    location=Location("v2.yaml", 7, 7),
    refused="column notes.title: changing VARCHAR(200) to VARCHAR(100) rewrites the table",
    hint="add a new field and copy the values",
)
DROP = Step(
    id="drop-column",
    table="notes",
    subject="column notes.legacy",
    safety=Safety.DATA_LOSS,
    reason="every value of column notes.legacy is deleted for good",
    recipe="DROP COLUMN (downgrade adds it back, empty)",
    cause="field Note.legacy removed",
    location=Location("v1.yaml", 9, 7),
    refused="dropping column notes.legacy loses its values",
    hint="pass --allow-data-loss to drop it",
    reversible=False,
)
BREAKING_STEP = Step(
    id="rename-path",
    table="",
    subject="path /notes",
    safety=Safety.BREAKING,
    reason="clients call the old path",
    recipe="nothing in the database",
    cause="resource Note renamed",
)
REMOVED = Change(
    operation="GET /notes",
    id="response-required-property-removed",
    level=Level.ERR,
    message="required response property removed: `legacy`",
    base_location="openapi-v1.json:40:9",
)
ENUM_ADDED = Change(
    operation="GET /notes",
    id="response-property-enum-value-added",
    level=Level.WARN,
    message="enum value added to a response property: `status` (archived)",
)
OPTIONAL_ADDED = Change(
    operation="POST /notes",
    id="new-optional-request-property",
    level=Level.INFO,
    message="optional request property added: `summary`",
)
EVERYTHING = Plan(
    steps=(RENAME, BACKFILL, LOCK, DROP, BREAKING_STEP),
    api=(OPTIONAL_ADDED, ENUM_ADDED, REMOVED),
    notes=("soft_delete switched on for Note",),
)


def real_plan(old: str, new: str) -> Plan:
    old_file, new_file = EXAMPLES / old, EXAMPLES / new
    return plan_change(old_file.read_text(), new_file.read_text(), old_file=old, new_file=new)


def validate(data: object) -> None:
    """The JSON as a consumer reads it (dumped and loaded) is valid against the schema."""
    round_tripped = json.loads(json.dumps(data))
    jsonschema.Draft202012Validator(json_schema()).validate(round_tripped)


# ---------------------------------------------------------------- text


def test_text_explains_every_step_in_order_then_the_api_the_notes_and_a_summary() -> None:
    printed = text(EVERYTHING, old="v1.yaml", new="v2.yaml")
    assert printed.startswith("v1.yaml -> v2.yaml\n")
    assert (
        "1. column notes.body to content  [safe online]\n"
        "    step:    rename-column\n"
        "    cause:   field Note.content renamed from body\n"
        "    where:   v2.yaml:8:7\n"
        "    reason:  a rename is a catalog change: every value stays\n"
        "    recipe:  ALTER TABLE ... RENAME COLUMN\n"
    ) in printed
    # Each class in its words; steps in the plan's order.
    headlines = [line for line in printed.splitlines() if re.match(r"\d+\. ", line)]
    assert headlines == [
        "1. column notes.body to content  [safe online]",
        "2. column notes.source  [needs a backfill]",
        "3. column notes.title  [takes a blocking lock]  REFUSED",
        "4. column notes.legacy  [loses data]  REFUSED",
        "5. path /notes  [breaks API clients]",
    ]
    assert (
        "    refused: dropping column notes.legacy loses its values\n"
        "    hint:    pass --allow-data-loss to drop it\n"
    ) in printed
    # A step without a location has no `where:` line.
    backfill = printed.split("2. column notes.source")[1].split("3. ")[0]
    assert "where:" not in backfill
    # API impact after the steps, grouped by operation, the most harmful first.
    api = printed.split("API impact:\n")[1]
    assert api.index("GET /notes") < api.index("POST /notes")
    assert api.index("ERR   response-required-property-removed") < api.index("WARN  ")
    assert "          openapi-v1.json:40:9\n" in api
    assert "Notes (no migration step):\n  - soft_delete switched on for Note\n" in printed
    assert printed.endswith(
        "\n5 steps (1 safe online, 1 needs a backfill, 1 takes a blocking lock, 1 loses data, "
        "1 breaks API clients); 2 refused; 1 breaking of 3 API changes\n"
    )


def test_text_is_plain_and_says_so_when_nothing_changes() -> None:
    assert text(Plan()) == "no changes\n"
    assert text(Plan(), old="a.yaml", new="b.yaml") == (
        "a.yaml -> b.yaml\n\nno changes between a.yaml and b.yaml\n"
    )
    notes_only = text(Plan(notes=("default of notes.status changed",)))
    assert "  - default of notes.status changed" in notes_only
    assert notes_only.endswith("0 steps; 0 refused; 0 breaking of 0 API changes\n")
    assert "\x1b[" not in text(EVERYTHING)


def test_text_of_a_real_plan_names_each_safety_class() -> None:
    printed = text(real_plan("notes-v1.yaml", "notes-v2.yaml"))
    for safety in (Safety.SAFE, Safety.BACKFILL, Safety.LOCK, Safety.DATA_LOSS):
        assert f"[{safety.description}]" in printed
    assert "REFUSED" in printed
    assert "where:   notes-v2.yaml:" in printed
    # A removal is located in the old spec.
    assert "where:   notes-v1.yaml:" in printed


# ---------------------------------------------------------------- Markdown


def test_markdown_is_a_pull_request_comment() -> None:
    comment = markdown(EVERYTHING, old="v1.yaml", new="v2.yaml")
    assert comment.startswith("### 🛑 Spec change: 5 steps (")
    assert "`v1.yaml` → `v2.yaml`" in comment
    assert (
        "| 4 | loses data **refused** | `drop-column` column notes.legacy | field Note.legacy "
        "removed (`v1.yaml:9:7`) |"
    ) in comment
    assert (
        "- dropping column notes.legacy loses its values (step 4, `drop-column`). "
        "**Hint:** pass --allow-data-loss to drop it"
    ) in comment
    assert "| ERR (breaking) | `GET /notes` | `response-required-property-removed` |" in comment
    # Compatible changes are folded away.
    details = comment.split("<details><summary>1 compatible change</summary>")[1]
    assert "`new-optional-request-property`" in details
    assert "#### Notes\n\n- soft_delete switched on for Note\n" in comment


@pytest.mark.parametrize(
    ("plan", "icon"),
    [
        (Plan(steps=(RENAME,)), "✅"),
        (Plan(steps=(RENAME, BACKFILL)), "⚠️"),
        (Plan(steps=(DROP,)), "🛑"),
        (Plan(api=(REMOVED,)), "🛑"),
    ],
)
def test_markdown_headline_shows_the_worst(plan: Plan, icon: str) -> None:
    assert markdown(plan).startswith(f"### {icon} ")


def test_markdown_escapes_table_cells() -> None:
    step = Step(
        id="add-check",
        table="notes",
        subject="check ck_notes_x",
        safety=Safety.SAFE,
        reason="a | b",
        recipe="CHECK (a OR b)",
        cause="x",
    )
    assert "| a \\| b |" in markdown(Plan(steps=(step,)))


# ---------------------------------------------------------------- JSON


def test_json_holds_every_step_field_and_api_diffs_change_shape() -> None:
    data = to_json(EVERYTHING, old="v1.yaml", new="v2.yaml")
    validate(data)
    assert (data["old"], data["new"]) == ("v1.yaml", "v2.yaml")
    assert data["summary"] == {
        "steps": 5,
        "safety": {"safe": 1, "backfill": 1, "lock": 1, "data-loss": 1, "breaking": 1},
        "unsafe": 4,
        "refused": 2,
        "api": {"ERR": 1, "WARN": 1, "INFO": 1},
    }
    assert data["steps"][3] == {
        "id": "drop-column",
        "table": "notes",
        "subject": "column notes.legacy",
        "safety": "data-loss",
        "safety_description": "loses data",
        "cause": "field Note.legacy removed",
        "location": "v1.yaml:9:7",
        "reason": "every value of column notes.legacy is deleted for good",
        "recipe": "DROP COLUMN (downgrade adds it back, empty)",
        "refused": "dropping column notes.legacy loses its values",
        "hint": "pass --allow-data-loss to drop it",
        "reversible": False,
    }
    assert data["steps"][1]["location"] == ""
    removed = next(c for c in data["api"] if c["level"] == "ERR")
    assert removed == {
        "id": "response-required-property-removed",
        "level": "ERR",
        "operation": "GET /notes",
        "message": "required response property removed: `legacy`",
        "base": {"pointer": "", "location": "openapi-v1.json:40:9"},
        "revision": {"pointer": "", "location": ""},
    }
    assert data["notes"] == ["soft_delete switched on for Note"]
    # Without labels, the sources are null.
    unlabelled = to_json(Plan())
    validate(unlabelled)
    assert (unlabelled["old"], unlabelled["new"]) == (None, None)


def test_the_schema_rejects_what_is_not_a_report() -> None:
    data = to_json(EVERYTHING)
    data["steps"][0]["safety"] = "risky"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())
    data = to_json(EVERYTHING)
    del data["summary"]["refused"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, json_schema())


def test_the_published_schema_is_the_schema_of_the_output() -> None:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    # Regenerate with `python -m fastapi_architect.evolve.render`.
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == schema
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text()


V1 = """\
project: {name: notes}
auth: {mode: none}
resources:
  Note:
    fields:
      body: text
      status: {type: enum, values: [draft, published]}
      legacy: {type: string, required: false}
"""


@pytest.mark.parametrize(
    "new",
    [
        V1,
        V1 + "      summary: {type: string, required: false}\n",
        V1 + "      pinned: {type: boolean, default: false}\n",
        V1 + "      title: string\n",
        V1.replace("      legacy: {type: string, required: false}\n", ""),
        V1.replace("body: text", "content: {type: text, renamed_from: body}"),
        V1.replace("body: text", "body: {type: string, max_length: 20}"),
        V1.replace("[draft, published]", "[draft]"),
        V1 + "    soft_delete: true\n  Folder: {fields: {name: string}}\n",
        V1.replace("body: text", "body: {type: text, renamed_from: nothing}"),
    ],
    ids=[
        "same",
        "nullable",
        "default",
        "no-value",
        "drop",
        "rename",
        "narrower",
        "enum-removed",
        "new-resource",
        "bad-rename",
    ],
)
def test_real_plans_validate_against_the_schema(new: str) -> None:
    plan = plan_change(V1, new, old_file="v1.yaml", new_file="v2.yaml")
    validate(to_json(plan, old="v1.yaml", new="v2.yaml"))
    # The other way round too: what v2 -> v1 takes.
    validate(to_json(plan_change(new, V1)))


def test_the_example_plan_validates_against_the_schema() -> None:
    plan = real_plan("notes-v1.yaml", "notes-v2.yaml")
    data = to_json(plan, old="notes-v1.yaml", new="notes-v2.yaml")
    validate(data)
    assert {step["safety"] for step in data["steps"]} >= {"safe", "backfill", "data-loss"}
