"""Field types: one entry per type a spec field can have, saying everything the type means to
the spec checks, the database, the generated code and the design documents.

A type is added here: its name in `FieldType` and its entry in `FIELD_TYPES`. The resolver,
the table builder, the generator and the design documents read the entry; a template changes
only where the type's generated code really differs (a new import, say). What entries do
is in `spec.values` and `spec.numbers`; how their columns are stored, in `spec.columns`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Literal

from fastapi_architect.spec.numbers import DecimalType, FloatType, IntegerType
from fastapi_architect.spec.values import EnumType, Limit, Parsed, TextType, ValueType

if TYPE_CHECKING:
    from fastapi_architect.spec.model import ResolvedField

FieldType = Literal[
    "string",
    "text",
    "integer",
    "float",
    "decimal",
    "boolean",
    "date",
    "datetime",
    "uuid",
    "email",
    "url",
    "enum",
    "json",
    "slug",
]
EXAMPLE_TIME = "2030-01-31T09:00:00Z"


def _boolean(value: object) -> Parsed:
    return value if isinstance(value, bool) else None


def _date(value: object) -> Parsed:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def _datetime(value: object) -> Parsed:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def _uuid(value: object) -> Parsed:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


_TEXT_SINKS: frozenset[FieldType] = frozenset({"string", "text"})

FIELD_TYPES: dict[FieldType, ValueType] = {
    entry.name: entry
    for entry in (
        TextType(
            name="string",
            label="string",
            max_length=255,
            asks_max_length=True,
            lossless_to=frozenset({"text"}),
        ),
        TextType(
            name="text",
            label="string",
            column="text",
            # Text is searched, not filtered or sorted (no index would serve it).
            filter=None,
            sortable=False,
            lossless_to=frozenset({"string"}),
        ),
        IntegerType(
            name="integer",
            label="integer",
            column="integer",
            annotation="int",
            # A filter's value is bounded like the column's, so it never reaches the database
            # out of its range.
            query_annotation="Annotated[int, Field(ge=-2147483648, le=2147483647)]",
            json_type="integer",
            cursor_parser="int",
            lossless_to=frozenset({"float", "decimal"}),
        ),
        FloatType(
            name="float",
            label="number",
            column="float",
            annotation="float",
            json_type="number",
            json_format="double",
            cursor_parser="float",
        ),
        DecimalType(
            name="decimal",
            label="decimal",
            column="decimal",
            annotation="Decimal",
            json_type="string",
            json_format="decimal",
            cursor_parser="Decimal",
        ),
        ValueType(
            name="boolean",
            label="boolean",
            column="boolean",
            annotation="bool",
            json_type="boolean",
            parser=_boolean,
            not_a_value=("is not true or false", None),
            cursor_parser="_parse_bool",
            sample_source="n % 2 == 0",
            invalid_values=(("not_a_boolean", "maybe"),),
            example_value=True,
        ),
        ValueType(
            name="date",
            label="date",
            column="date",
            annotation="date",
            json_type="string",
            json_format="date",
            factories={"now": "today"},
            parser=_date,
            not_a_value=("is not an ISO date", "use 'now', or e.g. 2025-01-31"),
            filter="range",
            cursor_parser="date.fromisoformat",
            literal_template='date.fromisoformat("{}")',
            sample_source="(date(2030, 1, 1) + timedelta(days=n)).isoformat()",
            invalid_values=(("not_a_date", "2030-13-45"),),
            example_value=EXAMPLE_TIME[:10],
            lossless_to=frozenset({"datetime"}),
        ),
        ValueType(
            name="datetime",
            label="datetime",
            column="datetime",
            annotation="datetime",
            # Pydantic would take a number as seconds since 1970; the API takes RFC 3339 text.
            input_annotation="IsoDatetime",
            query_annotation="IsoDatetime",
            json_type="string",
            json_format="date-time",
            factories={"now": "utcnow"},
            parser=_datetime,
            not_a_value=("is not an ISO datetime", "use 'now', or e.g. 2025-01-31T09:00:00Z"),
            filter="range",
            cursor_parser="datetime.fromisoformat",
            literal_template='datetime.fromisoformat("{}")',
            sample_source="(datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).isoformat()",
            invalid_values=(("naive", "2030-01-01T00:00:00"), ("not_a_datetime", "yesterday")),
            example_value=EXAMPLE_TIME,
            note="with a UTC offset",
        ),
        ValueType(
            name="uuid",
            label="uuid",
            column="uuid",
            annotation="uuid.UUID",
            json_type="string",
            json_format="uuid",
            factories={"uuid4": "uuid.uuid4"},
            parser=_uuid,
            not_a_value=("is not a UUID", "use 'uuid4' for a new random UUID per row"),
            cursor_parser="uuid.UUID",
            literal_template='uuid.UUID("{}")',
            sample_source="str(uuid.UUID(int=n + 1))",
            invalid_values=(("not_a_uuid", "not-a-uuid"),),
            example_value="00000007-0000-4000-8000-000000000007",
            lossless_to=_TEXT_SINKS,
            width=36,
        ),
        TextType(
            name="email",
            # The format is the check: a length or pattern of one's own would bind the
            # database but not the API's validator.
            limits=frozenset({"max_length"}),
            label="string (email)",
            input_annotation="EmailStr",
            json_format="email",
            max_length=320,
            sample_source='f"user{n}@example.com"',
            format_invalid=("not_an_email", "not-an-email"),
            example_template="ada@example.com",
            lossless_to=_TEXT_SINKS,
        ),
        TextType(
            name="url",
            # The format is the check: a length or pattern of one's own would bind the
            # database but not the API's validator.
            limits=frozenset({"max_length"}),
            label="string (http(s) URL)",
            input_annotation="HttpUrlText",
            json_format="uri",
            max_length=2048,
            sample_source='f"https://example.com/items/{n}"',
            format_invalid=("not_a_url", "not a url"),
            example_template="https://example.com/{name}",
            lossless_to=_TEXT_SINKS,
        ),
        EnumType(
            name="enum",
            label="enum",
            # Generated code uses the field's enum class instead.
            annotation="str",
            lossless_to=_TEXT_SINKS,
        ),
        TextType(
            name="slug",
            label="string (slug)",
            # The type is its pattern: lowercase words joined by single hyphens.
            pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
            limits=frozenset({"min_length", "max_length"}),
            max_length=100,
            lossless_to=_TEXT_SINKS,
        ),
        ValueType(
            name="json",
            label="json",
            column="json",
            annotation="JsonValue",
            json_type=None,
            not_a_value=("is not supported: json fields cannot have a default", None),
            filter=None,
            sortable=False,
            indexable=False,
            sample_source='{"n": n}',
            example_value={"key": "value"},
        ),
    )
}


# Type changes that keep every value (column size permitting), as (from, to) pairs.
LOSSLESS_CHANGES: frozenset[tuple[FieldType, FieldType]] = frozenset(
    (name, target) for name, entry in FIELD_TYPES.items() for target in entry.lossless_to
)


def types_with(limit: Limit) -> list[str]:
    """The names of the types a constraint key applies to, sorted."""
    return sorted(name for name, entry in FIELD_TYPES.items() if limit in entry.limits)


# ---------------------------------------------------------------- type changes


def lossless(old: ResolvedField, new: ResolvedField) -> bool:
    """Every value a column of `old` can hold converts to `new` without loss, so a migration
    may change the column in place.

    The type must stay or be one the old type lists in `lossless_to`; then the new column
    must be large enough: enum values a superset, text no shorter, decimal digits no fewer
    on either side of the point. This answers for stored values only: whether tighter API
    constraints (min, max, pattern) accept every old value is a separate question."""
    source, target = FIELD_TYPES[old.type], FIELD_TYPES[new.type]
    if new.type != old.type and new.type not in source.lossless_to:
        return False
    if target.choices:
        return source.choices and set(old.values) <= set(new.values)
    if target.column in {"string", "text"}:
        needed, capacity = source.text_length(old), new.max_length
        return capacity is None or (needed is not None and needed <= capacity)
    room, digits = target.digits(new), source.digits(old)
    if room is not None:
        return digits is not None and digits[0] <= room[0] and digits[1] <= room[1]
    return True
