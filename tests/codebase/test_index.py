"""The project index: full paths through include chains, effective auth, models."""

from __future__ import annotations

from fastapi_architect.codebase import build_index


def test_full_paths_follow_include_router_chains_across_files(tree):
    root = tree(
        {
            "app/api/endpoints/items.py": """
                from fastapi import APIRouter
                router = APIRouter(prefix="/items")

                @router.get("/{item_id}")
                def read_item(item_id: int) -> dict: ...
            """,
            "app/api/main.py": """
                from fastapi import APIRouter
                from app.api.endpoints import items
                api_router = APIRouter()
                api_router.include_router(items.router, tags=["items"])
            """,
            "app/main.py": """
                from fastapi import FastAPI
                from app.api.main import api_router
                app = FastAPI()
                app.include_router(api_router, prefix="/api/v1")
            """,
        }
    )
    index = build_index(root)
    (route,) = index.routes
    assert route.full_paths == ("/api/v1/items/{item_id}",)
    assert route.mounted


def test_auth_comes_from_router_include_and_annotated_aliases(tree):
    root = tree(
        {
            "app/deps.py": """
                from typing import Annotated
                from fastapi import Depends
                def get_current_user(): ...
                def get_db(): ...
                CurrentUser = Annotated[dict, Depends(get_current_user)]
            """,
            "app/routes.py": """
                from fastapi import APIRouter, Depends
                from app.deps import CurrentUser, get_current_user, get_db
                open_router = APIRouter()
                guarded = APIRouter(dependencies=[Depends(get_current_user)])

                @open_router.get("/alias")
                def by_alias(user: CurrentUser) -> dict: ...

                @open_router.get("/none")
                def by_nothing(db=Depends(get_db)) -> dict: ...

                @guarded.get("/router")
                def by_router() -> dict: ...
            """,
        }
    )
    auth = {r.fact.handler: r.auth for r in build_index(root).routes}
    assert auth == {"by_alias": True, "by_nothing": False, "by_router": True}


def test_routers_built_inside_functions_are_mounted_through_the_call(tree):
    root = tree(
        {
            "server/api.py": """
                from fastapi import APIRouter, Depends
                def init_router(authenticator):
                    router = APIRouter()

                    @router.post("/update", dependencies=[Depends(authenticator)])
                    async def update() -> None: ...

                    return router
            """,
            "server/main.py": """
                from fastapi import FastAPI
                from server.api import init_router
                app = FastAPI()
                app.include_router(init_router(object()), prefix="/data")
            """,
        }
    )
    (route,) = build_index(root).routes
    assert route.full_path == "/data/update"


def test_table_models_with_inherited_columns_and_relations(tree):
    root = tree(
        {
            "app/models.py": """
                from sqlmodel import Field, Relationship, SQLModel
                class UserBase(SQLModel):
                    email: str = Field(max_length=255)
                class User(UserBase, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    hashed_password: str
                    items: list["Item"] = Relationship(back_populates="owner")
                class Item(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    owner_id: int = Field(foreign_key="user.id", index=True)
            """,
            "app/orm.py": """
                from sqlalchemy import Column, ForeignKey, Integer, String
                from sqlalchemy.orm import DeclarativeBase, relationship
                class Base(DeclarativeBase): ...
                class Order(Base):
                    __tablename__ = "orders"
                    id = Column(Integer, primary_key=True)
                    code = Column(String(20))
                    user_id = Column(Integer, ForeignKey("user.id"))
                    user = relationship("User")
            """,
        }
    )
    index = build_index(root)
    tables = {t.name: t for t in index.tables}
    assert set(tables) == {"User", "Item", "Order"}
    assert [c.name for c in index.all_columns(tables["User"])] == [
        "id",
        "hashed_password",
        "email",
    ]
    assert index.sensitive_fields(tables["User"]) == ["hashed_password"]
    assert index.owner_column(tables["Item"]) == "owner_id"
    order_fk = next(c for c in tables["Order"].columns if c.name == "user_id")
    assert order_fk.foreign_key == "user.id"
    assert not order_fk.index
    assert index.relation_names == {"items", "user"}


def test_prefixes_computed_at_run_time_are_kept_as_written(tree):
    root = tree(
        {
            "app/endpoints.py": """
                from fastapi import APIRouter
                from app.config import settings
                router = APIRouter(prefix=f"/{settings.area}/tasks")

                @router.get("/{task_id}")
                def read_task(task_id: int) -> dict: ...
            """,
            "app/main.py": """
                from fastapi import FastAPI
                from app.config import settings
                from app.endpoints import router
                PUBLIC = "/public"
                app = FastAPI()
                app.include_router(router, prefix=settings.api_prefix)
                app.include_router(router, prefix=PUBLIC)
            """,
        }
    )
    (route,) = build_index(root).routes
    assert route.full_paths == (
        "{settings.api_prefix}/{settings.area}/tasks/{task_id}",
        "/public/{settings.area}/tasks/{task_id}",
    )
    assert route.dynamic_prefix == ("{settings.api_prefix}", "{settings.area}")


