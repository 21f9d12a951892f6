"""Test values made from a field's constraints: they pass pydantic as a generated schema
applies them (Rust regex, searched), meet the lengths, differ per row, are the same bytes in
every process; and what no value can meet is a located `check` problem, never a traceback
from `new`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, ValidationError, create_model
from typer.testing import CliRunner

from fastapi_architect import check_text
from fastapi_architect.cli import app
from fastapi_architect.spec.patterns import CHECKED_ROWS, pattern_sample
from fastapi_architect.spec.types import FIELD_TYPES
from fastapi_architect.spec.values import UNIQUE_ROWS, checked_sample, sample_function
from tests.conftest import ROOT

# (pattern, min_length, max_length): anchored and searched patterns, lengths that force the
# shape, alternation, classes, flags, Rust spellings, text past ASCII.
PATTERNS: list[tuple[str, int | None, int | None]] = [
    (r"^[0-9]{13}$", None, None),
    (r"^[0-9]{13}$", None, 13),
    (r"^[A-Z]{2}-\d{4}(-[a-z]+)?$", None, 30),
    (r"^[A-Z][A-Z0-9]*$", 4, 8),
    (r"^[a-z]+(-[a-z]+)*$", 12, 40),
    (r"^[a-z]+$", 40, 50),
    (r"^[0-9a-f]{64}$", None, 64),
    (r"[0-9]{3}", 6, 12),
    (r"^(?:ISBN|EAN)[- ]?\d{10,13}$", None, 20),
    (r"(?i)^[^aeiou]{5,8}$", None, 8),
    ("^[\u0430-\u044f]{3,10}$", None, 10),
    (r"^(?<year>\d{4})-(?<month>0[1-9]|1[0-2])\z", None, None),
    (r"^\w+@\w+\.(com|org)$", 8, 40),
    (r"^x{3}\{[0-9]{3}\}\.\*$", None, None),
    (r"^[^\s]{2,}$", None, 10),
    (r"^a{70}([0-9]{70})*$", 75, 200),
    (r"^\d{3}(\s\d{3})+$", 20, 30),
]
ROWS = range(1, UNIQUE_ROWS + 1)


def model_for(pattern: str, low: int | None, high: int | None) -> type[BaseModel]:
    """A schema as generated projects declare a constrained text field."""
    constrained = Annotated[str, Field(pattern=pattern, min_length=low, max_length=high)]
    return create_model("Item", value=(constrained, ...))


@pytest.mark.parametrize(("pattern", "low", "high"), PATTERNS)
def test_pattern_values_pass_pydantic_and_differ_per_row(
    pattern: str, low: int | None, high: int | None
) -> None:
    made = pattern_sample(pattern, low, high)
    value_of = sample_function(made.source)
    values = [value_of(n) for n in CHECKED_ROWS]
    model = model_for(pattern, low, high)
    for value in values:
        assert isinstance(value, str)
        model(value=value)  # raises if pydantic refuses it
        assert (low or 0) <= len(value) <= (high if high is not None else 10_000)
        assert "\x00" not in value
    assert made.distinct >= UNIQUE_ROWS
    assert len({value_of(n) for n in ROWS}) == len(ROWS)
    assert made.example == value_of(1)


def test_the_issue_spec_isbn_gets_thirteen_digit_values() -> None:
    made = pattern_sample(r"^[0-9]{13}$", None, 255)
    assert made.source == "f'0000000{n % 1000000:06d}'"
    assert sample_function(made.source)(42) == "0000000000042"


def test_values_are_the_same_bytes_in_another_process() -> None:
    """Nothing depends on hash seeds, sets or randomness."""
    script = (
        "import json, sys\n"
        "from fastapi_architect.spec.patterns import pattern_sample\n"
        "cases = json.loads(sys.argv[1])\n"
        "print(json.dumps([pattern_sample(*case).source for case in cases]))\n"
    )
    cases = json.dumps(PATTERNS)
    outputs = []
    for seed in ("0", "12345"):
        completed = subprocess.run(
            [sys.executable, "-c", script, cases],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.append(json.loads(completed.stdout))
    assert outputs[0] == outputs[1] == [pattern_sample(*case).source for case in PATTERNS]


def field_of(fields: str, resource: str = "Item", name: str = "value") -> Any:
    text = f"project: {{name: demo}}\nresources:\n  {resource}:\n    fields:\n{fields}"
    result = check_text(text)
    assert result.ok, [problem.render() for problem in result.problems]
    assert result.spec is not None
    found = next(r for r in result.spec.resources if r.name == resource)
    return next(f for f in found.fields if f.name == name)


# (field spec) -> every value valid for the generated schema; unique ones distinct per row.
FIELDS = [
    "{type: string, pattern: '^[0-9]{13}$', unique: true}",
    "{type: string, pattern: '^[A-Z]{2}-\\d{4}(-[a-z]+)?$', max_length: 12, unique: true}",
    "{type: string, min_length: 30, max_length: 40, unique: true}",
    "{type: string, max_length: 2, unique: true}",
    "{type: slug, max_length: 8, unique: true}",
    "{type: email, max_length: 16, unique: true}",
    "{type: url, max_length: 22}",
    "{type: decimal, precision: 6, scale: 3, min: 0, max: 99.999, unique: true}",
    "{type: decimal, precision: 4, scale: 2, min: -0.5, max: 0.99, unique: true}",
    "{type: decimal, precision: 5, scale: 2, min: 0.005}",
    "{type: decimal, precision: 4, scale: 1}",
    "{type: integer, max: -10, unique: true}",
    "{type: integer, min: 2147483000, unique: true}",
    "{type: float, max: -3.5}",
    "{type: enum, values: [bronze, silver, gold]}",
]


@pytest.mark.parametrize("spec", FIELDS)
def test_field_values_pass_the_generated_schema(spec: str) -> None:
    item = field_of(f"      value: {spec}\n")
    kind = FIELD_TYPES[item.type]
    value_of = sample_function(checked_sample(item))
    for n in CHECKED_ROWS:
        assert kind.accepts_sample(item, value_of(n)), (n, value_of(n))
    if item.unique:
        assert len({repr(value_of(n)) for n in ROWS}) == len(ROWS)
    for label, literal in kind.invalid(item):
        assert not kind.accepts_sample(item, eval(literal)), label  # a literal made by us


def test_invalid_pattern_values_are_refused_as_pydantic_searches() -> None:
    # Searched, not full-matched: "!" holds no digit, so it is refused; "a1" would pass.
    item = field_of("      value: {type: string, pattern: '[0-9]', max_length: 10}\n")
    cases = dict(FIELD_TYPES["string"].invalid(item))
    assert cases["pattern"] == "'!'"
    model = model_for("[0-9]", None, 10)
    model(value="a1")
    with pytest.raises(ValidationError):
        model(value="!")
    # A pattern every text matches (searched) has no invalid value to test.
    anything = field_of("      value: {type: string, pattern: 'a*', max_length: 10}\n")
    assert "pattern" not in dict(FIELD_TYPES["string"].invalid(anything))


def test_a_default_is_checked_as_pydantic_matches() -> None:
    ok = check_text(
        "project: {name: demo}\nresources:\n  Item:\n    fields:\n"
        "      code: {type: string, max_length: 10, pattern: '[0-9]', default: 'a1'}\n"
    )
    assert ok.ok, [problem.render() for problem in ok.problems]


# ---------------------------------------------------------------- refused by check

REFUSED = [
    (
        "pattern_longer_than_max_length",
        "      isbn: {type: string, pattern: '^[0-9]{13}$', max_length: 5}\n",
        "5:37 [bad-constraint] Book.isbn: no test value satisfies its pattern '^[0-9]{13}$', "
        "max_length 5: every match has at least 13 characters, more than max_length 5; change "
        "the pattern or the lengths",
    ),
    (
        "lookahead",
        "      code: {type: string, pattern: '^(?=x)[a-z]+$', max_length: 20}\n",
        "5:37 [bad-pattern] Book.code: pattern is not supported by pydantic's regex engine: "
        "look-around, including look-ahead and look-behind, is not supported",
    ),
    (
        "backreference",
        "      code: {type: string, pattern: '^(a)\\1$', max_length: 20}\n",
        "5:37 [bad-pattern] Book.code: pattern is not supported by pydantic's regex engine: "
        "backreferences are not supported",
    ),
    (
        "unique_with_too_few_values",
        "      colour: {type: string, pattern: '^(red|green|blue)$', max_length: 9, unique: true}\n",
        "5:39 [bad-constraint] Book.colour: pattern '^(red|green|blue)$', max_length 9: it is "
        "unique, but the test values made from it take only 1 distinct value (the generated "
        "tests make up to 127 rows); loosen the pattern or the lengths, or drop unique",
    ),
    (
        "unique_integer_with_too_few_values",
        "      seat: {type: integer, min: 1, max: 50, unique: true}\n",
        "5:42 [bad-constraint] Book.seat: it is unique, but its constraints leave only 50 "
        "distinct test values (the generated tests make up to 127 rows)",
    ),
    (
        "unique_text_too_short_for_its_rows",
        "      tag: {type: string, max_length: 1, unique: true}\n",
        "5:39 [bad-constraint] Book.tag: max_length 1: it is unique, but the test values it "
        "allows take only 35 distinct values (the generated tests make up to 127 rows); loosen "
        "the lengths, or drop unique",
    ),
    (
        "url_longer_than_max_length",
        "      site: {type: url, max_length: 10}\n",
        "5:37 [bad-constraint] Book.site: max_length 10 is too short for a test value of type url",
    ),
    (
        "rust_only_syntax",
        "      name: {type: string, pattern: '^\\p{L}+$', max_length: 20}\n",
        "5:37 [bad-pattern] Book.name: no test value satisfies its pattern '^\\\\p{L}+$', "
        "max_length 20: Python's regex parser, which test values are made with, cannot read "
        "it (bad escape \\p at position 1); write it in syntax that Python's `re` reads as "
        "well (e.g. a character class for \\p{...}), or give a matching `example:` for the "
        "tests to use",
    ),
]


@pytest.mark.parametrize(
    ("fields", "expected"), [case[1:] for case in REFUSED], ids=[case[0] for case in REFUSED]
)
def test_check_refuses_with_a_located_problem(fields: str, expected: str) -> None:
    text = f"project: {{name: demo}}\nresources:\n  Book:\n    fields:\n{fields}"
    result = check_text(text, "spec.yaml")
    assert not result.ok
    shown = [
        f"{p.location.line}:{p.location.column} [{p.code}] {p.message}" for p in result.problems
    ]
    assert shown == [expected]


def test_an_example_serves_a_pattern_the_generator_cannot_read() -> None:
    item = field_of(
        "      value: {type: string, pattern: '^\\p{L}+$', example: Ada, max_length: 20}\n"
    )
    assert checked_sample(item) == "'Ada'"


@pytest.mark.parametrize("case", REFUSED, ids=[case[0] for case in REFUSED])
def test_new_reports_what_check_reports_without_a_traceback(
    tmp_path: Path, case: tuple[str, str, str]
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"project: {{name: demo}}\nresources:\n  Book:\n    fields:\n{case[1]}")
    result = CliRunner().invoke(app, ["new", str(spec), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"spec.yaml:{case[2].split(' ', 1)[0]}: error:" in result.output
    assert not (tmp_path / "out").exists()
