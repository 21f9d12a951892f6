"""What a field type is and does, for the entries of the registry in `spec.types`: how a
YAML value is read and checked, the Python source generated for it, the values generated
tests send, and the examples and constraint texts of the design documents.

`ValueType` serves types whose values need no per-field logic (boolean, date, uuid, ...);
`TextType` and `EnumType` are text, and `spec.numbers` holds the numbers."""

from __future__ import annotations

import copy
import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import HttpUrl, JsonValue, TypeAdapter, ValidationError

from fastapi_architect.spec.columns import COLUMN_TYPES, ColumnKind
from fastapi_architect.spec.patterns import (
    CHECKED_ROWS,
    PatternError,
    accepts,
    matches,
    pattern_sample,
)
from fastapi_architect.spec.problems import did_you_mean, one_of

if TYPE_CHECKING:
    from fastapi_architect.spec.model import Column, ResolvedField
    from fastapi_architect.spec.types import FieldType

DefaultFactory = Literal["now", "uuid4"]
# The spec keys that constrain a field's values, in the order they are checked.
Limit = Literal["min_length", "max_length", "pattern", "min", "max", "values", "precision", "scale"]
LIMITS: tuple[Limit, ...] = (
    "min_length",
    "max_length",
    "pattern",
    "min",
    "max",
    "values",
    "precision",
    "scale",
)
Scalar = str | int | float | bool
# An enum column has room for values added later; a check constraint enforces the set.
ENUM_MIN_LENGTH = 32
# Generated tests number the rows they make 1, 2, ... (and 100, 101): a unique field needs
# this many distinct values (rows made on the side, from 10_001, are distinct as far as the
# values allow).
UNIQUE_ROWS = 127


@dataclass(frozen=True)
class Limits:
    """The constraints a default value is checked against."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Default:
    """A field's default: a value, or a factory run per row."""

    value: Scalar | None = None
    factory: DefaultFactory | None = None


@dataclass(frozen=True)
class Rejection:
    """Why a default is refused: completes `default <value> ...`."""

    message: str
    hint: str | None = None


@dataclass(frozen=True)
class FieldChecks:
    """What a generated input schema checks of a field's value, besides its type."""

    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    low: float | None = None
    high: float | None = None
    digits: tuple[int | None, int | None] | None = None  # (precision, scale) of a decimal
    finite: bool = False


class NoSampleError(ValueError):
    """A field's constraints leave no value the generated tests can use: `reason` says why
    (after the field's name), `limit` is the spec key to point at (None: the field), `code`
    the problem's code for `check`."""

    def __init__(
        self, field: str, reason: str, limit: Limit | None = None, code: str = "bad-constraint"
    ) -> None:
        super().__init__(f"field {field}: {reason}")
        self.reason = reason
        self.limit = limit
        self.code = code


Parsed = Scalar | Decimal | None


def _never(value: object) -> Parsed:
    return None


