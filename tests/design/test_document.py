"""The architecture document of a spec: its sections, contracts, schema, risks, ADRs and
test counts, as Markdown and as JSON."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest

from fastapi_architect import load_spec
from fastapi_architect.design import (
    Design,
    design_files,
    design_from_spec,
    render_json,
    render_markdown,
)
from fastapi_architect.design.document import count_tests
from fastapi_architect.design.markdown import SECTIONS
from fastapi_architect.design.sections.prose import template_blocks
from fastapi_architect.generate import GENERATOR_VERSION
from fastapi_architect.generate.render import render_project
from tests.conftest import EXAMPLE_NAMES, EXAMPLES


@cache
def example(name: str) -> Design:
    return design_from_spec(load_spec(EXAMPLES / f"{name}.yaml"), f"examples/{name}.yaml")


def spec_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "architect.yaml"
    path.write_text(dedent(text).lstrip())
    return path


def section(markdown: str, number: int) -> str:
    """The text of section `number` of the document."""
    start = markdown.index(f"\n## {number}. ")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end != -1 else None]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_section_is_there_in_order(name: str) -> None:
    markdown = render_markdown(example(name))
    positions = [markdown.index(f"\n## {n}. {title}\n") for n, title in enumerate(SECTIONS, 1)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_endpoint_table_and_index_is_in_the_markdown(name: str) -> None:
    design = example(name)
    spec = load_spec(EXAMPLES / f"{name}.yaml")
    markdown = render_markdown(design)
    contracts = section(markdown, 2)
    for endpoint in design.endpoints:
        assert f"#### `{endpoint.method} {endpoint.path}`" in contracts
    schema = section(markdown, 3)
    assert [t.name for t in design.tables] == [t.name for t in spec.tables]
    for table in spec.tables:
        assert f"### `{table.name}`" in schema
        for column in table.columns:
            assert f"| `{column.name}` | {column.sql_type} |" in schema
        for index in table.indexes:
            assert f"`{index.name}`" in schema
            assert index.purpose in schema
        for check in table.checks:
            assert f"`{check.name}`" in schema


def test_the_task_contract() -> None:
    design = example("taskflow")
    create = design.endpoint("POST", "/api/v1/tasks")
    assert create.success_status == 201
    assert create.auth == "bearer"
    assert create.access == "owner"
    assert create.request == "TaskCreate"
    assert create.response == "ItemResponse[TaskPublic]"
    assert {e.status: e.code for e in create.errors} == {
        401: "unauthorized",
        403: "forbidden",
        409: "conflict",
        422: "validation_error",
        429: "rate_limited",
    }
    fields = {f.name: f for f in design.schema_named("TaskCreate").fields}
    assert fields["title"].required
    assert fields["title"].constraints == ("min length 1", "max length 200")
    assert not fields["status"].required
    assert fields["status"].default == '"pending"'
    assert fields["status"].constraints == ("one of pending, in_progress, done",)
    assert fields["tag_ids"].type == "list of uuid"
    assert "of the same owner" in fields["category_id"].constraints[0]
    assert create.example_response is not None
    assert create.example_response.headers[0][0] == "Location"
    listing = design.endpoint("GET", "/api/v1/tasks")
    params = {p.name for p in listing.parameters}
    assert {"limit", "cursor", "sort", "q", "status", "priority_min", "category_id"} <= params
    assert listing.pagination is not None
    assert "cursor" in listing.pagination
    get = design.endpoint("GET", "/api/v1/tasks/{task_id}")
    assert "belongs to another user" in next(e.when for e in get.errors if e.status == 404)


def test_public_reads_need_no_token() -> None:
    design = example("blog")
    listing = design.endpoint("GET", "/api/v1/posts")
    assert listing.auth == "bearer (optional)"
    # No token is needed, but one that is sent is checked.
    assert {e.status for e in listing.errors} == {401, 422, 429}
    assert listing.example_request is not None
    assert listing.example_request.headers == ()
    create = design.endpoint("POST", "/api/v1/posts")
    assert create.access == "author, admin"
    assert 403 in {e.status for e in create.errors}


def test_example_bodies_follow_the_constraints() -> None:
    design = example("blog")
    body = design.endpoint("POST", "/api/v1/posts").example_request
    assert body is not None
    assert isinstance(body.body, dict)
    assert re.fullmatch(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", str(body.body["slug"]))
    assert 3 <= len(str(body.body["title"])) <= 200
    assert body.body["tag_ids"] == [3]
    shop = example("shop")
    product = shop.endpoint("POST", "/api/v1/products").example_request
    assert product is not None
    assert isinstance(product.body, dict)
    assert re.fullmatch(r"^[A-Z0-9-]+$", str(product.body["sku"]))
    order = shop.endpoint("POST", "/api/v1/orders").example_request
    assert order is not None
    assert isinstance(order.body, dict)
    assert "total" not in order.body


def test_example_exchanges_are_printed_as_http() -> None:
    markdown = render_markdown(example("taskflow"))
    assert "```http\nPOST /api/v1/tasks HTTP/1.1\nAuthorization: Bearer <access token>\n" in (
        markdown
    )
    assert "HTTP/1.1 201 Created\nLocation: /api/v1/tasks/00000001-" in markdown
    assert "POST /api/v1/auth/token HTTP/1.1\nContent-Type: application/x-www-form-urlencoded" in (
        markdown
    )


def test_open_questions_are_the_specs() -> None:
    spec = load_spec(EXAMPLES / "shop.yaml")
    design = example("shop")
    assert [(q.subject, q.decision) for q in design.open_questions] == [
        (q.subject, q.decision) for q in spec.open_questions
    ]
    questions = section(render_markdown(design), 9)
    for question in spec.open_questions:
        assert question.decision in questions


def test_risks_come_from_the_spec() -> None:
    taskflow = {r.title for r in example("taskflow").risks}
    assert "Unindexed text search on Task" in taskflow
    assert "Many-to-many fan-out: Task.tags" in taskflow
    shop = {r.title: r for r in example("shop").risks}
    assert "Order.total" in shop["Hot rows: server-maintained totals"].detail
    blog = {r.title: r for r in example("blog").risks}
    assert "enumerated" in blog["Public listing and scraping"].detail


def test_a_spec_without_search_or_links_has_no_such_risk(tmp_path: Path) -> None:
    spec = load_spec(
        spec_file(
            tmp_path,
            """
            project: {name: notes}
            resources:
              Note:
                owned: true
                fields: {text: string}
            """,
        )
    )
    titles = {r.title for r in design_from_spec(spec).risks}
    assert not any(t.startswith(("Unindexed text search", "Many-to-many")) for t in titles)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_adrs_have_context_decision_and_consequences(name: str) -> None:
    files = design_files(example(name))
    adrs = sorted(path for path in files if path.startswith("adr/"))
    # An ADR on the language-model layer, for a spec with AI actions (taskflow).
    ai = ["adr/0006-ai.md"] if example(name).ai is not None else []
    assert adrs == [
        "adr/0001-authentication.md",
        "adr/0002-identifiers.md",
        "adr/0003-pagination.md",
        "adr/0004-soft-delete.md",
        "adr/0005-database.md",
        *ai,
    ]
    for path in adrs:
        text = files[path]
        assert text.startswith(f"# ADR {path[4:8]}: ")
        for heading in ("## Context", "## Decision", "## Consequences"):
            assert f"\n{heading}\n" in text
        assert f"]({path})" in files["architecture.md"]


def test_adrs_follow_the_spec() -> None:
    blog = {a.slug: a for a in example("blog").adrs}
    assert blog["identifiers"].title == "Identifiers: integer identity"
    assert blog["soft-delete"].title == "Soft delete: Post"
    taskflow = {a.slug: a for a in example("taskflow").adrs}
    assert taskflow["identifiers"].title == "Identifiers: UUID v4"
    assert "15-minute" in taskflow["authentication"].decision


def test_a_public_api_has_no_auth_routes(tmp_path: Path) -> None:
    spec = load_spec(
        spec_file(
            tmp_path,
            """
            project: {name: notes}
            auth: {mode: none}
            resources:
              Note:
                fields: {text: string}
            """,
        )
    )
    design = design_from_spec(spec)
    assert not [e for e in design.endpoints if "/auth/" in e.path or "/users" in e.path]
    assert {e.auth for e in design.endpoints} == {"none"}
    assert design.adrs[0].title == "Authentication: none"


def test_external_issuer_specs_have_user_routes_but_no_login(tmp_path: Path) -> None:
    spec = load_spec(
        spec_file(
            tmp_path,
            """
            project: {name: notes}
            auth:
              mode: jwks
              jwks: {url: "https://id.example.com/jwks", issuer: "https://id.example.com", audience: notes}
            resources:
              Note:
                owned: true
                fields: {text: string}
            """,
        )
    )
    design = design_from_spec(spec)
    assert not [e for e in design.endpoints if "/auth/" in e.path]
    assert design.endpoint("GET", "/api/v1/users/me").auth == "bearer"
    assert "subject" in {f.name for f in design.schema_named("UserPublic").fields}
    assert "https://id.example.com/jwks" in section(render_markdown(design), 5)
    assert design.adrs[0].title == "Authentication: jwks"


def test_test_counts_are_unknown_when_the_backend_cannot_be_generated(tmp_path: Path) -> None:
    spec = load_spec(
        spec_file(
            tmp_path,
            """
            project: {name: codes}
            resources:
              Voucher:
                fields:
                  code: {type: string, max_length: 10, pattern: "^Q[0-9]{3}Z$"}
            """,
        )
    )

    # `check` refuses constraints no test value meets; a spec built in code can still have
    # them, and the design says what stopped the generator.
    def impossible(resource: Any) -> Any:
        fields = tuple(
            f.model_copy(update={"pattern": "^Q[0-9]{13}Z$"}) if f.name == "code" else f
            for f in resource.fields
        )
        return resource.model_copy(update={"fields": fields})

    spec = spec.model_copy(update={"resources": tuple(impossible(r) for r in spec.resources)})
    design = design_from_spec(spec)
    assert design.test_files == ()
    reason = design.unknown_reason("test counts")
    assert reason is not None
    # The generator's own explanation of what stopped it is passed on.
    assert reason.startswith("not generated: ")
    assert "code" in reason
    assert f"_Test counts: {reason}_" in render_markdown(design)
    create = design.endpoint("POST", "/api/v1/vouchers").example_request
    assert create is not None
    assert create.body == {"code": "<matching ^Q[0-9]{13}Z$>"}


def test_test_counts_multiply_parametrize_cases() -> None:
    source = dedent(
        """
        import pytest
        CASES = [pytest.param(1, id="a"), pytest.param(2, id="b"), pytest.param(3, id="c")]

        def helper(): ...

        async def test_plain(): ...

        @pytest.mark.parametrize("x", CASES)
        async def test_named(x): ...

        @pytest.mark.parametrize("y", [1, 2])
        @pytest.mark.parametrize(("a", "b"), [(1, 2), (3, 4), (5, 6), (7, 8)])
        def test_stacked(y, a, b): ...
        """
    )
    assert [(t.name, t.cases) for t in count_tests(source)] == [
        ("test_plain", 1),
        ("test_named", 3),
        ("test_stacked", 8),
    ]


def test_testing_strategy_counts_every_generated_test_file() -> None:
    design = example("taskflow")
    files = {f.path: f for f in design.test_files}
    assert set(files) == {
        "tests/test_ai.py",
        "tests/test_auth.py",
        "tests/test_categories.py",
        "tests/test_mcp.py",
        "tests/test_platform.py",
        "tests/test_tags.py",
        "tests/test_tasks.py",
    }
    assert files["tests/test_tasks.py"].subject == "Task"
    assert files["tests/test_mcp.py"].subject == "MCP"
    assert files["tests/test_ai.py"].subject == "AI"
    assert design.test_total == sum(f.total for f in files.values()) > 100
    assert f"{design.test_total} tests in 7 files." in section(render_markdown(design), 7)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_json_is_the_same_content_as_data(name: str) -> None:
    design = example(name)
    text = render_json(design)
    data = json.loads(text)
    assert [(e["method"], e["path"]) for e in data["endpoints"]] == [
        (e.method, e.path) for e in design.endpoints
    ]
    assert [t["name"] for t in data["tables"]] == [t.name for t in design.tables]
    assert data["er_diagram"].startswith("erDiagram\n")
    again = Design.model_validate_json(text)
    assert again == design
    assert design_files(again) == design_files(design)
    assert design_files(design, "json") == {"architecture.json": text}


def test_output_is_deterministic_across_processes(tmp_path: Path) -> None:
    script = dedent(
        """
        import json, sys
        from fastapi_architect import load_spec
        from fastapi_architect.design import design_files, design_from_spec
        design = design_from_spec(load_spec(sys.argv[1]), "taskflow.yaml")
        print(json.dumps({**design_files(design), **design_files(design, "json")}))
        """
    )
    spec = str(EXAMPLES / "taskflow.yaml")
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script, spec],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    in_process = design_from_spec(load_spec(spec), "taskflow.yaml")
    assert json.loads(outputs.pop()) == {
        **design_files(in_process),
        **design_files(in_process, "json"),
    }


@pytest.mark.parametrize("name", [*EXAMPLE_NAMES, "taskflow-jwks"])
def test_every_path_the_document_names_is_generated(name: str) -> None:
    design = example(name)
    generated = set(render_project(load_spec(EXAMPLES / f"{name}.yaml"), GENERATOR_VERSION))
    for layer in design.layers:
        assert layer.path in generated or any(p.startswith(layer.path + "/") for p in generated)
    for service in design.services:
        for where in (service.endpoints, service.service, service.repository, service.model):
            assert where.startswith("(none") or where.split(":")[0] in generated, where
    assert {f.path for f in design.test_files} == {
        p for p in generated if p.startswith("tests/test_")
    }


def test_adr_templates_hold_their_four_parts() -> None:
    for adr in example("taskflow").adrs:
        assert template_blocks(f"adr/{adr.slug}.md.j2") == {
            "title",
            "context",
            "decision",
            "consequences",
        }


def test_an_audit_log_nobody_can_read_has_no_reading_service(tmp_path: Path) -> None:
    spec = load_spec(
        spec_file(
            tmp_path,
            """
            project: {name: notes}
            auth: {mode: none}
            resources:
              Note:
                audit: true
                fields: {text: string}
            """,
        )
    )
    audit = next(s for s in design_from_spec(spec).services if s.resource == "Audit")
    assert audit.endpoints.startswith("(none")
    assert audit.repository.startswith("(none")
    assert audit.owns == ("the append-only audit log",)
    files = render_project(spec, GENERATOR_VERSION)
    assert audit.service.split(":")[0] in files
    assert not any(
        path.startswith(("app/repositories/audit", "app/api/v1/endpoints/audit")) for path in files
    )
