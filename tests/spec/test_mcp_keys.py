"""`mcp:` at the top level and per resource: checked with located problems, resolved into
the tools the backend serves, and described by the spec schema."""

from __future__ import annotations

from fastapi_architect import check_text
from fastapi_architect.spec import spec_json_schema
from fastapi_architect.spec.tools import mcp_tools

SPEC = """\
project: {name: notes}
mcp: true
auth: {roles: [user, admin]}
resources:
  Note:
    owned: true
    soft_delete: true
    fields: {text: string}
  Draft:
    owned: true
    mcp: false
    fields: {text: string}
"""


def test_tools_are_the_routes_of_the_resources_served_over_mcp() -> None:
    spec = check_text(SPEC, "architect.yaml").spec
    assert spec is not None
    tools = mcp_tools(spec)
    assert [tool.name for tool in tools] == [
        "list_notes",
        "create_note",
        "list_deleted_notes",
        "get_note",
        "update_note",
        "delete_note",
        "restore_note",
    ]
    by_name = {tool.name: tool for tool in tools}
    assert by_name["get_note"].hints.read_only
    assert by_name["delete_note"].hints.destructive
    assert not by_name["create_note"].hints.idempotent
    assert by_name["update_note"].arguments == ("id", "changes")
    assert by_name["update_note"].input_schema == "NoteUpdate"
    assert by_name["list_notes"].output_schema == "ListResponse[NotePublic]"
    assert by_name["delete_note"].output_schema is None


def test_without_the_top_level_key_there_are_no_tools() -> None:
    spec = check_text(SPEC.replace("mcp: true\n", ""), "architect.yaml").spec
    assert spec is not None
    assert mcp_tools(spec) == ()
    assert not any(resource.mcp for resource in spec.resources)


def test_wrong_types_and_unknown_keys_are_located() -> None:
    text = SPEC.replace("mcp: true", 'mcp: "on"').replace("mcp: false", "mpc: false")
    problems = check_text(text, "architect.yaml").problems
    found = {(p.location.line, p.location.column, p.code) for p in problems}
    assert found == {(2, 6, "bad-type"), (11, 5, "unknown-key")}


def test_the_built_in_user_takes_no_mcp_key() -> None:
    text = SPEC + "  User:\n    mcp: false\n    fields: {nickname: string}\n"
    problems = check_text(text, "architect.yaml").problems
    assert [p.code for p in problems] == ["builtin-user"]


def test_the_schema_describes_both_keys() -> None:
    schema = spec_json_schema()
    assert schema["properties"]["mcp"]["type"] == "boolean"
    assert schema["$defs"]["ResourceSpec"]["properties"]["mcp"]["default"] is True
