"""Reading spec documents: YAML features, JSON, encodings and hostile input."""

from __future__ import annotations

from pathlib import Path

from fastapi_architect import check_file, check_text

MINIMAL = "project: {name: demo}\nresources:\n  Note: {fields: {text: string}}\n"


def test_minimal_spec_is_valid_with_defaults() -> None:
    result = check_text(MINIMAL)
    assert result.ok
    assert result.spec is not None
    note = result.spec.resource("Note")
    assert note.path == "/notes"
    assert note.table == "notes"
    assert note.access.read == ("authenticated",)
    assert note.access.create == ("admin",)
    assert result.spec.auth.mode == "builtin"
    assert [q.render() for q in result.spec.open_questions] == [
        "api.ids: not set: UUID (v4) primary keys",
        "auth: not set: built-in auth (register, login, JWTs)",
        "auth.default_role: not set: new users get 'user'",
        "Note.access: defaults taken: read authenticated, create admin, update admin, delete admin",
        "Note.text: string without max_length: 255 taken",
    ]


def test_merge_key_explicit_values_win() -> None:
    text = (
        "project: {name: demo}\n"
        "resources:\n"
        "  Tag:\n"
        "    fields:\n"
        "      label: &base {type: string, max_length: 40}\n"
        "      code: {<<: *base, max_length: 8}\n"
    )
    result = check_text(text)
    assert result.spec is not None, result.problems
    tag = result.spec.resource("Tag")
    assert tag.field("label").max_length == 40
    assert tag.field("code").max_length == 8


def test_keys_that_yaml_reads_as_booleans_stay_names() -> None:
    text = "project: {name: demo}\nresources:\n  Switch: {fields: {on: boolean}}\n"
    result = check_text(text)
    assert [p.message for p in result.problems] == [
        "'on', a field of Switch, is a reserved SQL keyword"
    ]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    result = check_text("\n".join(lines) + "\n")
    assert [p.code for p in result.problems] == ["too-large"]


def test_json_spec_with_locations(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(
        '{\n  "project": {"name": "demo"},\n  "resources": {"Note": {"fields": {"text": 5}}}\n}\n'
    )
    result = check_file(path)
    assert [p.render().splitlines()[0] for p in result.problems] == [
        f"{path}:3:45: error: field Note.text must be a mapping, not an integer 5 [bad-type]"
    ]


def test_json_duplicate_keys_are_refused() -> None:
    result = check_text('{"project": {"name": "a", "name": "b"}, "resources": {}}', "spec.json")
    assert [p.code for p in result.problems] == ["duplicate-key"]


def test_non_utf8_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"project: {name: demo}\nresources:\n  Caf\xe9: {}\n")
    result = check_file(path)
    assert [(p.location.line, p.location.column, p.code) for p in result.problems] == [
        (3, 6, "not-utf8")
    ]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert check_file(path).ok


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(MINIMAL + "#" * 6_000_000)
    assert [p.code for p in check_file(path).problems] == ["too-large"]


def test_python_tags_are_not_executed() -> None:
    result = check_text("project: !!python/object/apply:os.system [echo hi]\nresources: {}\n")
    assert [p.code for p in result.problems] == ["syntax"]
    assert result.problems[0].location.line == 1
