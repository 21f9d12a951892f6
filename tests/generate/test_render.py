"""Rendering a project: complete, deterministic, formatted and lint-clean."""

from __future__ import annotations

import ast
import json
import subprocess
import tomllib
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from fastapi_architect import check_text, load_spec
from fastapi_architect.generate import (
    GENERATOR_VERSION,
    LOCK_FILE,
    SPEC_FILE,
    generate_project,
    render_files,
)
from fastapi_architect.generate import render as render_module
from fastapi_architect.generate.layout import FILES, LAYERS, REVISION_TEMPLATE, plan
from fastapi_architect.generate.render import render_project, render_test_modules
from fastapi_architect.spec.model import ResolvedSpec
from tests.conftest import EXAMPLES

EXAMPLE_NAMES = ["taskflow", "blog", "shop", "taskflow-jwks"]


def files_of(name: str) -> dict[str, str]:
    path = EXAMPLES / f"{name}.yaml"
    return render_files(load_spec(path), path.read_text())


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_same_spec_gives_the_same_bytes(name: str) -> None:
    assert files_of(name) == files_of(name)


def test_layout_of_a_generated_project() -> None:
    files = set(files_of("taskflow"))
    expected = {
        "pyproject.toml",
        "README.md",
        "Makefile",
        ".env.example",
        "alembic.ini",
        SPEC_FILE,
        "app/main.py",
        "app/api/deps.py",
        "app/api/v1/router.py",
        "app/core/config.py",
        "app/core/security.py",
        "app/core/database.py",
        "app/core/errors.py",
        "app/core/logging.py",
        "migrations/env.py",
        "migrations/versions/0001_initial.py",
        "tests/conftest.py",
        "tests/test_auth.py",
    }
    for plural, singular in (("tasks", "task"), ("categories", "category"), ("tags", "tag")):
        expected |= {
            f"app/api/v1/endpoints/{plural}.py",
            f"app/models/{singular}.py",
            f"app/schemas/{singular}.py",
            f"app/services/{singular}.py",
            f"app/repositories/{singular}.py",
            f"tests/test_{plural}.py",
        }
    assert expected <= files


def test_handlers_are_thin_and_queries_live_in_repositories() -> None:
    files = files_of("taskflow")
    endpoints = {k: v for k, v in files.items() if k.startswith("app/api/v1/endpoints/")}
    for path, text in endpoints.items():
        assert "select(" not in text, path
        assert "session.exec" not in text, path
    assert "select(" in files["app/repositories/task.py"]
    assert "require(RESOURCE" in files["app/services/task.py"]


def test_every_python_file_compiles() -> None:
    for name in EXAMPLE_NAMES:
        for path, text in files_of(name).items():
            if path.endswith(".py"):
                compile(text, path, "exec")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_generated_project_is_ruff_clean(tmp_path: Path, name: str) -> None:
    spec_path = EXAMPLES / f"{name}.yaml"
    generate_project(load_spec(spec_path), spec_path.read_text(), tmp_path / name)
    ruff = find_ruff_bin()
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        completed = subprocess.run(
            [ruff, *command], cwd=tmp_path / name, capture_output=True, text=True, check=False
        )
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_lock_file_records_what_was_generated(tmp_path: Path) -> None:
    spec_path = EXAMPLES / "taskflow.yaml"
    report = generate_project(load_spec(spec_path), spec_path.read_text(), tmp_path / "tf")
    lock = json.loads((tmp_path / "tf" / LOCK_FILE).read_text())
    assert lock["generator_version"] == GENERATOR_VERSION
    assert lock["project"] == "taskflow"
    assert set(lock["files"]) == set(report.written) - {LOCK_FILE}
    assert (tmp_path / "tf" / SPEC_FILE).read_text() == spec_path.read_text()


def test_external_issuer_replaces_the_account_endpoints() -> None:
    files = files_of("taskflow-jwks")
    assert "app/api/v1/endpoints/auth.py" not in files
    assert "app/models/refresh_token.py" not in files
    assert "app/core/jwks.py" in files
    assert "tests/test_tokens.py" in files
    assert "verify_token" in files["app/api/deps.py"]


def test_a_pattern_gets_test_values_made_from_it() -> None:
    text = (
        "project: {name: demo}\n"
        "resources:\n"
        "  Blob:\n"
        "    fields:\n"
        "      digest: {type: string, max_length: 64, pattern: '^[0-9a-f]{64}$'}\n"
    )
    spec = check_text(text).spec
    assert spec is not None
    factories = render_files(spec, text)["tests/factories.py"]
    assert (
        '"digest": (\n            "0" * 59\n            + "0123456789abcdef"[n // 65536 % 16]'
        in factories
    )
    # What no value can meet is a located problem of `check`, before any generation.
    too_short = check_text(text.replace("max_length: 64", "max_length: 12"), "spec.yaml")
    assert [p.code for p in too_short.problems] == ["bad-constraint"]
    assert too_short.problems[0].location.line == 5


