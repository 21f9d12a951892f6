"""Naming: plurals, case conversion, identifiers the generated code cannot use."""

from __future__ import annotations

import hashlib
import keyword
import re

RESOURCE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
SNAKE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# PostgreSQL truncates identifiers beyond 63 bytes; longer names would collide silently.
MAX_IDENTIFIER = 63

# PostgreSQL's reserved key words (SQL:2016 "reserved" plus those PostgreSQL reserves for
# functions and types). A column or table with one of these names needs quoting in every
# hand-written query, so the spec refuses them.
SQL_RESERVED = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization binary both case cast
    check collate collation column concurrently constraint create cross current_catalog
    current_date current_role current_schema current_time current_timestamp current_user
    default deferrable desc distinct do else end except false fetch for foreign freeze from
    full grant group having ilike in initially inner intersect into is isnull join lateral
    leading left like limit localtime localtimestamp natural not notnull null offset on only
    or order outer overlaps placing primary references returning right select session_user
    similar some symmetric table tablesample then to trailing true union unique user using
    variadic verbose when where window with
    """.split()
)

# Attribute names that SQLModel, Pydantic or SQLAlchemy's declarative base already use on a
# model class: a field with one of these names would shadow them and break the models.
MODEL_RESERVED = frozenset(
    """
    metadata registry model_config model_fields model_computed_fields model_extra
    model_fields_set model_construct model_copy model_dump model_dump_json model_json_schema
    model_parametrized_name model_post_init model_rebuild model_validate model_validate_json
    model_validate_strings dict json copy parse_obj parse_raw parse_file from_orm construct
    schema schema_json validate update_forward_refs fields query self cls
    """.split()
)

# Python builtins that would shadow names used by the generated code when used as field names.
PYTHON_SHADOWED = frozenset({"type", "id", "list", "str", "int", "float", "bool", "object"})
# Module-level names the generated model and schema classes use in their bodies (types,
# column types, validators, default factories): a field so named would hide them.
GENERATED_MODULE_NAMES = frozenset(
    {"date", "datetime", "uuid", "sa", "scaled", "today", "utcnow", "field_validator"}
)


# Names imported beside a resource's class in the generated modules that use it (its
# model, repository and service, and the models package): a resource cannot take them.
GENERATED_CLASSES = frozenset(
    """
    Any AsyncSession AuditLog ClassVar Decimal EnumText Field Forbidden ID InvalidInput
    ItemResponse JsonValue ListMeta ListResponse Literal NotFound RefreshToken SQLModel
    Sequence SortOrder StrEnum UTCDateTime Unauthorized
    """.split()
)
# Classes generated per resource: `<Resource><suffix>`.
RESOURCE_CLASS_SUFFIXES = (
    "Create",
    "Update",
    "Public",
    "ListParams",
    "Sort",
    "Service",
    "Repository",
)


def is_python_keyword(name: str) -> bool:
    return keyword.iskeyword(name) or keyword.issoftkeyword(name)


def snake_case(name: str) -> str:
    """`TaskItem` -> `task_item`, `HTTPLog` -> `http_log`."""
    step = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    step = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", step)
    return step.replace("-", "_").lower()


def pascal_case(name: str) -> str:
    """`task_item` / `task-item` / `task item` -> `TaskItem`."""
    parts = re.split(r"[^A-Za-z0-9]+", name)
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def enum_class_name(resource: str, field: str) -> str:
    """The class generated code gives an enum field's values: `Task` + `status` -> `TaskStatus`."""
    return f"{resource}{pascal_case(field)}"


# Generated schemas declare an optional enum field on one line that formatting cannot break,
# `    {field}: {class} | None = None`, within the 100 characters of the project's line length.
MAX_ENUM_NAMES = 100 - len("    : | None = None")


_IRREGULAR_PLURALS = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "goose": "geese",
    "datum": "data",
    "index": "indexes",
    "status": "statuses",
    "quiz": "quizzes",
}
_UNCOUNTABLE = frozenset({"news", "series", "species", "equipment", "information", "media"})


def pluralize(word: str) -> str:
    """English plural of a snake_case word (its last part): `category` -> `categories`."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _UNCOUNTABLE:
        return word
    if last in _IRREGULAR_PLURALS:
        return prefix + _IRREGULAR_PLURALS[last]
    if re.search(r"[^aeiou]y$", last):
        return prefix + last[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", last):
        return prefix + last + "es"
    if re.search(r"[^aeiou]o$", last) and last not in {"photo", "piano", "logo", "memo", "video"}:
        return prefix + last + "es"
    if last.endswith("fe"):
        return prefix + last[:-2] + "ves"
    if last.endswith("f") and not last.endswith(("ff", "of", "ief")):
        return prefix + last[:-1] + "ves"
    return prefix + last + "s"


def singularize(word: str) -> str:
    """Best-effort inverse of `pluralize` for naming association columns."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    for singular, plural in _IRREGULAR_PLURALS.items():
        if last == plural:
            return prefix + singular
    if last in _UNCOUNTABLE:
        return word
    if last.endswith("ies") and len(last) > 3:
        return prefix + last[:-3] + "y"
    if re.search(r"(ss|x|z|ch|sh)es$", last):
        return prefix + last[:-2]
    if last.endswith("s") and not last.endswith("ss"):
        return prefix + last[:-1]
    return word


def constraint_name(kind: str, table: str, *parts: str) -> str:
    """A database object name that stays unique and within PostgreSQL's 63-byte limit."""
    name = "_".join((kind, table, *parts))
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"
