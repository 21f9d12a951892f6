"""`design --from-code`: the document of an existing codebase lists the routes and tables
that `survey` finds, and says which sections the code cannot tell."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_architect import load_spec
from fastapi_architect.design import design_from_code, design_from_spec, render_markdown
from fastapi_architect.generate import generate_project
from fastapi_architect.survey import survey
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = ROOT / "tests" / "review" / "sample_app"


@pytest.fixture(scope="module")
def taskflow_backend(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = EXAMPLES / "taskflow.yaml"
    target = tmp_path_factory.mktemp("backend") / "taskflow"
    generate_project(load_spec(spec), spec.read_text(), target)
    return target


def routes_and_tables(path: Path) -> None:
    found = survey(path)
    design = design_from_code(path)
    assert [(e.method, e.path, e.handler, e.auth) for e in design.endpoints] == [
        (r.method, r.path, r.handler, r.auth) for r in found.routes
    ]
    assert [t.name for t in design.tables] == [m.table for m in found.models]
    for table, model in zip(design.tables, found.models, strict=True):
        assert [c.name for c in table.columns] == [c.name for c in model.columns]
    markdown = render_markdown(design)
    for route in found.routes:
        assert f"| {route.method} | `{route.path}` |" in markdown
    for model in found.models:
        assert f"### `{model.table}`" in markdown


def test_the_sample_app_matches_its_survey() -> None:
    routes_and_tables(SAMPLE_APP)


def test_a_generated_backend_matches_its_survey(taskflow_backend: Path) -> None:
    routes_and_tables(taskflow_backend)


def test_a_generated_backend_has_the_routes_and_tables_of_its_spec(
    taskflow_backend: Path,
) -> None:
    from_code = design_from_code(taskflow_backend)
    from_spec = design_from_spec(load_spec(EXAMPLES / "taskflow.yaml"))
    # The survey cannot evaluate the settings object that holds the prefix.
    found = {
        (e.method, e.path.replace("{settings.api_prefix}", "/api/v1")) for e in from_code.endpoints
    }
    assert found == {(e.method, e.path) for e in from_spec.endpoints}
    assert {t.name for t in from_code.tables} == {t.name for t in from_spec.tables}


def test_what_the_code_cannot_tell_is_said() -> None:
    design = design_from_code(SAMPLE_APP)
    markdown = render_markdown(design)
    for section in (
        "api contracts",
        "database schema",
        "service boundaries",
        "security controls",
        "migration plan",
        "testing strategy",
        "open questions",
        "decisions",
    ):
        reason = design.unknown_reason(section)
        assert reason is not None
        assert f"_Not known from the code: {reason}_" in markdown
    assert design.adrs == ()
    assert design.migration == ()


def test_risks_of_the_sample_app() -> None:
    risks = {r.title: r for r in design_from_code(SAMPLE_APP).risks}
    assert "GET /api/v1/tasks/stats/summary" in risks["Routes without authentication"].detail
    assert "/auth/login" not in risks["Routes without authentication"].detail
    assert "GET /api/v1/legacy/task/{task_id}" in risks["Routes declared twice"].detail


def test_the_diagrams_show_the_models_and_layers() -> None:
    design = design_from_code(SAMPLE_APP)
    assert design.er_diagram.startswith("erDiagram\n")
    assert '    user ||--o{ task : "owner_id"' in design.er_diagram
    assert "layer_api" in design.request_flow
    assert 'client -->|"HTTP request"| layer_api' in design.request_flow