def test_a_spec_without_auth_generates_a_public_api(tmp_path: Path) -> None:
    text = (
        "project: {name: public-notes}\n"
        "auth: {mode: none}\n"
        "resources:\n"
        "  Note:\n"
        "    fields: {text: {type: string, max_length: 200}}\n"
        "    filters: [text]\n"
    )
    spec = check_text(text).spec
    assert spec is not None
    files = render_files(spec, text)
    assert "app/api/v1/endpoints/auth.py" not in files
    assert '"read": ("public",)' in files["app/services/access.py"]
    for path, source in files.items():
        if path.endswith(".py"):
            compile(source, path, "exec")


# ---------------------------------------------------------------- the layout

LAYOUT_SPECS: dict[str, Path | str] = {
    **{name: EXAMPLES / f"{name}.yaml" for name in EXAMPLE_NAMES},
    "public-audited": (
        "project: {name: public-notes}\n"
        "auth: {mode: none}\n"
        "resources:\n"
        "  Note:\n"
        "    audit: true\n"
        "    fields: {text: {type: string, max_length: 200}}\n"
        "    relations:\n"
        "      labels: {to: Label, kind: many_to_many}\n"
        "  Label:\n"
        "    fields: {name: {type: string, max_length: 40}}\n"
    ),
}


def layout_spec(name: str) -> ResolvedSpec:
    source = LAYOUT_SPECS[name]
    if isinstance(source, Path):
        return load_spec(source)
    spec = check_text(source).spec
    assert spec is not None
    return spec


@pytest.mark.parametrize("name", list(LAYOUT_SPECS))
def test_the_layout_lists_every_rendered_file_in_order(name: str) -> None:
    spec = layout_spec(name)
    assert [item.path for item in plan(spec)] == list(render_project(spec, GENERATOR_VERSION))


def test_every_template_is_in_the_layout_once_per_kind_of_file() -> None:
    templates = Path(str(files("fastapi_architect.generate") / "templates"))
    on_disk = {path.relative_to(templates).as_posix() for path in templates.rglob("*.j2")}
    assert {item.template for item in FILES} | {REVISION_TEMPLATE} == on_disk
    paths = [item.path for item in FILES if item.scope != "association"]
    assert len(paths) == len(set(paths))


def test_each_file_lies_in_its_layer() -> None:
    paths = {item.name: item.path for item in LAYERS}
    for item in FILES:
        if item.layer in paths:
            layer = paths[item.layer]
            assert item.path == layer or item.path.startswith(layer + "/"), item.path
    assert {item.layer for item in FILES} >= set(paths)


def test_only_endpoint_modules_are_routed() -> None:
    assert {item.layer for item in FILES if item.api_router} == {"endpoints"}


@pytest.mark.parametrize("name", list(LAYOUT_SPECS))
def test_test_modules_render_alone_as_in_the_project(name: str) -> None:
    spec = layout_spec(name)
    project = render_project(spec, GENERATOR_VERSION)
    alone = render_test_modules(spec, GENERATOR_VERSION)
    assert alone == {path: text for path, text in project.items() if path in alone}
    assert set(alone) == {p for p in project if p.startswith("tests/test_")}


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(st.sampled_from('"\\ \n\ta') | st.characters()))
@example('"""triple"""')
@example('ends in two quotes""')
def test_spec_texts_are_written_as_python_and_toml_read_them(text: str) -> None:
    """Titles and descriptions (any text the spec allows) come back from the generated
    string literals and docstrings as given, trailing spaces of a docstring's lines aside."""
    environment = render_module._environment()
    quoted = environment.filters["quoted"](text)
    assert ast.literal_eval(quoted) == text
    assert tomllib.loads(f"description = {quoted}")["description"] == text
    docstring = environment.filters["docstring"](text)
    expected = "\n".join(line.rstrip() for line in text.split("\n"))
    for suffix in ("", "."):
        module = ast.parse(f'"""{docstring}{suffix}"""\n')
        assert ast.get_docstring(module, clean=False) == f"{expected}{suffix}"


def test_an_mcp_endpoint_only_where_the_spec_asks() -> None:
    """taskflow serves `/mcp`, with its tests and the audit channel; the other examples do not."""
    taskflow = files_of("taskflow")
    assert {"app/api/mcp.py", "tests/test_mcp.py"} <= taskflow.keys()
    assert '"mcp>=' in taskflow["pyproject.toml"]
    assert "channel" in taskflow["app/models/audit_log.py"]
    assert "mount_mcp(app, mcp_server)" in taskflow["app/main.py"]
    for name in ("blog", "shop", "taskflow-jwks"):
        files = files_of(name)
        assert "app/api/mcp.py" not in files
        assert not any("mcp" in text.lower() for text in files.values()), name