@dataclass(frozen=True, kw_only=True)
class ValueType:
    """One field type. The base serves types whose values need no per-field logic."""

    name: FieldType
    label: str  # in design documents: "string (email)"
    column: ColumnKind
    annotation: str  # Python type in generated models and responses
    input_annotation: str | None = None  # input schemas' type, when it validates more
    query_annotation: str | None = None  # filter parameters' type, when it differs
    json_type: str | None  # JSON Schema / OpenAPI type (None: any JSON value)
    json_format: str | None = None
    limits: frozenset[Limit] = frozenset()  # the constraint keys that apply
    max_length: int | None = None  # max_length when the spec gives none
    asks_max_length: bool = False  # ... which is an open question
    pattern: str | None = None  # a pattern every value of the type matches
    default_digits: tuple[int, int] | None = None  # (precision, scale) when not given
    # Default keywords (`now`, `uuid4`) and the Python factory that implements each.
    factories: Mapping[DefaultFactory, str] = field(default_factory=dict)
    parser: Callable[[object], Parsed] = _never  # a YAML value as the type's value, or None
    not_a_value: tuple[str, str | None] = ("is not a valid value", None)
    filter: Literal["exact", "range"] | None = "exact"  # list filter, None: not filterable
    sortable: bool = True
    searchable: bool = False  # substring search (`q`)
    indexable: bool = True
    cursor_parser: str = "str"  # how a cursor's text becomes a column value
    literal_template: str | None = None  # Python source of a default, `{}` for its text
    sample_source: str = ""  # a Python expression of `n`: a valid JSON value, distinct per n
    invalid_values: tuple[tuple[str, str], ...] = ()  # (label, JSON value) always refused
    example_value: JsonValue = None  # a value for the design documents' examples
    note: str | None = None  # a constraint every value carries, in words
    # Types every value converts to without loss, column size permitting (see `lossless`).
    lossless_to: frozenset[FieldType] = frozenset()
    width: int | None = None  # characters every value takes as text, when fixed

    @property
    def choices(self) -> bool:
        """Values come from a declared list (and name a generated class)."""
        return "values" in self.limits

    @property
    def numeric(self) -> bool:
        return "min" in self.limits

    # ------------------------------------------------------------ spec values

    def read_default(self, value: object, limits: Limits) -> Default | Rejection:
        """A YAML default as the field's default, or why it is refused."""
        for factory in self.factories:
            if value == factory:
                return Default(factory=factory)
        parsed = self.parser(value)
        if parsed is None:
            return Rejection(*self.not_a_value)
        problem = self.limit_problem(parsed, limits)
        if problem is not None:
            return problem
        return Default(value=str(parsed) if isinstance(parsed, Decimal) else parsed)

    def limit_problem(self, value: Scalar | Decimal, limits: Limits) -> Rejection | None:
        return None

    def bound(self, value: float) -> int | float:
        """A spec `min`/`max` as the resolved field holds it."""
        return float(value)

    def column_length(self, item: ResolvedField) -> int | None:
        return item.max_length if self.column == "string" else None

    def text_length(self, item: ResolvedField) -> int | None:
        """The most characters a value takes as text (None: no bound)."""
        return self.width if self.width is not None else item.max_length

    def digits(self, item: ResolvedField) -> tuple[int, int] | None:
        """Decimal digits a value may need (before the point, after it); None: not a
        fixed-point number."""
        return None

    # ------------------------------------------------------------ generated code

    def literal(self, item: ResolvedField, class_name: str | None = None) -> str | None:
        """The Python source of the field's default value, if it has one."""
        value = item.default
        if item.default_factory is not None or value is None:
            return None
        if self.literal_template is not None:
            return self.literal_template.format(value)
        return repr(value)

    def model_sa_type(self, column: Column, class_name: str | None = None) -> str:
        """The SQLAlchemy type of the generated model's column, as Python source."""
        return COLUMN_TYPES[column.kind].model_type_source(column)

    def checks(self, item: ResolvedField) -> FieldChecks:
        return FieldChecks()

    def number_text(self, value: float) -> str:
        return repr(float(value))

    def number_literal(self, value: float) -> str:
        return self.number_text(value)

    def schema_arguments(self, item: ResolvedField) -> list[str]:
        """The `Field(...)` arguments of the input schema."""
        checks = self.checks(item)
        args: list[str] = []
        if checks.min_length:
            args.append(f"min_length={checks.min_length}")
        if checks.max_length is not None:
            args.append(f"max_length={checks.max_length}")
        if checks.pattern is not None:
            # Escapes past ASCII: linters flag look-alike letters in source.
            args.append(f"pattern={checks.pattern!a}")
        if checks.low is not None:
            args.append(f"ge={self.number_literal(checks.low)}")
        if checks.high is not None:
            args.append(f"le={self.number_literal(checks.high)}")
        if checks.digits is not None:
            args.append(f"max_digits={checks.digits[0]}")
            args.append(f"decimal_places={checks.digits[1]}")
        if checks.finite:
            args.append("allow_inf_nan=False")
        return args

    def input_validators(self, item: ResolvedField) -> str:
        """Validators after the `Field(...)` of a constrained input annotation."""
        return ""

    def input_type(self, item: ResolvedField, class_name: str | None = None) -> str:
        """The input schema annotation, constraints included (not the `| None`)."""
        base = class_name or self.input_annotation or self.annotation
        args = self.schema_arguments(item)
        if args:
            return f"Annotated[{base}, Field({', '.join(args)}){self.input_validators(item)}]"
        return base

    def sample(self, item: ResolvedField) -> str:
        return self.sample_source

    def accepts_sample(self, item: ResolvedField, value: object) -> bool:
        """The generated input schema accepts this value of a sample (a JSON value)."""
        return True

    def invalid(self, item: ResolvedField) -> tuple[tuple[str, str], ...]:
        """(label, Python literal of an invalid JSON value) pairs for validation tests."""
        return tuple((label, repr(value)) for label, value in self.invalid_values)

    # ------------------------------------------------------------ documents

    def example(self, item: ResolvedField) -> JsonValue:
        """A value the field accepts, for the examples."""
        if item.example is not None:
            return item.example
        if item.default is not None and item.default_factory is None:
            return self.default_json(item)
        return self.made_up_example(item)

    def default_json(self, item: ResolvedField) -> JsonValue:
        return item.default

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        return copy.deepcopy(self.example_value)

    def values_text(self, item: ResolvedField) -> tuple[str, ...]:
        return ()

    def constraint_texts(self, item: ResolvedField) -> tuple[str, ...]:
        """What the generated schema checks, in words."""
        checks = self.checks(item)
        out = list(self.values_text(item))
        if checks.min_length:
            out.append(f"min length {checks.min_length}")
        if checks.max_length is not None:
            out.append(f"max length {checks.max_length}")
        if checks.pattern is not None:
            out.append(f"pattern {checks.pattern}")
        if checks.low is not None:
            out.append(f">= {self.number_text(checks.low)}")
        if checks.high is not None:
            out.append(f"<= {self.number_text(checks.high)}")
        if checks.digits is not None:
            out.append(f"{checks.digits[0]} digits, {checks.digits[1]} after the point")
        if checks.finite:
            out.append("finite")
        if self.note:
            out.append(self.note)
        return tuple(out)

    def json_schema(self, item: ResolvedField) -> dict[str, JsonValue]:
        """The JSON Schema (OpenAPI) of a value."""
        schema: dict[str, JsonValue] = {}
        if self.json_type is not None:
            schema["type"] = self.json_type
        if self.json_format is not None:
            schema["format"] = self.json_format
        return schema


