"""The field type registry: complete, consistent with SQLAlchemy, and what each entry says
about reading defaults, generated values and lossless type changes."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, get_args

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from fastapi_architect import check_text
from fastapi_architect.spec.columns import COLUMN_TYPES, ColumnKind
from fastapi_architect.spec.model import Column, ResolvedField
from fastapi_architect.spec.types import FIELD_TYPES, LOSSLESS_CHANGES, FieldType, lossless
from fastapi_architect.spec.values import Default, Limits, Rejection

EVERY_TYPE = """
project: {name: types}
auth: {mode: none}
resources:
  Item:
    fields:
      a_string: {type: string, max_length: 40, min_length: 2, pattern: "^[a-z0-9-]+$"}
      a_text: {type: text, required: false}
      an_email: email
      a_url: {type: url, required: false}
      an_integer: {type: integer, min: 1, max: 10, default: 2}
      a_float: {type: float, min: 0.5}
      a_decimal: {type: decimal, precision: 8, scale: 3, default: 2.5}
      a_boolean: {type: boolean, default: true}
      a_date: {type: date, default: now}
      a_datetime: {type: datetime, default: "2030-01-02T03:04:05+00:00"}
      a_uuid: {type: uuid, default: uuid4}
      an_enum: {type: enum, values: [low, in-progress], default: in-progress}
      a_json: {type: json, required: false}
      a_slug: {type: slug, min_length: 3, max_length: 60, default: first-post}
