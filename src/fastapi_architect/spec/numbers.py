"""The number types: integer (32-bit columns), float (finite doubles) and decimal (exact,
carried as text in JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import JsonValue
from pydantic_core import SchemaValidator, ValidationError, core_schema

from fastapi_architect.spec.patterns import TARGET_VALUES
from fastapi_architect.spec.values import (
    UNIQUE_ROWS,
    FieldChecks,
    Limit,
    Limits,
    Parsed,
    Rejection,
    Scalar,
    ValueType,
)

if TYPE_CHECKING:
    from fastapi_architect.spec.model import ResolvedField

INT32 = (-(2**31), 2**31 - 1)


def format_number(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True, kw_only=True)
class NumberType(ValueType):
    """Numbers: bounded by min and max, filtered by range."""

    limits: frozenset[Limit] = frozenset({"min", "max"})
    not_a_value: tuple[str, str | None] = ("is not a number", None)
    filter: Literal["exact", "range"] | None = "range"

    def limit_problem(self, value: Scalar | Decimal, limits: Limits) -> Rejection | None:
        assert isinstance(value, (int, float, Decimal))
        if limits.min is not None and value < limits.min:
            return Rejection(f"is below the field's min {format_number(limits.min)}")
        if limits.max is not None and value > limits.max:
            return Rejection(f"is above the field's max {format_number(limits.max)}")
        return None

    def checks(self, item: ResolvedField) -> FieldChecks:
        return FieldChecks(low=item.min, high=item.max)

    def step(self, item: ResolvedField, bound: float, direction: int) -> int | float | str:
        """A JSON value just past a bound."""
        return float(bound) + direction * max(abs(float(bound)) * 0.01, 0.5)

    def extra_invalid(self, item: ResolvedField) -> list[tuple[str, str]]:
        return []

    def accepts_sample(self, item: ResolvedField, value: object) -> bool:
        checks = self.checks(item)
        try:
            _validator(self.name, checks.low, checks.high, checks.digits).validate_python(value)
        except ValidationError:
            return False
        return True

    def invalid(self, item: ResolvedField) -> tuple[tuple[str, str], ...]:
        cases: list[tuple[str, str]] = []
        if item.min is not None:
            cases.append(("below_min", repr(self.step(item, item.min, -1))))
        if item.max is not None:
            cases.append(("above_max", repr(self.step(item, item.max, 1))))
        cases += self.extra_invalid(item)
        cases.append(("not_a_number", repr("many")))
        return tuple(cases)


@lru_cache(maxsize=1024)
def _validator(
    kind: str,
    low: float | None,
    high: float | None,
    digits: tuple[int | None, int | None] | None,
) -> Any:
    """pydantic-core's check of a number as a generated input schema declares it."""
    schema: core_schema.CoreSchema
    if kind == "integer":
        schema = core_schema.int_schema(ge=_int(low), le=_int(high), strict=True)
    elif kind == "decimal":
        places = digits or (None, None)
        schema = core_schema.decimal_schema(
            ge=None if low is None else Decimal(str(low)),
            le=None if high is None else Decimal(str(high)),
            max_digits=places[0],
            decimal_places=places[1],
        )
    else:
        schema = core_schema.float_schema(ge=low, le=high, allow_inf_nan=False)
    return SchemaValidator(schema)


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _integer(value: object) -> Parsed:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return int(value)
    return None


@dataclass(frozen=True, kw_only=True)
class IntegerType(NumberType):
    parser: Callable[[object], Parsed] = _integer
    not_a_value: tuple[str, str | None] = ("is not an integer", None)

    def bound(self, value: float) -> int | float:
        return int(value)

    def number_text(self, value: float) -> str:
        return str(int(value))

    def checks(self, item: ResolvedField) -> FieldChecks:
        # Columns are 32-bit integers.
        low = INT32[0] if item.min is None else item.min
        high = INT32[1] if item.max is None else item.max
        return FieldChecks(low=low, high=high)

    def step(self, item: ResolvedField, bound: float, direction: int) -> int | float | str:
        return int(bound) + direction

    def digits(self, item: ResolvedField) -> tuple[int, int] | None:
        return len(str(INT32[1])), 0

    def extra_invalid(self, item: ResolvedField) -> list[tuple[str, str]]:
        return [("above_int32", repr(INT32[1] + 1))] if item.max is None else []

    def sample(self, item: ResolvedField) -> str:
        # From min (else 0, or a million below a negative max) up to max (else a million on).
        low = int(item.min) if item.min is not None else 0
        if item.min is None and item.max is not None and item.max < 0:
            low = max(int(item.max) - 1_000_000, INT32[0])
        high = int(item.max) if item.max is not None else min(low + 1_000_000, INT32[1])
        return f"{low} + n % {high - low + 1}"

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        low = int(item.min) if item.min is not None else 1
        return min(max(low, 1), int(item.max)) if item.max is not None else max(low, 1)