def _text(value: object) -> Parsed:
    return value if isinstance(value, str) else None


TEXT_LIMITS: frozenset[Limit] = frozenset({"min_length", "max_length", "pattern"})


@dataclass(frozen=True, kw_only=True)
class TextType(ValueType):
    """Text. A formatted type (email, url) is validated by its input annotation, so its
    schema adds only max_length and its invalid value is one the format refuses."""

    column: ColumnKind = "string"
    annotation: str = "str"
    json_type: str | None = "string"
    limits: frozenset[Limit] = TEXT_LIMITS
    parser: Callable[[object], Parsed] = _text
    not_a_value: tuple[str, str | None] = ("is not text", "quote it")
    searchable: bool = True
    format_invalid: tuple[str, str] | None = None
    example_template: str | None = None  # `{name}`: the field name, dashed

    def limit_problem(self, value: Scalar | Decimal, limits: Limits) -> Rejection | None:
        assert isinstance(value, str)
        if limits.max_length is not None and len(value) > limits.max_length:
            return Rejection(f"is longer than max_length {limits.max_length}")
        if limits.min_length is not None and len(value) < limits.min_length:
            return Rejection(f"is shorter than min_length {limits.min_length}")
        if limits.pattern is not None and not matches(limits.pattern, value):
            return Rejection(f"does not match the pattern {limits.pattern!r}")
        return None

    def checks(self, item: ResolvedField) -> FieldChecks:
        if self.format_invalid is not None:
            return FieldChecks(max_length=item.max_length or None)
        return FieldChecks(
            min_length=item.min_length, max_length=item.max_length, pattern=item.pattern
        )

    def sample(self, item: ResolvedField) -> str:
        if self.format_invalid is not None:
            return _format_sample(self, item)
        return _text_sample(item)

    def accepts_sample(self, item: ResolvedField, value: object) -> bool:
        if not isinstance(value, str):
            return False
        checks = self.checks(item)
        if not accepts(value, checks.pattern, checks.min_length or None, checks.max_length):
            return False
        if self.input_annotation == "HttpUrlText":
            return _is_http_url(value)
        if self.input_annotation == "EmailStr":
            # The shape of an address; generated schemas check it with email-validator.
            return re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", value) is not None
        return True

    def invalid(self, item: ResolvedField) -> tuple[tuple[str, str], ...]:
        if self.format_invalid is not None:
            label, value = self.format_invalid
            return ((label, repr(value)),)
        cases: list[tuple[str, str]] = []
        if item.min_length:
            cases.append(("too_short", repr("x" * (item.min_length - 1))))
        if item.max_length is not None:
            cases.append(("too_long", repr("x" * (item.max_length + 1))))
        if item.pattern is not None:
            # As pydantic matches: searched, so only text without any match is refused.
            low = item.min_length or 0
            fitting = ("!", " ", "--", "ZZ!", "a b", "!" * max(low, 1), " " * max(low, 1))
            for candidate in fitting:
                if not matches(item.pattern, candidate):
                    cases.append(("pattern", repr(candidate)))
                    break
        cases.append(("wrong_type", "12345"))
        return tuple(cases)

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        if self.example_template is not None:
            return self.example_template.format(name=item.name.replace("_", "-"))
        return _example_text(item)


