"""What the parts of the resolver share: the resources being resolved, the problems and open
questions reported, and the checks every name in the spec goes through."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fastapi_architect.spec.document import ResourceSpec, SpecDocument
from fastapi_architect.spec.model import OpenQuestion, ResolvedField, ResolvedRelation
from fastapi_architect.spec.names import (
    GENERATED_MODULE_NAMES,
    MAX_IDENTIFIER,
    MODEL_RESERVED,
    PYTHON_SHADOWED,
    SNAKE_NAME,
    SQL_RESERVED,
    is_python_keyword,
    snake_case,
)
from fastapi_architect.spec.problems import Problem
from fastapi_architect.spec.source import DocPath, SourceMap

USER = "User"
IMPLICIT_COLUMNS = ("id", "created_at", "updated_at", "owner_id", "deleted_at")
PRINCIPALS = ("public", "authenticated", "owner")


@dataclass
class Draft:
    """A resource while it is being resolved; frozen into `Resource` at the end."""

    name: str
    spec: ResourceSpec
    path: DocPath
    singular: str
    plural: str
    table: str
    builtin: bool
    fields: list[ResolvedField] = field(default_factory=list)
    relations: list[ResolvedRelation] = field(default_factory=list)

    def field_names(self) -> set[str]:
        return {item.name for item in self.fields}

    def relation_names(self) -> set[str]:
        return {item.name for item in self.relations}


class ResolverBase:
    """The state of one resolution; the resolver's parts (`resolve_fields`,
    `resolve_relations`, `resolve_lists`) extend it."""

    def __init__(self, document: SpecDocument, source: SourceMap) -> None:
        self.doc = document
        self.source = source
        self.problems: list[Problem] = []
        self.questions: list[OpenQuestion] = []
        self.drafts: dict[str, Draft] = {}

    # ------------------------------------------------------------ reporting

    def error(
        self, path: DocPath, code: str, message: str, hint: str | None = None, *, key: bool = False
    ) -> None:
        location = self.source.key(path) if key else self.source.value(path)
        self.problems.append(Problem.at(location, code, message, hint))

    def question(self, path: DocPath, subject: str, decision: str) -> None:
        location = self.source.key(path)
        self.questions.append(OpenQuestion(location=location, subject=subject, decision=decision))

    # ------------------------------------------------------------ names

    def check_identifier(
        self, path: DocPath, name: str, what: str, *, key: bool = False, sql: bool = True
    ) -> bool:
        if not SNAKE_NAME.match(name):
            self.error(
                path,
                "bad-name",
                f"{name!r}, {what}, must be snake_case: lowercase letters, digits and '_', "
                "starting with a letter",
                f"use {snake_case(re.sub(r'[^A-Za-z0-9]+', '_', name)).strip('_') or 'item'!r}",
                key=key,
            )
            return False
        if len(name) > MAX_IDENTIFIER - 10:
            self.error(
                path,
                "bad-name",
                f"{name!r}, {what}, is too long ({len(name)} characters; at most "
                f"{MAX_IDENTIFIER - 10} leave room for index names)",
                key=key,
            )
            return False
        if is_python_keyword(name):
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, is a Python keyword",
                f"use {name + '_'!r} or another word",
                key=key,
            )
            return False
        if sql and name in SQL_RESERVED:
            self.error(
                path,
                "sql-keyword",
                f"{name!r}, {what}, is a reserved SQL keyword",
                f"use another word, e.g. {name + '_value'!r} or a more specific name",
                key=key,
            )
            return False
        return True

    def check_member_name(
        self, draft: Draft, path: DocPath, name: str, what: str, *, column: bool = True
    ) -> bool:
        """Checks for a field or relation name on a resource (`column`: it names a column)."""
        if not self.check_identifier(path, name, what, key=True, sql=column):
            return False
        if name in IMPLICIT_COLUMNS or name == "owner":
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, is an implicit column that every resource already has"
                if name in IMPLICIT_COLUMNS
                else f"'owner', {what}, is the implicit owner of owned resources",
                "remove it, or choose another name",
                key=True,
            )
            return False
        if name in MODEL_RESERVED or name in PYTHON_SHADOWED or name.startswith("model_"):
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, would shadow an attribute of the generated model class",
                "choose another name",
                key=True,
            )
            return False
        if name in GENERATED_MODULE_NAMES:
            self.error(
                path,
                "reserved-name",
                f"{name!r}, {what}, would hide the generated modules' own {name!r}",
                "choose another name that says what it holds"
                + (f", e.g. `due_{name}` or `{name}_taken`" if "date" in name else ""),
                key=True,
            )
            return False
        return True