def _float(value: object) -> Parsed:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


@dataclass(frozen=True, kw_only=True)
class FloatType(NumberType):
    parser: Callable[[object], Parsed] = _float

    def checks(self, item: ResolvedField) -> FieldChecks:
        return FieldChecks(low=item.min, high=item.max, finite=True)

    def sample(self, item: ResolvedField) -> str:
        bottom = float(item.min) if item.min is not None else 0.0
        if item.min is None and item.max is not None and item.max < 0:
            bottom = float(item.max) - 1_000_000.0
        top = float(item.max) if item.max is not None else bottom + 1_000_000.0
        return f"{bottom!r} + (n % 1000) * {(top - bottom) / 1000!r}"

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        low = float(item.min) if item.min is not None else 1.5
        return min(low, float(item.max)) if item.max is not None else low


def _decimal(value: object) -> Parsed:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _quantum(item: ResolvedField) -> Decimal:
    return Decimal(1).scaleb(-(item.scale or 0))


@dataclass(frozen=True, kw_only=True)
class DecimalType(NumberType):
    """Exact numbers; JSON carries them as strings, so no precision is lost."""

    limits: frozenset[Limit] = frozenset({"min", "max", "precision", "scale"})
    default_digits: tuple[int, int] | None = (12, 2)
    parser: Callable[[object], Parsed] = _decimal

    def number_text(self, value: float) -> str:
        return format(Decimal(str(value)), "f")

    def number_literal(self, value: float) -> str:
        return f'Decimal("{self.number_text(value)}")'

    def literal(self, item: ResolvedField, class_name: str | None = None) -> str | None:
        if item.default_factory is not None or item.default is None:
            return None
        return f'Decimal("{Decimal(str(item.default)).quantize(_quantum(item))}")'

    def checks(self, item: ResolvedField) -> FieldChecks:
        return FieldChecks(low=item.min, high=item.max, digits=(item.precision, item.scale))

    def input_validators(self, item: ResolvedField) -> str:
        return f", AfterValidator(scaled({item.scale or 0}))"

    def digits(self, item: ResolvedField) -> tuple[int, int] | None:
        precision, scale = item.precision or 0, item.scale or 0
        return precision - scale, scale

    def step(self, item: ResolvedField, bound: float, direction: int) -> int | float | str:
        return str(Decimal(str(bound)) + direction * _quantum(item))

    def extra_invalid(self, item: ResolvedField) -> list[tuple[str, str]]:
        return [("too_many_decimals", repr("1." + "1" * ((item.scale or 0) + 1)))]

    def sample(self, item: ResolvedField) -> str:
        """Whole steps up from the floor (min, else 0) while the range allows 128 of them,
        else steps of the last decimal place; never past max or the column's digits."""
        scale = item.scale or 0
        quantum = _quantum(item)
        digits = (item.precision or 12) - scale
        largest = Decimal(10) ** digits - quantum
        cap = Decimal(10) ** min(digits, 9) - 1
        if item.min is not None:
            floor = Decimal(str(item.min))
        elif item.max is not None and item.max < 0:
            floor = max(-largest, Decimal(str(item.max)) - cap)
        else:
            floor = Decimal(0)
        floor = floor.quantize(quantum, ROUND_CEILING)
        ceiling = min(Decimal(str(item.max)), largest) if item.max is not None else floor + cap
        ceiling = min(ceiling, largest).quantize(quantum, ROUND_FLOOR)
        span = int(min(ceiling - floor, cap))
        low_text = format(floor, "f")
        if span >= UNIQUE_ROWS:
            return f'str(Decimal("{low_text}") + n % {max(span, 1)})'
        steps = int(min((ceiling - floor) / quantum + 1, Decimal(TARGET_VALUES)))
        return f'str(Decimal("{low_text}") + n % {max(steps, 1)} * Decimal("{quantum}"))'

    def default_json(self, item: ResolvedField) -> JsonValue:
        return str(Decimal(str(item.default)).quantize(_quantum(item)))

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        value = Decimal("19.99")
        if item.min is not None:
            value = max(value, Decimal(str(item.min)))
        if item.max is not None:
            value = min(value, Decimal(str(item.max)))
        return str(value.quantize(_quantum(item)))
