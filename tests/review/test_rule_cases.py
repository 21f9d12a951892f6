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


def test_fa113_lets_a_test_forge_an_unsigned_token_but_not_accept_one():
    code = """
        import jwt

        def forged() -> str:
            return jwt.encode({"sub": "1"}, "", algorithm="none")

        def accepted(token: str) -> dict:
            return jwt.decode(token, "", algorithms=["none"])
    """
    assert findings("FA113", {"tests/test_auth.py": code}) == [("tests/test_auth.py", 7)]
    assert findings("FA113", {"app/auth.py": code}) == [("app/auth.py", 4), ("app/auth.py", 7)]
