"""The survey: routes with auth and full paths, models, ER diagram, layering."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

from fastapi_architect.survey import mermaid_er, render_json, render_markdown, survey


def build(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"))
    return root


def project(tmp_path: Path) -> Path:
    return build(
        tmp_path,
        {
            "app/models.py": """
                from sqlmodel import Field, Relationship, SQLModel
                class User(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    tasks: list["Task"] = Relationship(back_populates="owner")
                class Task(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    owner_id: int = Field(foreign_key="user.id", index=True)
            """,
            "app/services/tasks.py": """
                from app.models import Task
                def list_tasks() -> list[Task]: ...
            """,
            "app/api/tasks.py": """
                from fastapi import APIRouter, Depends
                from app.services import tasks
                def get_current_user(): ...
                router = APIRouter(prefix="/tasks")

                @router.get("/", response_model=list[dict])
                def list_tasks(user=Depends(get_current_user)): ...

                @router.post("/", status_code=201)
                def create_task() -> dict: ...
            """,
            "app/main.py": """
                from fastapi import FastAPI
                from app.api import tasks
                app = FastAPI()
                app.include_router(tasks.router, prefix="/api/v1")
            """,
        },
    )


def test_routes_models_and_layers(tmp_path):
    result = survey(project(tmp_path))
    rows = {(r.method, r.path): r for r in result.routes}
    listing = rows[("GET", "/api/v1/tasks/")]
    assert listing.auth == "get_current_user"
    assert listing.response_model == "list[dict]"
    assert listing.location == "app/api/tasks.py:7"
    assert rows[("POST", "/api/v1/tasks/")].auth is None
    assert rows[("POST", "/api/v1/tasks/")].status_code == 201
    models = {m.name: m for m in result.models}
    assert models["Task"].columns[1].foreign_key == "user.id"
    assert [r.target for r in models["User"].relations] == ["Task"]
    assert dict(result.layers) == {"api": 1, "models": 1, "services": 1}
    assert {(e.source, e.target) for e in result.edges} == {
        ("api", "services"),
        ("services", "models"),
    }


def test_mermaid_markdown_and_json(tmp_path):
    result = survey(project(tmp_path))
    diagram = mermaid_er(result)
    assert diagram.startswith("erDiagram")
    assert 'user ||--o{ task : "owner_id"' in diagram
    assert "int owner_id FK" in diagram
    markdown = render_markdown(result)
    assert "```mermaid" in markdown
    assert "| POST | `/api/v1/tasks/` |" in markdown
    data = json.loads(render_json(result))
    assert data["layers"] == {"api": 1, "models": 1, "services": 1}


def test_a_prefix_computed_at_run_time_is_shown_as_written(tmp_path):
    root = build(
        tmp_path,
        {
            "app/api/tasks.py": """
                from typing import Annotated
                from fastapi import APIRouter, Depends
                def get_current_user(): ...
                CurrentUser = Annotated[dict, Depends(get_current_user)]
                def get_service(user: CurrentUser): ...
                Service = Annotated[object, Depends(get_service)]
                router = APIRouter(prefix="/tasks")

                @router.get("")
                def list_tasks(service: Service) -> list[dict]: ...
            """,
            "app/main.py": """
                from fastapi import FastAPI
                from app.api import tasks
                from app.config import settings
                app = FastAPI()
                app.include_router(tasks.router, prefix=settings.api_prefix)
            """,
        },
    )
    (row,) = survey(root).routes
    assert row.path == "{settings.api_prefix}/tasks"
    assert row.auth == "get_service"
