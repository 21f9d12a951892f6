"""No dead code in what `new` writes: every function, class, import and module-level name of
every example project is used somewhere (found by vulture), apart from what a framework
calls by name: routes, validators, fixtures, SQLAlchemy's type hooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from vulture import Vulture

from fastapi_architect import check_text
from fastapi_architect.generate import render_files
from tests.conftest import EXAMPLES, GENERATED_EXAMPLES

# Called by FastAPI, pydantic, pytest or Alembic, never by the project's own code.
FRAMEWORK_DECORATORS = [
    "@router.get",
    "@router.post",
    "@router.patch",
    "@router.delete",
    "@model_validator",
    "@field_validator",
    "@pytest.fixture",
    "@compiles",
]
FRAMEWORK_NAMES = [
    "model_config",  # pydantic
    "impl",  # SQLAlchemy TypeDecorator
    "cache_ok",
    "inherit_cache",
    "process_bind_param",
    "process_result_value",
    "convert",  # Starlette path convertors
    "to_string",
    "test_*",  # pytest
    "upgrade",  # Alembic revisions
    "downgrade",
    "revision",
    "down_revision",
    "branch_labels",
    "depends_on",
]
# Fields of models, schemas and settings are read by the frameworks (columns, JSON,
# environment variables): only module-level names count among variables and attributes.
CHECKED_KINDS = {"function", "method", "class", "import", "property"}


def dead_code(project: Path) -> list[str]:
    scanner = Vulture(ignore_names=FRAMEWORK_NAMES, ignore_decorators=FRAMEWORK_DECORATORS)
    folders = [project / name for name in ("app", "tests", "migrations")]
    scanner.scavenge([str(folder) for folder in folders if folder.is_dir()])
    found = []
    for item in scanner.get_unused_code(min_confidence=60):
        path = Path(item.filename)
        line = path.read_text().splitlines()[item.first_lineno - 1]
        module_level = not line[:1].isspace()
        if item.typ in CHECKED_KINDS or (item.typ == "variable" and module_level):
            found.append(f"{path.relative_to(project)}:{item.first_lineno}: {item.message}")
    return found


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_generated_project_has_no_dead_code(tmp_path: Path, name: str) -> None:
    text = (EXAMPLES / f"{name}.yaml").read_text()
    spec = check_text(text, f"{name}.yaml").spec
    assert spec is not None
    for relative, content in render_files(spec, text).items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    assert dead_code(tmp_path) == []


def test_dead_code_is_found(tmp_path: Path) -> None:
    """The check itself: an unused helper and an unused constant are reported."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "helpers.py").write_text(
        "LIMIT = 5\n\n\ndef used() -> int:\n    return 1\n\n\ndef _unused() -> int:\n"
        "    return 2\n\n\nclass Holder:\n    field = 3\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_it.py").write_text(
        "from app.helpers import Holder, used\n\n\ndef test_it() -> None:\n"
        "    assert used() == Holder.field - 2\n"
    )
    found = dead_code(tmp_path)
    assert [entry.split(": ", 1)[1] for entry in found] == [
        "unused variable 'LIMIT'",
        "unused function '_unused'",
    ]