def _text_sample(item: ResolvedField) -> str:
    """Text for row n: the field's name and n when that meets the lengths and pattern (as
    pydantic checks them), else a value made from the pattern (`spec.patterns`), else the
    spec's `example` (the same for every row)."""
    stem = re.sub(r"[^a-z]", "", item.name.lower()) or "value"
    low = item.min_length or 0
    high = item.max_length
    templates = [
        f"{stem}-{{n}}",
        f"{stem.upper()}-{{n}}",
        f"{stem}{{n}}",
        f"{stem.upper()}{{n}}",
        "x{n}",
        "{n}",
    ]
    for template in templates:
        padded = template
        shortest = len(template.format(n=1))
        if shortest < low:
            padded = template.replace("{n}", "x" * (low - shortest) + "{n}")
        candidates = [padded.format(n=n) for n in (1, 42, 999_999)]
        if all(accepts(c, item.pattern, low or None, high) for c in candidates):
            return f"f{padded!r}"
    try:
        made = pattern_sample(item.pattern, low, high)
    except PatternError as exc:
        problem = exc
    else:
        if not item.unique or made.distinct >= UNIQUE_ROWS:
            return made.source
        problem = PatternError(
            f"it is unique, but the test values {'made from it' if item.pattern else 'it allows'}"
            f" take only {made.distinct} "
            f"distinct value{'s' if made.distinct != 1 else ''} (the generated tests make up "
            f"to {UNIQUE_ROWS} rows)",
            "few",
        )
    if (
        isinstance(item.example, str)
        and not item.unique
        and accepts(item.example, item.pattern, low or None, high)
    ):
        return repr(item.example)
    return _no_sample(item, problem)


