"""The `architect.yaml` that `init` writes: the answers as a commented spec to start from.

Each part of the text is remembered with its lines (`Rendered.sections`), so that a problem
the checker finds in it can be told against the answer that caused it."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field

from fastapi_architect.init.answers import FIELD_TYPES, FieldAnswer, ResourceAnswer, SpecAnswers

SPEC_FILE = "architect.yaml"
SCHEMA_FILE = "architect.schema.json"
SCHEMA_LINE = f"# yaml-language-server: $schema=./{SCHEMA_FILE}"
COMMENT_COLUMN = 40
PROJECT, AUTH, DATABASE = "project", "auth", "database"
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./ -]*$")
# Words YAML 1.1 reads as booleans or null when unquoted.
_YAML_WORDS = frozenset({"yes", "no", "on", "off", "true", "false", "y", "n", "null", "none", "~"})
_FILTERABLE = frozenset({"enum", "boolean", "integer", "date", "datetime"})
_SORTABLE = frozenset({"string", "integer", "decimal", "date", "datetime"})
_SEARCHABLE = frozenset({"string", "text"})


@dataclass
class Rendered:
    """The spec text, and the 1-based line ranges (first, last) of each section in it:
    `project`, `auth`, `database` and `resources.<Name>` for each resource."""

    text: str
    sections: dict[str, tuple[int, int]] = field(default_factory=dict)

    def section_at(self, line: int) -> str | None:
        for name, (first, last) in self.sections.items():
            if first <= line <= last:
                return name
        return None


def resource_section(name: str) -> str:
    """The section of resource `name` in `Rendered.sections`."""
    return f"resources.{name}"


def scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when that reads back as the same text, else quoted."""
    if _PLAIN.match(value) and value.lower() not in _YAML_WORDS and not value.endswith(" "):
        return value
    return json.dumps(value)


def title_of(name: str) -> str:
    return " ".join(word.capitalize() for word in re.split(r"[-_]+", name) if word) + " API"


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.sections: dict[str, tuple[int, int]] = {}
        self._open: tuple[str, int] | None = None

    def add(self, text: str, comment: str = "") -> None:
        if comment:
            pad = max(COMMENT_COLUMN - len(text), 1) if text else 0
            text = f"{text}{' ' * pad}# {comment}"
        self.lines.append(text)

    def begin(self, section: str) -> None:
        self._open = (section, len(self.lines) + 1)

    def end(self) -> None:
        assert self._open is not None
        name, first = self._open
        self.sections[name] = (first, len(self.lines))
        self._open = None


def _field_line(answer: FieldAnswer) -> str:
    parts = [f"type: {answer.type}"]
    if answer.type == "enum":
        parts.append(f"values: [{', '.join(scalar(v) for v in answer.values)}]")
        if answer.required:
            parts.append(f"default: {scalar(answer.values[0])}")
    if answer.type == "boolean" and answer.required:
        parts.append("default: false")
    if not answer.required:
        parts.append("required: false")
    return f"      {answer.name}: {{{', '.join(parts)}}}"


def _relation_line(answer: FieldAnswer) -> str:
    parts = [f"to: {answer.target}"]
    if not answer.required:
        parts.append("required: false")
    return f"      {answer.name}: {{{', '.join(parts)}}}"


def _suggestions(resource: ResourceAnswer) -> list[tuple[str, str, str]]:
    """Commented list options that would be valid for this resource's fields."""
    columns = [f for f in resource.fields if f.target is None]
    links = [f.name for f in resource.fields if f.target is not None]
    filters = [f.name for f in columns if f.type in _FILTERABLE] + links
    sort = ["created_at"] + [f.name for f in columns if f.type in _SORTABLE]
    search = [f.name for f in columns if f.type in _SEARCHABLE]
    out = []
    if filters:
        out.append(("filters", ", ".join(filters[:4]), "fields the list can filter on"))
    out.append(("sort", ", ".join(sort[:4]), "fields the list can sort on"))
    if search:
        out.append(("search", ", ".join(search[:3]), "text fields searched by ?q="))
    return out


def _resource(lines: _Lines, resource: ResourceAnswer, answers: SpecAnswers) -> None:
    lines.begin(resource_section(resource.name))
    lines.add(f"  {resource.name}:")
    if answers.auth_enabled:
        if resource.owned:
            lines.add("    owned: true", "rows belong to their creator; others get a 404")
        else:
            lines.add("    owned: false", "signed-in users read, admins write")
    columns = [f for f in resource.fields if f.target is None]
    links = [f for f in resource.fields if f.target is not None]
    if columns:
        lines.add("    fields:")
        for answer in columns:
            lines.add(_field_line(answer))
    if links:
        lines.add("    relations:", "many_to_one links: a foreign key each")
        for answer in links:
            lines.add(_relation_line(answer))
    for key, value, meaning in _suggestions(resource):
        lines.add(f"    # {key}: [{value}]", meaning)
    lines.end()


def render_spec(answers: SpecAnswers) -> Rendered:
    """The commented `architect.yaml` for `answers`."""
    lines = _Lines()
    lines.add(SCHEMA_LINE)
    lines.add(f"# The spec of the {answers.name} backend: `fastapi-architect check {SPEC_FILE}`")
    lines.add(f"# checks it; {SCHEMA_FILE} beside it lets your editor complete every key.")
    lines.add("# What is not written here takes its default; `check` lists the decisions it")
    lines.add("# took for you as open questions.")
    lines.add("")
    lines.begin(PROJECT)
    lines.add("project:")
    lines.add(f"  name: {scalar(answers.name)}", "names the Python package and the database")
    lines.add(f"  title: {scalar(title_of(answers.name))}", "shown in the API docs")
    lines.add('  description: ""', "one or two sentences on what it is for")
    lines.end()
    lines.add("")
    lines.begin(AUTH)
    lines.add("auth:")
    lines.add(f"  mode: {answers.auth}", " | ".join(("builtin", "jwks", "none")))
    if answers.auth == "builtin":
        lines.add("  roles: [user, admin]", "lowest privilege first")
    elif answers.auth == "jwks":
        lines.add("  roles: [user, admin]", "lowest privilege first")
        lines.add("  jwks:", "the issuer that signs your users' tokens")
        lines.add(f"    url: {json.dumps(answers.issuer.url)}", "its JSON Web Key Set")
        lines.add(f"    issuer: {json.dumps(answers.issuer.issuer)}", "expected `iss` claim")
        lines.add(f"    audience: {json.dumps(answers.issuer.audience)}", "expected `aud` claim")
    lines.end()
    lines.add("")
    lines.begin(DATABASE)
    lines.add("database:", "development and tests always run on SQLite")
    lines.add(f"  engine: {answers.database}", "production: postgresql | sqlite")
    lines.end()
    lines.add("")
    about = (
        "One table and its REST endpoints (/api/v1/<plural>) per resource; each also has id, "
        f"created_at and updated_at. Field types: {', '.join(FIELD_TYPES)}."
    )
    for line in textwrap.wrap(about, 88):
        lines.add(f"# {line}")
    lines.add("resources:")
    for resource in answers.resources:
        _resource(lines, resource, answers)
    return Rendered("\n".join(lines.lines) + "\n", lines.sections)