"""


def fields_of(text: str) -> dict[FieldType, ResolvedField]:
    result = check_text(text, "types.yaml")
    assert result.spec is not None, result.problems
    fields = result.spec.resource("Item").fields
    return {item.type: item for item in fields if not item.implicit}


@cache
def every_field() -> dict[FieldType, ResolvedField]:
    return fields_of(EVERY_TYPE)


@cache
def plain_fields() -> dict[FieldType, ResolvedField]:
    """A field of each registered type, with no more than its type needs."""
    lines = [
        f"      a_{name}: {{type: {name}{', values: [a, b]' if entry.choices else ''}}}"
        for name, entry in FIELD_TYPES.items()
    ]
    return fields_of(
        "project: {name: types}\nauth: {mode: none}\nresources:\n  Item:\n    fields:\n"
        + "\n".join(lines)
    )


def test_every_field_type_has_one_entry_and_every_entry_a_column_kind() -> None:
    assert set(FIELD_TYPES) == set(get_args(FieldType))
    assert all(name == entry.name for name, entry in FIELD_TYPES.items())
    assert set(COLUMN_TYPES) == set(get_args(ColumnKind))
    assert {entry.column for entry in FIELD_TYPES.values()} <= set(COLUMN_TYPES)
    assert set(plain_fields()) == set(FIELD_TYPES)


COLUMNS = [
    Column(name="c", kind="string", nullable=False, length=80),
    Column(name="c", kind="decimal", nullable=False, precision=10, scale=2),
    *(
        Column(name="c", kind=kind, nullable=False)
        for kind in get_args(ColumnKind)
        if kind not in {"string", "decimal"}
    ),
]


@pytest.mark.parametrize("column", COLUMNS, ids=lambda column: column.kind)
def test_column_sql_and_source_match_sqlalchemy(column: Column) -> None:
    storage = COLUMN_TYPES[column.kind]
    type_ = getattr(sa, storage.sa_name)(**storage.sa_arguments(column))
    assert storage.sql(column, "postgresql") == str(type_.compile(dialect=postgresql.dialect()))
    assert storage.sql(column, "sqlite") == str(type_.compile(dialect=sqlite.dialect()))
    assert column.sql_type == storage.sql(column)
    assert eval(storage.sa_source(column), {"sa": sa}).compile() == type_.compile()


def test_column_sources_as_migrations_spell_them() -> None:
    sources = {column.kind: COLUMN_TYPES[column.kind].sa_source(column) for column in COLUMNS}
    assert sources["string"] == "sa.String(length=80)"
    assert sources["decimal"] == "sa.Numeric(precision=10, scale=2)"
    assert sources["datetime"] == "sa.DateTime(timezone=True)"
    assert sources["uuid"] == "sa.Uuid()"


NO_LIMITS = Limits()
DEFAULTS: list[tuple[FieldType, object, Limits, Default | Rejection]] = [
    ("boolean", True, NO_LIMITS, Default(True)),
    ("boolean", "yes", NO_LIMITS, Rejection("is not true or false")),
    ("integer", 3.0, NO_LIMITS, Default(3)),
    ("integer", True, NO_LIMITS, Rejection("is not an integer")),
    ("integer", 1, Limits(min=5), Rejection("is below the field's min 5")),
    ("float", 2, NO_LIMITS, Default(2.0)),
    ("float", 10, Limits(max=5.5), Rejection("is above the field's max 5.5")),
    ("decimal", 0.1, NO_LIMITS, Default("0.1")),
    ("decimal", "nan", NO_LIMITS, Rejection("is not a number")),
    ("date", dt.date(2024, 2, 29), NO_LIMITS, Default("2024-02-29")),
    ("date", "now", NO_LIMITS, Default(factory="now")),
    ("date", "uuid4", NO_LIMITS, Rejection("is not an ISO date", "use 'now', or e.g. 2025-01-31")),
    ("datetime", "2030-01-02T03:04:05Z", NO_LIMITS, Default("2030-01-02T03:04:05+00:00")),
    ("uuid", "uuid4", NO_LIMITS, Default(factory="uuid4")),
    (
        "uuid",
        "12345678123456781234567812345678",
        NO_LIMITS,
        Default("12345678-1234-5678-1234-567812345678"),
    ),
    (
        "uuid",
        "now",
        NO_LIMITS,
        Rejection("is not a UUID", "use 'uuid4' for a new random UUID per row"),
    ),
    ("json", {}, NO_LIMITS, Rejection("is not supported: json fields cannot have a default")),
    ("string", 5, NO_LIMITS, Rejection("is not text", "quote it")),
    ("string", "abcd", Limits(max_length=3), Rejection("is longer than max_length 3")),
    ("text", "ab", Limits(min_length=3), Rejection("is shorter than min_length 3")),
    ("text", "A", Limits(pattern="^[a-z]+$"), Rejection("does not match the pattern '^[a-z]+$'")),
    (
        "enum",
        "hgih",
        Limits(values=("low", "high")),
        Rejection("is not one of its values ('low', 'high')", "did you mean 'high'?"),
    ),
    ("enum", "high", Limits(values=("low", "high")), Default("high")),
]


@pytest.mark.parametrize(("kind", "value", "limits", "expected"), DEFAULTS)
def test_reading_a_default(
    kind: FieldType, value: object, limits: Limits, expected: Default | Rejection
) -> None:
    assert FIELD_TYPES[kind].read_default(value, limits) == expected


@pytest.mark.parametrize("constrained", [False, True], ids=["plain", "constrained"])
@pytest.mark.parametrize("kind", list(FIELD_TYPES))
def test_generated_values_and_examples(kind: FieldType, constrained: bool) -> None:
    fields = every_field() if constrained else plain_fields()
    assert kind in fields, f"EVERY_TYPE needs a constrained {kind} field"
    item = fields[kind]
    entry = FIELD_TYPES[kind]
    namespace: dict[str, Any] = {
        "date": date, "datetime": datetime, "timedelta": timedelta, "UTC": UTC,
        "uuid": uuid, "Decimal": Decimal,
    }  # fmt: skip
    samples = [eval(f"lambda n: {entry.sample(item)}", namespace)(n) for n in (1, 2)]
    assert samples[0] != samples[1]
    json.dumps(samples)
    json.dumps(entry.example(item))
    for label, value in entry.invalid(item):
        assert label.isidentifier()
        assert eval(value) not in samples
    assert entry.json_schema(item) == {} or "type" in entry.json_schema(item)


def test_what_entries_render() -> None:
    fields = every_field()
    assert FIELD_TYPES["decimal"].literal(fields["decimal"]) == 'Decimal("2.500")'
    assert FIELD_TYPES["enum"].literal(fields["enum"], "ItemAnEnum") == "ItemAnEnum.IN_PROGRESS"
    assert FIELD_TYPES["datetime"].literal(fields["datetime"]) == (
        'datetime.fromisoformat("2030-01-02T03:04:05+00:00")'
    )
    assert FIELD_TYPES["date"].literal(fields["date"]) is None  # a factory, not a value
    assert FIELD_TYPES["integer"].input_type(fields["integer"]) == (
        "Annotated[int, Field(ge=1, le=10)]"
    )
    assert FIELD_TYPES["decimal"].input_type(fields["decimal"]) == (
        "Annotated[Decimal, Field(max_digits=8, decimal_places=3), AfterValidator(scaled(3))]"
    )
    assert FIELD_TYPES["email"].input_type(fields["email"]) == (
        "Annotated[EmailStr, Field(max_length=320)]"
    )
    assert FIELD_TYPES["string"].constraint_texts(fields["string"]) == (
        "min length 2",
        "max length 40",
        "pattern ^[a-z0-9-]+$",
    )
    assert FIELD_TYPES["enum"].constraint_texts(fields["enum"]) == ("one of low, in-progress",)
    assert FIELD_TYPES["datetime"].constraint_texts(fields["datetime"]) == ("with a UTC offset",)
    assert FIELD_TYPES["decimal"].example(fields["decimal"]) == "2.500"
    assert FIELD_TYPES["url"].example(fields["url"]) == "https://example.com/a-url"
    assert FIELD_TYPES["enum"].json_schema(fields["enum"]) == {
        "type": "string",
        "enum": ["low", "in-progress"],
    }


def test_the_lossless_type_changes() -> None:
    assert set(LOSSLESS_CHANGES) == {
        ("string", "text"),
        ("text", "string"),
        ("email", "string"),
        ("email", "text"),
        ("url", "string"),
        ("url", "text"),
        ("enum", "string"),
        ("enum", "text"),
        ("uuid", "string"),
        ("uuid", "text"),
        ("integer", "float"),
        ("integer", "decimal"),
        ("date", "datetime"),
        ("slug", "string"),
        ("slug", "text"),
    }
    assert all(old != new and new in FIELD_TYPES for old, new in LOSSLESS_CHANGES)


def field(kind: FieldType, **values: Any) -> ResolvedField:
    base = every_field()[kind].model_dump()
    return ResolvedField.model_validate(base | {"max_length": None} | values)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (field("string", max_length=100), field("text"), True),
        (field("string", max_length=100), field("string", max_length=200), True),
        (field("string", max_length=100), field("string", max_length=50), False),
        (field("text"), field("string", max_length=255), False),
        (field("text", max_length=200), field("string", max_length=255), True),
        (field("email", max_length=320), field("string", max_length=255), False),
        (field("email", max_length=320), field("text"), True),
        (field("uuid"), field("string", max_length=36), True),
        (field("uuid"), field("string", max_length=32), False),
        (field("enum"), field("string", max_length=11), True),
        (field("enum"), field("enum", values=("low", "in-progress", "done")), True),
        (field("enum"), field("enum", values=("low",)), False),
        (field("integer"), field("float"), True),
        (field("integer"), field("decimal", precision=12, scale=2), True),
        (field("integer"), field("decimal", precision=8, scale=2), False),
        (field("decimal", precision=10, scale=2), field("decimal", precision=12, scale=2), True),
        (field("decimal", precision=10, scale=2), field("decimal", precision=10, scale=3), False),
        (field("float"), field("integer"), False),
        (field("float"), field("decimal"), False),
        (field("date"), field("datetime"), True),
        (field("datetime"), field("date"), False),
        (field("boolean"), field("boolean"), True),
        (field("json"), field("text"), False),
    ],
)
def test_lossless(old: ResolvedField, new: ResolvedField, expected: bool) -> None:
    assert lossless(old, new) is expected