def test_auth_is_followed_through_an_alias_in_a_dependency(tree):
    root = tree(
        {
            "app/deps.py": """
                from typing import Annotated
                from fastapi import Depends
                def get_current_user(): ...
                CurrentUser = Annotated[dict, Depends(get_current_user)]
            """,
            "app/routes.py": """
                from typing import Annotated
                from fastapi import APIRouter, Depends
                from app.deps import CurrentUser
                router = APIRouter()
                def get_service(user: CurrentUser): ...
                Service = Annotated[object, Depends(get_service)]

                @router.get("/tasks")
                def list_tasks(service: Service) -> list[dict]: ...
            """,
        }
    )
    (route,) = build_index(root).routes
    assert route.auth_via == "app.routes.get_service"


def test_a_library_whose_submodules_share_the_projects_names_is_not_the_project(tree):
    # reviewed from inside its package: `app.schemas` is the project's `schemas`, but
    # `fastapi.security` and `strawberry.types` stay the libraries', though the project
    # has its own `security.py` and `types.py`
    root = tree(
        {
            "__init__.py": "",
            "security.py": "def check(): ...\n",
            "types.py": "",
            "schemas.py": "",
            "routes.py": """
                from app.schemas import Item
                from app.security import check
                from fastapi.security import OAuth2PasswordBearer
                from fastapi import APIRouter, Depends
                from fastapi.responses import JSONResponse
                from strawberry.types import Info
                from strawberry.fastapi import GraphQLRouter
            """,
        }
    )
    index = build_index(root)
    assert index.module_for("app.security") is index.module_for("security") is not None
    assert index.module_for("fastapi.security") is None
    assert index.module_for("strawberry.types") is None


def test_status_codes_are_read_from_literals_starlette_names_and_http_status(tree):
    root = tree(
        {
            "app/routes.py": """
                from http import HTTPStatus
                import http
                from fastapi import APIRouter, status
                router = APIRouter()

                @router.post("/a", status_code=201)
                def a() -> dict: ...

                @router.post("/b", status_code=status.HTTP_201_CREATED)
                def b() -> dict: ...

                @router.post("/c", status_code=HTTPStatus.CREATED)
                def c() -> dict: ...

                @router.delete("/d", status_code=http.HTTPStatus.NO_CONTENT)
                def d() -> None: ...
            """,
        }
    )
    codes = {r.fact.handler: r.fact.status_code for r in build_index(root).routes}
    assert codes == {"a": 201, "b": 201, "c": 201, "d": 204}


def test_a_folder_nested_in_its_package_and_star_reexports_resolve(tree):
    """`mlrun/api` reviewed alone still imports itself as `mlrun.api...`, and a model
    re-exported by `from .models_mysql import *` is the class the module defines (with its
    like-named twin of the other dialect): both learn where the class is created."""
    root = tree(
        {
            "__init__.py": "",
            "db/__init__.py": "",
            "db/models/__init__.py": "from .models_mysql import *\nfrom .models_sqlite import *\n",
            "db/models/models_mysql.py": "class Task:\n    name: str\n    created: str\n",
            "db/models/models_sqlite.py": "class Task:\n    name: str\n    created: str\n",
            "db/store.py": """
                from mlrun.api.db.models import Task
                from mlrun.api.db import models

                def add(session, name, now):
                    session.add(Task(name=name, created=now))
            """,
            "services/jobs.py": "from mlrun.api.db.store import add\n",
            "services/runs.py": "from mlrun.api.db.store import add\n",
        }
    )
    index = build_index(root)
    for qualname in ("db.models.models_mysql.Task", "db.models.models_sqlite.Task"):
        made = index.constructions(index.classes[qualname])
        assert made == [("db/store.py", 5, ("name", "created"))]


def test_request_text_handed_down_two_calls_reaches_the_repository(tree):
    root = tree(
        {
            "app/repo.py": "def find(session, term):\n    return term\n",
            "app/service.py": """
                from app.repo import find

                def search(session, text):
                    return find(session, text)
            """,
            "app/api.py": """
                from fastapi import APIRouter
                from app.service import search
                router = APIRouter()

                @router.get("/items")
                def items(q: str, page: int = 1):
                    return search(None, q)
            """,
        }
    )
    index = build_index(root)
    assert index.request_fed("app.service.search", "text")
    assert index.request_fed("app.repo.find", "term")
    assert not index.request_fed("app.repo.find", "session")
