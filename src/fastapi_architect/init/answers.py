"""What a new spec is made of: the answers to `init`'s questions, given on a terminal or as
flags, and the short notation for a resource and its fields (`Task=title,done:boolean`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, get_args

from fastapi_architect.spec.document import AuthMode, DatabaseSpec
from fastapi_architect.spec.types import FieldType

Engine = Literal["postgresql", "sqlite"]
AUTH_MODES: tuple[AuthMode, ...] = get_args(AuthMode)
ENGINES: tuple[Engine, ...] = get_args(DatabaseSpec.model_fields["engine"].annotation)
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)
DEFAULT_NAME = "myapi"
# The placeholders the checker suggests for an external issuer; replace them with yours.
DEFAULT_JWKS_URL = "https://auth.example.com/api/auth/jwks"
DEFAULT_ISSUER = "https://auth.example.com"
DEFAULT_AUDIENCE = "https://auth.example.com"
FIELDS_NOTATION = (
    "fields are `name` or `name:type`, comma-separated; `?` after one makes it optional; "
    "`status:enum(todo|done)` lists a choice; `name:Resource` links to another resource"
)
_FIELD = re.compile(r"^(?P<name>[^:?\s]+)\s*(?::\s*(?P<type>[^?]+?))?\s*(?P<optional>\?)?$")
_ENUM = re.compile(r"^enum\s*\((?P<values>[^()]*)\)$")
_RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z0-9]*$")


class AnswerError(ValueError):
    """An answer that cannot be read: what is wrong and how to write it."""


@dataclass(frozen=True)
class FieldAnswer:
    """One field: a column of a type, or (with `target`) a link to another resource."""

    name: str
    type: FieldType | None = "string"
    required: bool = True
    values: tuple[str, ...] = ()
    target: str | None = None


@dataclass(frozen=True)
class ResourceAnswer:
    name: str
    fields: tuple[FieldAnswer, ...]
    owned: bool = True


@dataclass(frozen=True)
class Issuer:
    """The external token issuer of `auth.mode: jwks`."""

    url: str = DEFAULT_JWKS_URL
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE


@dataclass(frozen=True)
class SpecAnswers:
    """Everything `init` asks; each has a default."""

    name: str = DEFAULT_NAME
    auth: AuthMode = "builtin"
    database: Engine = "postgresql"
    resources: tuple[ResourceAnswer, ...] = field(default_factory=tuple)
    issuer: Issuer = field(default_factory=Issuer)

    @property
    def auth_enabled(self) -> bool:
        return self.auth != "none"


def _split_top(text: str) -> list[str]:
    """`text` split on commas outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts]


def parse_field(text: str) -> FieldAnswer:
    """One field in the short notation: `title`, `body:text?`, `status:enum(todo|done)`,
    `project:Project` (a link)."""
    match = _FIELD.match(text.strip())
    if match is None:
        raise AnswerError(f"cannot read field {text.strip()!r}: {FIELDS_NOTATION}")
    name, kind = match["name"], (match["type"] or "string").strip()
    required = match["optional"] is None
    enum = _ENUM.match(kind)
    if enum is not None:
        values = tuple(v.strip() for v in enum["values"].split("|") if v.strip())
        if not values:
            raise AnswerError(f"field {name!r}: list the choices, e.g. {name}:enum(todo|done)")
        return FieldAnswer(name, "enum", required, values=values)
    if kind == "enum":
        raise AnswerError(f"field {name!r}: list the choices, e.g. {name}:enum(todo|done)")
    for known in FIELD_TYPES:
        if kind == known:
            return FieldAnswer(name, known, required)
    if _RESOURCE_TYPE.match(kind):
        return FieldAnswer(name, None, required, target=kind)
    raise _unknown_type(name, kind)


def _unknown_type(name: str, kind: str) -> AnswerError:
    lowered = [t for t in FIELD_TYPES if t == kind.lower()]
    hint = f" (did you mean {lowered[0]!r}?)" if lowered else ""
    return AnswerError(
        f"field {name!r}: unknown type {kind!r}{hint}; the types are {', '.join(FIELD_TYPES)}, "
        "or a resource's PascalCase name for a link to it"
    )


def check_links(resource: ResourceAnswer, resources: set[str]) -> None:
    """A link to no resource whose name is a type in capitals (`title:String`) is a typo of
    the type; AnswerError says so."""
    for answer in resource.fields:
        target = answer.target
        if target is not None and target not in resources and target.lower() in FIELD_TYPES:
            raise AnswerError(f"resource {resource.name}: {_unknown_type(answer.name, target)}")


def parse_fields(text: str) -> tuple[FieldAnswer, ...]:
    """A comma-separated list of fields; at least one, each named once."""
    items = [item for item in _split_top(text) if item]
    if not items:
        raise AnswerError(f"give at least one field: {FIELDS_NOTATION}")
    fields = tuple(parse_field(item) for item in items)
    seen: set[str] = set()
    for answer in fields:
        if answer.name in seen:
            raise AnswerError(f"field {answer.name!r} is listed twice")
        seen.add(answer.name)
    return fields


def parse_resource(text: str, *, owned: bool = True) -> ResourceAnswer:
    """`Name=field,field:type,...`, the notation of `init --resource`."""
    name, equals, fields = text.partition("=")
    name = name.strip()
    if not equals or not name:
        raise AnswerError(
            f"cannot read resource {text!r}: write NAME=FIELDS, e.g. "
            f"'Task=title,done:boolean,due:datetime?'; {FIELDS_NOTATION}"
        )
    try:
        return ResourceAnswer(name, parse_fields(fields), owned=owned)
    except AnswerError as exc:
        raise AnswerError(f"resource {name}: {exc}") from None


def project_name_for(directory_name: str) -> str:
    """A project name made from a directory's name, or the default when none can be."""
    name = re.sub(r"[^a-z0-9_-]+", "-", directory_name.lower()).strip("-_")
    name = re.sub(r"^[^a-z]+", "", name)[:50].rstrip("-_")
    return name or DEFAULT_NAME
