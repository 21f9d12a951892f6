"""The number types: integer (32-bit columns), float (finite doubles) and decimal (exact,
carried as text in JSON)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Literal

from pydantic import JsonValue

from fastapi_architect.spec.values import (
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

    def invalid(self, item: ResolvedField) -> tuple[tuple[str, str], ...]:
        cases: list[tuple[str, str]] = []
        if item.min is not None:
            cases.append(("below_min", repr(self.step(item, item.min, -1))))
        if item.max is not None:
            cases.append(("above_max", repr(self.step(item, item.max, 1))))
        cases += self.extra_invalid(item)
        cases.append(("not_a_number", repr("many")))
        return tuple(cases)


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
        low = int(item.min) if item.min is not None else 0
        high = int(item.max) if item.max is not None else low + 1_000_000
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
        scale = item.scale or 0
        floor = Decimal(str(item.min)) if item.min is not None else Decimal(0)
        digits = (item.precision or 12) - scale
        cap = Decimal(10) ** min(digits, 9) - 1
        ceiling = Decimal(str(item.max)) if item.max is not None else floor + cap
        span = int(min(ceiling - floor, cap))
        low_text = format(floor.quantize(Decimal(1).scaleb(-scale)), "f")
        return f'str(Decimal("{low_text}") + n % {max(span, 1)})'

    def default_json(self, item: ResolvedField) -> JsonValue:
        return str(Decimal(str(item.default)).quantize(_quantum(item)))

    def made_up_example(self, item: ResolvedField) -> JsonValue:
        value = Decimal("19.99")
        if item.min is not None:
            value = max(value, Decimal(str(item.min)))
        if item.max is not None:
            value = min(value, Decimal(str(item.max)))
        return str(value.quantize(_quantum(item)))
