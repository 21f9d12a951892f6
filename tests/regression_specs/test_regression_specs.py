"""Specs `check` accepts with fields whose test values are hard to make (patterns with
lengths, unique values across rows, formats, decimal scales, narrow and negative bounds):
`new` generates each, and the generated project's own tests pass, lint-clean, on SQLite and
PostgreSQL. The specs are combined in one project so that it is installed and run once
(`check` accepting them is a fast test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_architect import check_file
from fastapi_architect.generate import generate_project
from tests.conftest import REDIS_URL, require_service, run
from tests.generate.test_generated_backends import passed

# The generated-project tests share the examples' virtualenv (see tests/conftest.py).
slow = pytest.mark.slow
on_generated_backends = pytest.mark.xdist_group("generated-backends")

SPECS = sorted(Path(__file__).resolve().parent.glob("*.yaml"))


@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_check_accepts_the_spec(spec: Path) -> None:
    result = check_file(spec)
    assert result.ok, [problem.render() for problem in result.problems]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("regression-specs")
    made = {}
    for spec in SPECS:
        resolved = check_file(spec).spec
        assert resolved is not None
        generate_project(resolved, spec.read_text(), root / spec.stem)
        made[spec.stem] = root / spec.stem
    return made


def assert_generated_tests_pass(venv: Path, project: Path, env: dict[str, str]) -> None:
    result = run(venv, project, "pytest", "-q", "-p", "no:cacheprovider", env=env)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert passed(result) > 100


@slow
@on_generated_backends
@pytest.mark.redis
@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_generated_tests_pass_on_sqlite(venv: Path, generated: dict[str, Path], spec: Path) -> None:
    require_service("Redis", REDIS_URL, 6379)
    project = generated[spec.stem]
    assert_generated_tests_pass(venv, project, {"TEST_REDIS_URL": REDIS_URL})
    linted = run(venv, project, "ruff", "check", ".")
    assert linted.returncode == 0, linted.stdout[-4000:]


@slow
@on_generated_backends
@pytest.mark.postgres
@pytest.mark.parametrize("spec", SPECS, ids=[spec.stem for spec in SPECS])
def test_generated_tests_pass_on_postgres(
    venv: Path, generated: dict[str, Path], postgres_url: str, spec: Path
) -> None:
    """PostgreSQL holds values to the columns' lengths, which SQLite does not."""
    assert_generated_tests_pass(venv, generated[spec.stem], {"TEST_DATABASE_URL": postgres_url})