def _no_sample(item: ResolvedField, problem: PatternError) -> str:
    limits = [f"pattern {item.pattern!r}"] if item.pattern is not None else []
    limits += [f"min_length {item.min_length}"] if item.min_length else []
    limits += [f"max_length {item.max_length}"] if item.max_length is not None else []
    example = "" if item.unique else ", or give a matching `example:` for the tests to use"
    hints = {
        "impossible": "change the pattern or the lengths",
        "unreadable": "write it in syntax that Python's `re` reads as well (e.g. a character "
        "class for \\p{...})" + example,
        "unmatched": "simplify the pattern" + example,
        "few": f"loosen the {'pattern or the ' if item.pattern else ''}lengths, or drop unique",
    }
    what = ", ".join(limits) or "constraints"
    reason = (
        f"{what}: {problem}"
        if problem.kind == "few"
        else f"no test value satisfies its {what}: {problem}"
    )
    raise NoSampleError(
        item.name,
        f"{reason}; {hints[problem.kind]}",
        "pattern" if item.pattern is not None else "max_length",
        "bad-pattern" if problem.kind == "unreadable" else "bad-constraint",
    )


@lru_cache(maxsize=1)
def _url_adapter() -> TypeAdapter[HttpUrl]:
    return TypeAdapter(HttpUrl)


def _is_http_url(value: str) -> bool:
    """Generated schemas' `HttpUrlText`: an http(s) URL, kept as text."""
    try:
        _url_adapter().validate_python(value)
    except ValidationError:
        return False
    return True


# Shorter emails and URLs, for a format field whose max_length the usual sample exceeds.
_SHORT_FORMAT_SAMPLES: dict[str, tuple[str, ...]] = {
    "email": ('f"u{n}@example.com"', 'f"u{n}@ex.io"'),
    "url": ('f"https://example.com/{n}"', 'f"https://ex.io/{n}"'),
}


def _format_sample(kind: TextType, item: ResolvedField) -> str:
    """An email or URL for row n, short enough for the field's max_length."""
    high = item.max_length
    for source in (kind.sample_source, *_SHORT_FORMAT_SAMPLES.get(kind.name, ())):
        longest = sample_function(source)(max(CHECKED_ROWS))
        if high is None or (isinstance(longest, str) and len(longest) <= high):
            return source
    raise NoSampleError(
        item.name,
        f"max_length {high} is too short for a test value of type {item.type}",
        "max_length",
    )


def _example_text(item: ResolvedField) -> str:
    low = item.min_length or 0
    high = item.max_length
    stem = item.name.replace("_", "-")
    candidates = [
        f"Example {item.name.replace('_', ' ')}",
        f"example-{stem}",
        f"EXAMPLE-{stem.upper()}",
        "example",
        "EXAMPLE-1",
        "x",
    ]
    for candidate in candidates:
        text = candidate + "x" * max(0, low - len(candidate))
        if accepts(text, item.pattern, low or None, high):
            return text
    try:
        return pattern_sample(item.pattern, low, high).example
    except PatternError:
        # No value is known: say what the value must match (the spec can give an example).
        return f"<matching {item.pattern}>" if item.pattern else "x" * max(low, 1)


# ---------------------------------------------------------------- checked samples

# What a sample expression may use: the names every generated test module imports.
_SAMPLE_NAMES: dict[str, object] = {
    "Decimal": Decimal,
    "UTC": dt.UTC,
    "date": dt.date,
    "datetime": dt.datetime,
    "timedelta": dt.timedelta,
    "uuid": uuid,
    "str": str,
}


@lru_cache(maxsize=4096)
def sample_function(source: str) -> Callable[[int], object]:
    """A sample expression (of `n`) as the function generated tests evaluate."""
    code = compile(f"lambda n: {source}", "<sample>", "eval")
    # The source is made by the field types from the spec's values, each written as a
    # Python literal; it sees no builtins but `str`.
    function: Callable[[int], object] = eval(code, {"__builtins__": {}, **_SAMPLE_NAMES})
    return function


def checked_sample(item: ResolvedField) -> str:
    """The field's sample expression, after evaluating it for the rows generated tests make
    (`CHECKED_ROWS`): every value must pass the generated input schema (as pydantic checks
    it), and a unique field's values must differ for rows 1 to UNIQUE_ROWS. `check`
    runs this, so a spec it accepts never fails here. NoSampleError otherwise."""
    return _checked_sample(item)


