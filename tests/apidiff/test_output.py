"""api-diff's report formats: text, JSON (valid against its published schema), Markdown,
SARIF (valid against the SARIF 2.1.0 schema) and GitHub annotations; and ignore files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator

from fastapi_architect.apidiff.ignore import read_ignore_file, without_accepted
from fastapi_architect.apidiff.load import ApiDiffInputError
from fastapi_architect.apidiff.model import Change, Level, Report
from fastapi_architect.apidiff.render import json_schema, render
from tests.conftest import ROOT

REPORT = Report(
    base="openapi-v1.yaml",
    revision="openapi-v2.yaml",
    changes=(
        Change(
            operation="GET /tasks/{task_id}",
            id="response-property-removed",
            level=Level.WARN,
            message="removed the response property `title` (200, application/json)",
            base_pointer="/components/schemas/Task/properties/title",
            revision_pointer="",
            base_location="openapi-v1.yaml:41:9",
        ),
        Change(
            operation="POST /tasks",
            id="new-required-request-property",
            level=Level.ERR,
            message="added the required request property `due`",
            base_pointer="/components/schemas/TaskCreate",
            revision_pointer="/components/schemas/TaskCreate/properties/due",
            base_location="openapi-v1.yaml:60:7",
            revision_location="openapi-v2.yaml:66:9",
        ),
        Change(
            operation="GET /tags",
            id="endpoint-added",
            level=Level.INFO,
            message="added the operation, with a comma, 100% new",
            revision_pointer="/paths/~1tags/get",
            revision_location="openapi-v2.yaml:12:5",
        ),
    ),
)
EMPTY = Report(base="a.yaml", revision="b.yaml")


def test_text_groups_changes_by_operation_and_ends_with_counts() -> None:
    text = render(REPORT, "text")
    lines = text.splitlines()
    assert lines[0] == "openapi-v1.yaml -> openapi-v2.yaml"
    assert (
        lines.index("GET /tags") < lines.index("GET /tasks/{task_id}") < lines.index("POST /tasks")
    )
    assert (
        "  error    new-required-request-property  added the required request property `due`"
        in lines
    )
    assert "           base: openapi-v1.yaml:60:7   revision: openapi-v2.yaml:66:9" in lines
    assert lines[-1] == "3 change(s): 1 error, 1 warning, 1 info"
    assert render(EMPTY, "text").splitlines()[-1] == "no changes between a.yaml and b.yaml"


def test_json_carries_every_field_and_validates_against_the_published_schema() -> None:
    document = json.loads(render(REPORT, "json"))
    assert document["summary"] == {"ERR": 1, "WARN": 1, "INFO": 1}
    first = document["changes"][1]
    assert first == {
        "id": "new-required-request-property",
        "level": "ERR",
        "operation": "POST /tasks",
        "message": "added the required request property `due`",
        "base": {"pointer": "/components/schemas/TaskCreate", "location": "openapi-v1.yaml:60:7"},
        "revision": {
            "pointer": "/components/schemas/TaskCreate/properties/due",
            "location": "openapi-v2.yaml:66:9",
        },
    }
    published = json.loads((ROOT / "docs" / "api-diff.schema.json").read_text())
    assert published == json.loads(json_schema()), "regenerate docs/api-diff.schema.json"
    Draft202012Validator(published).validate(document)
    Draft202012Validator(published).validate(json.loads(render(EMPTY, "json")))


def test_markdown_is_a_pull_request_comment() -> None:
    text = render(REPORT, "markdown")
    assert text.startswith("### 🛑 API changes: 1 breaking, 1 possibly breaking, 1 compatible")
    assert "#### Breaking" in text
    assert "#### May break clients" in text
    assert (
        "| `POST /tasks` | `new-required-request-property` | added the required request property `due` |"
        in text
    )
    assert render(EMPTY, "markdown").startswith("### ✅ API changes: 0 breaking")


def test_github_annotations_are_escaped_workflow_commands() -> None:
    lines = render(REPORT, "github").splitlines()
    assert (
        "::error file=openapi-v2.yaml,line=66,col=9,title=api-diff new-required-request-property"
        "::POST /tasks: added the required request property `due`"
    ) in lines
    # A removal points at the base; `%`, `,` and `:` are escaped where GitHub requires it.
    assert lines[0] == (
        "::warning file=openapi-v1.yaml,line=41,col=9,title=api-diff response-property-removed"
        "::GET /tasks/{task_id}: removed the response property `title` (200, application/json)"
    )
    assert lines[2].startswith("::notice file=openapi-v2.yaml,line=12,col=5,")
    assert lines[2].endswith("::GET /tags: added the operation, with a comma, 100%25 new")
    assert lines[3] == "3 change(s): 1 error, 1 warning, 1 info"


@pytest.fixture(scope="session")
def sarif_schema(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The SARIF 2.1.0 JSON Schema, as Microsoft's SARIF test matchers ship it (npm)."""
    if shutil.which("npm") is None:
        message = "npm is needed to fetch the SARIF 2.1.0 schema"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run every test", pytrace=False)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("sarif")
    subprocess.run(
        ["npm", "pack", "--silent", "@microsoft/jest-sarif@1.0.0-beta.0"],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=300,
    )
    archive = next(root.glob("*.tgz"))
    shutil.unpack_archive(archive, root)
    schema: dict[str, object] = json.loads(
        (root / "package" / "lib" / "schemas" / "sarif-2.1.0-rtm.5.json").read_text()
    )
    return schema


def test_sarif_is_valid_sarif_2_1_0(sarif_schema: dict[str, object]) -> None:
    for report in (REPORT, EMPTY):
        log = json.loads(render(report, "sarif"))
        Draft4Validator(sarif_schema).validate(log)
    log = json.loads(render(REPORT, "sarif"))
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == sorted(c.id for c in REPORT.changes)
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels == {
        "response-property-removed": "warning",
        "new-required-request-property": "error",
        "endpoint-added": "note",
    }
    located = run["results"][0]["locations"][0]["physicalLocation"]
    assert located == {
        "artifactLocation": {"uri": "openapi-v1.yaml"},
        "region": {"startLine": 41, "startColumn": 9},
    }


def test_an_ignore_file_accepts_agreed_changes(tmp_path: Path) -> None:
    ignore = tmp_path / "api-diff-ignore"
    ignore.write_text(
        "# agreed with the mobile team\n"
        "\n"
        "POST /tasks new-required-request-property\n"
        "get /tasks/{id} the response property `TITLE`\n"
    )
    kept = without_accepted(REPORT, read_ignore_file(ignore))
    assert [c.id for c in kept.changes] == ["endpoint-added"]
    ignore.write_text("endpoint-added\n")
    assert len(without_accepted(REPORT, read_ignore_file(ignore)).changes) == 2
    # Words of a message only count for one operation: alone, a line must be an id.
    ignore.write_text("the response property\n")
    with pytest.raises(ApiDiffInputError, match=r"api-diff-ignore:1:1: expected a change id"):
        read_ignore_file(ignore)
    ignore.write_text("GET tasks whatever\n")
    with pytest.raises(ApiDiffInputError, match=r":1:1: expected `METHOD /path"):
        read_ignore_file(ignore)


def test_the_docs_list_every_change_the_engine_knows() -> None:
    from fastapi_architect.apidiff.render import update_checks_doc

    doc = (ROOT / "docs" / "api-diff.md").read_text(encoding="utf-8")
    assert update_checks_doc(doc) == doc, "run `make docs`"
