"""Rule cases that need more than one file, or a file at a given path."""

from __future__ import annotations

from textwrap import dedent

from fastapi_architect.review import ReviewConfig, review_files


def findings(rule_id: str, files: dict[str, str]) -> list[tuple[str, int]]:
    texts = {path: dedent(text).lstrip("\n") for path, text in files.items()}
    result = review_files(texts, ReviewConfig(select=(rule_id,), cache=False))
    assert not result.errors
    return [(f.path, f.line) for f in result.active if f.rule_id == rule_id]


ENDPOINTS = """
    from fastapi import APIRouter
    router = APIRouter(prefix="/tasks")

    @router.get("")
    def list_tasks() -> list[dict]: ...

    @router.post("")
    def create_task() -> dict: ...

    @router.get("/{task_id}")
    def read_task(task_id: int) -> dict: ...
"""


def test_fa305_is_silent_when_the_prefix_is_computed_at_run_time():
    main = """
        from fastapi import FastAPI
        from app.config import settings
        from app.endpoints import router
        app = FastAPI()
        app.include_router(router, prefix={prefix})
    """
    for prefix in ("settings.api_prefix", "get_prefix()", 'f"/api/{settings.version}"'):
        files = {"app/endpoints.py": ENDPOINTS, "app/main.py": main.format(prefix=prefix)}
        assert findings("FA305", files) == [], prefix
    files = {"app/endpoints.py": ENDPOINTS, "app/main.py": main.format(prefix='"/api"')}
    assert findings("FA305", files) == [("app/main.py", 4)]


def test_fa305_reads_a_module_constant_prefix():
    main = """
        from fastapi import FastAPI
        from app.endpoints import router
        API_V1 = "/api/v1"
        app = FastAPI()
        app.include_router(router, prefix=API_V1)
    """
    assert findings("FA305", {"app/endpoints.py": ENDPOINTS, "app/main.py": main}) == []


def test_fa307_keeps_two_run_time_prefixes_apart_but_not_one_prefix_twice():
    main = """
        from fastapi import FastAPI
        from app.config import settings
        from app.endpoints import router
        from app.other import router as other
        app = FastAPI()
        app.include_router(router, prefix=settings.v1_prefix)
        app.include_router(other, prefix={other_prefix})
    """
    other = ENDPOINTS.replace("list_tasks", "list_tasks_again")
    files = {
        "app/endpoints.py": ENDPOINTS,
        "app/other.py": other,
        "app/main.py": main.format(other_prefix="settings.v2_prefix"),
    }
    assert findings("FA307", files) == []
    files["app/main.py"] = main.format(other_prefix="settings.v1_prefix")
    assert len(findings("FA307", files)) == 3


def test_fa304_does_not_take_a_run_time_prefix_for_a_path_parameter():
    main = """
        from fastapi import FastAPI
        from app.endpoints import router
        app = FastAPI()
        app.include_router(router, prefix=f"/partner/{PARTNER}")
    """
    assert findings("FA304", {"app/endpoints.py": ENDPOINTS, "app/main.py": main}) == []


def test_test_code_is_not_reviewed_but_its_suppressions_are():
    code = """
        import jwt

        def forged() -> str:
            return jwt.encode({"sub": "1"}, "", algorithm="none")

        def accepted(token: str) -> dict:
            return jwt.decode(token, "", algorithms=["none"])  # architect: ignore[FA104]
    """
    assert findings("FA113", {"app/auth.py": code}) == [("app/auth.py", 4), ("app/auth.py", 7)]
    for path in ("tests/test_auth.py", "app/tests/helpers.py", "test_auth.py", "conftest.py"):
        assert findings("FA113", {path: code}) == []
        assert findings("FA001", {path: code}) == [(path, 7)]


LOGIN = """
    from fastapi import APIRouter
    router = APIRouter()

    @router.post("/auth/login")
    def login(form: dict) -> dict: ...

    @router.post("/auth/forgot-password")
    def forgot_password(email: str) -> None: ...
"""


def test_fa112_takes_a_rate_limit_middleware_anywhere_in_the_project_as_a_limit():
    assert findings("FA112", {"app/auth.py": LOGIN}) == [("app/auth.py", 5), ("app/auth.py", 8)]
    slowapi = """
        from fastapi import FastAPI
        from slowapi.middleware import SlowAPIMiddleware
        app = FastAPI()
        app.add_middleware(SlowAPIMiddleware)
    """
    own = """
        from starlette.middleware.base import BaseHTTPMiddleware

        class Throttle(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next): ...
    """
    for main in (slowapi, own):
        assert findings("FA112", {"app/auth.py": LOGIN, "app/main.py": main}) == []


def test_fa112_takes_account_lockout_as_a_limit_on_logins_only():
    models = """
        from sqlmodel import Field, SQLModel

        class User(SQLModel, table=True):
            id: int | None = Field(default=None, primary_key=True)
            failed_login_attempts: int = 0
    """
    files = {"app/auth.py": LOGIN, "app/models.py": models}
    assert findings("FA112", files) == [("app/auth.py", 8)]


NOTE_MODELS = """
    from sqlmodel import Field, SQLModel

    class NoteBase(SQLModel):
        text: str

    class Note(NoteBase, table=True):
        id: int | None = Field(default=None, primary_key=True)
        owner_id: int = Field(foreign_key="user.id", index=True)

    class NoteOut(NoteBase):
        id: int
"""
NOTE_CRUD = """
    from app.models import Note

    def get_note(session, note_id: int) -> Note | None:
        return session.get(Note, note_id)

    def get_user_note(session, note_id: int, owner_id: int) -> Note | None: ...
"""
NOTE_ROUTES = """
    from fastapi import APIRouter, Depends, HTTPException
    from app import crud
    from app.deps import get_current_user, get_session
    from app.models import NoteOut
    router = APIRouter()

    @router.get("/notes/{note_id}", response_model=NoteOut)
    def read_note(note_id: int, user=Depends(get_current_user), session=Depends(get_session)):
        note = crud.{call}
        if note is None:
            raise HTTPException(status_code=404)
        return note
"""


def test_fa103_follows_a_read_into_a_function_of_another_file_by_what_the_route_returns():
    def run(call: str) -> list[tuple[str, int]]:
        files = {
            "app/models.py": NOTE_MODELS,
            "app/crud.py": NOTE_CRUD,
            "app/api.py": NOTE_ROUTES.replace("{call}", call),
        }
        return findings("FA103", files)

    assert run("get_note(session, note_id)") == [("app/api.py", 9)]
    assert run("get_user_note(session, note_id, user.id)") == []
    assert run("get_user_note(session, note_id, owner_id=user.id)") == []


def test_fa108_grades_what_a_response_schema_exposes():
    code = """
        from fastapi import APIRouter
        from pydantic import BaseModel

        class UserOut(BaseModel):
            email: str
            password: str

        class ConnectionOut(BaseModel):
            host: str
            password: str

        class CardOut(BaseModel):
            card_number: str

        router = APIRouter()

        @router.get("/users/{user_id}")
        def read_user(user_id: int) -> UserOut: ...

        @router.get("/connections/{conn_id}")
        def read_connection(conn_id: int) -> ConnectionOut: ...

        @router.get("/cards/{card_id}")
        def read_card(card_id: int) -> CardOut: ...
    """
    texts = {"app/api.py": dedent(code).lstrip("\n")}
    result = review_files(texts, ReviewConfig(select=("FA108",), cache=False))
    graded = [(f.line, f.severity.value, f.confidence.value) for f in result.active]
    assert graded == [(17, "error", "high"), (20, "info", "low"), (23, "warning", "medium")]