@lru_cache(maxsize=4096)
def _checked_sample(item: ResolvedField) -> str:
    from fastapi_architect.spec.types import FIELD_TYPES

    kind = FIELD_TYPES[item.type]
    source = kind.sample(item)
    function = sample_function(source)
    values = {n: function(n) for n in CHECKED_ROWS}
    refused = next((n for n, value in values.items() if not kind.accepts_sample(item, value)), None)
    if refused is not None:
        raise NoSampleError(
            item.name,
            f"the test value {values[refused]!r} (row {refused}) breaks its constraints",
            _first_limit(kind, item),
        )
    if item.unique:
        seen = set(_unique_keys(values.__getitem__))
        if len(seen) < UNIQUE_ROWS:
            raise NoSampleError(
                item.name,
                f"it is unique, but its constraints leave only {len(seen)} distinct test "
                f"values (the generated tests make up to {UNIQUE_ROWS} rows)",
                _first_limit(kind, item),
            )
    return source


def unique_keys(item: ResolvedField) -> tuple[str, ...]:
    """What the generated tests send in the field for rows 1 to UNIQUE_ROWS, each as a unique
    index compares it (its repr): the values a unique combination of columns is made of.
    The field's sample must be one `check` accepted (NoSampleError otherwise)."""
    return _unique_keys(sample_function(checked_sample(item)))


def _unique_keys(value_of: Callable[[int], object]) -> tuple[str, ...]:
    return tuple(repr(value_of(n)) for n in range(1, UNIQUE_ROWS + 1))


def _first_limit(kind: ValueType, item: ResolvedField) -> Limit | None:
    """The constraint key a sample problem points at: the first the field sets."""
    for limit in ("pattern", "max", "max_length", "min", "min_length", "values", "scale"):
        if limit in kind.limits and getattr(item, limit) not in (None, ()):
            return limit
    return None


def member_name(value: str) -> str:
    """The Python identifier of an enum value in the generated enum class."""
    text = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").upper()
    return text if text and not text[0].isdigit() else f"V_{text}"


@dataclass(frozen=True, kw_only=True)
class EnumType(TextType):
    """One of the field's declared values; generated code uses a `StrEnum` class of them."""

    limits: frozenset[Limit] = frozenset({"values"})
    searchable: bool = False

    def limit_problem(self, value: Scalar | Decimal, limits: Limits) -> Rejection | None:
        if value not in limits.values:
            message = f"is not one of its values ({one_of(limits.values)})"
            return Rejection(message, did_you_mean(str(value), limits.values))
        return super().limit_problem(value, limits)

    def column_length(self, item: ResolvedField) -> int | None:
        return max(ENUM_MIN_LENGTH, *(len(value) for value in item.values))

    def text_length(self, item: ResolvedField) -> int | None:
        return max((len(value) for value in item.values), default=0)

    def literal(self, item: ResolvedField, class_name: str | None = None) -> str | None:
        if item.default_factory is not None or item.default is None:
            return None
        return f"{class_name}.{member_name(str(item.default))}"

    def model_sa_type(self, column: Column, class_name: str | None = None) -> str:
        return f"EnumText({class_name}, length={column.length})"

    def checks(self, item: ResolvedField) -> FieldChecks:
        return FieldChecks()

    def sample(self, item: ResolvedField) -> str:
        values = list(item.values)
        return f"{values!r}[n % {len(values)}]"

    def accepts_sample(self, item: ResolvedField, value: object) -> bool:
        return value in item.values

    def invalid(self, item: ResolvedField) -> tuple[tuple[str, str], ...]:
        return (("not_a_value", repr("not-a-value")),)

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        return item.values[0]

    def values_text(self, item: ResolvedField) -> tuple[str, ...]:
        return ("one of " + ", ".join(item.values),)

    def json_schema(self, item: ResolvedField) -> dict[str, JsonValue]:
        return super().json_schema(item) | {"enum": list(item.values)}
