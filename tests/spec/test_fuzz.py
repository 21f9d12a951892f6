"""Property: no input, however broken, makes `check` raise; the exit status is 0, 1 or 2."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from fastapi_architect import check_text
from fastapi_architect.cli import app
from tests.conftest import EXAMPLES

EXAMPLE_TEXTS = [path.read_text() for path in sorted(EXAMPLES.glob("*.yaml"))]
EXAMPLE_DATA = [yaml.safe_load(text) for text in EXAMPLE_TEXTS]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(
        ["string", "enum", "owner", "admin", "many_to_one", "Task", "User", "now", "-created_at"]
    ),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=20,
)


def _mutate(data: object, path: list[int], replacement: object) -> object:
    """Replace one value somewhere in `data`, chosen by `path`."""
    if not path:
        return replacement
    if isinstance(data, dict) and data:
        keys = list(data)
        key = keys[path[0] % len(keys)]
        return {**data, key: _mutate(data[key], path[1:], replacement)}
    if isinstance(data, list) and data:
        index = path[0] % len(data)
        return [*data[:index], _mutate(data[index], path[1:], replacement), *data[index + 1 :]]
    return replacement


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_random_text_never_raises(text: str) -> None:
    for file in ("spec.yaml", "spec.json"):
        result = check_text(text, file)
        assert result.ok or result.problems


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(EXAMPLE_DATA) - 1),
    st.lists(st.integers(min_value=0, max_value=50), max_size=6),
    values,
)
def test_mutated_examples_never_raise(example: int, path: list[int], replacement: object) -> None:
    data = _mutate(EXAMPLE_DATA[example], path, replacement)
    text = yaml.safe_dump(data, sort_keys=False)
    result = check_text(text)
    assert result.ok or result.problems
    for problem in result.problems:
        assert problem.location.line >= 1
        assert problem.location.column >= 1
    as_json = json.dumps(data, default=str)
    result = check_text(as_json, "spec.json")
    assert result.ok or result.problems


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(EXAMPLE_TEXTS) - 1),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=40),
    st.text(max_size=8),
)
def test_text_edits_of_examples_never_raise(example: int, at: int, cut: int, insert: str) -> None:
    text = EXAMPLE_TEXTS[example]
    at %= len(text)
    edited = text[:at] + insert + text[at + cut :]
    result = check_text(edited)
    assert result.ok or result.problems


runner = CliRunner()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200))
def test_cli_exit_status_is_0_1_or_2(tmp_path_factory: object, data: bytes) -> None:
    directory = Path(__import__("tempfile").mkdtemp())
    path = directory / "spec.yaml"
    path.write_bytes(data)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code in {0, 1, 2}
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
