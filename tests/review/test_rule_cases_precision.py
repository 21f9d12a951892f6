"""Rule cases, over more than one file, for findings that real projects showed to be
false positives (or missed flaws): each negative would have been reported before."""

from __future__ import annotations

from textwrap import dedent

from fastapi_architect.review import ReviewConfig, review_files


def findings(rule_id: str, files: dict[str, str]) -> list[tuple[str, int, str]]:
    texts = {path: dedent(text).lstrip("\n") for path, text in files.items()}
    result = review_files(texts, ReviewConfig(select=(rule_id,), cache=False))
    assert not result.errors
    return [(f.path, f.line, f.severity.value) for f in result.active if f.rule_id == rule_id]


MODELS = """
    from sqlalchemy import Column, ForeignKey, Integer, String
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase): ...

    class User(Base):
        __tablename__ = "user"
        id = Column(Integer, primary_key=True)
        email = Column(String(200))
        hashed_password = Column(String(200))
"""

AUTHED = """
    from fastapi import APIRouter, Depends
    from app.deps import get_current_user
    router = APIRouter(prefix="/items", dependencies=[Depends(get_current_user)])

    @router.get("/a")
    def a() -> dict: ...

    @router.get("/b")
    def b() -> dict: ...

    @router.get("/c")
    def c() -> dict: ...

    @router.get("/d")
    def d() -> dict: ...

    @router.get("/e")
    def e() -> dict: ...
"""

DEPS = """
    def get_current_user(): ...
    def require_auth(): ...
"""

MAIN = """
    from fastapi import FastAPI
    from app.items import router as items
    from app.users import router as users
    app = FastAPI()
    app.include_router(items)
    app.include_router(users)
"""


def test_fa101_reads_security_dependencies_of_an_api_router_subclass():
    users = """
        from fastapi import Security
        from cadwyn import VersionedAPIRouter
        from app.deps import require_auth
        from app.models import User
        router = {router}

        @router.get("/users/{{user_id}}")
        def read_user(user_id: int):
            return User.get(user_id)
    """
    files = {
        "app/models.py": MODELS,
        "app/deps.py": DEPS,
        "app/items.py": AUTHED,
        "app/main.py": MAIN,
    }
    guarded = 'VersionedAPIRouter(dependencies=[Security(require_auth, scopes=["users:self"])])'
    files["app/users.py"] = users.format(router=guarded)
    assert findings("FA101", files) == []
    files["app/users.py"] = users.format(router="VersionedAPIRouter()")
    assert findings("FA101", files) == [("app/users.py", 8, "warning")]


def test_fa101_takes_rows_sent_through_a_schema_without_secrets_as_not_exposed():
    users = """
        from fastapi import APIRouter
        from pydantic import BaseModel
        from app.models import User
        router = APIRouter()

        class UserPublic(BaseModel):
            email: str

        @router.post("/private/users", response_model={model})
        def create_user(email: str):
            return User(email=email)
    """
    files = {"app/models.py": MODELS, "app/deps.py": DEPS, "app/items.py": AUTHED}
    files["app/main.py"] = MAIN
    files["app/users.py"] = users.format(model="UserPublic")
    assert findings("FA101", files) == []  # and no longer a warning for the whole app
    files["app/users.py"] = users.format(model="User")
    assert findings("FA101", files) == [("app/users.py", 10, "warning")]


def test_fa108_resolves_imports_of_the_reviewed_package_by_its_own_name():
    # the review root is `app/`, whose modules import each other as `app.schemas...`
    files = {
        "__init__.py": "",
        "schemas/__init__.py": "from app.schemas.user import UserOut\n",
        "schemas/user.py": """
            from pydantic import BaseModel

            class UserOut(BaseModel):
                email: str
                hashed_password: str
        """,
        "routers/users.py": """
            from fastapi import APIRouter
            from app.schemas import UserOut
            router = APIRouter()

            @router.get("/users/{user_id}", response_model=UserOut)
            def read_user(user_id: int): ...
        """,
    }
    assert [f[:2] for f in findings("FA108", files)] == [("routers/users.py", 5)]


LIMITS = """
    from fastapi import APIRouter, Depends, Query
    from app.deps import get_current_user, get_admin_user
    from app.service import list_items
    router = APIRouter()

    @router.get("/items")
    def items(limit: int = 100, user=Depends(get_current_user)):
        return list_items(limit)

    @router.get("/admin/items")
    def admin_items(limit: int = 100, user=Depends(get_admin_user)):
        return {"limit": limit}

    @router.get("/events")
    def events(limit: int | None = Query(None), user=Depends(get_current_user)):
        return {"limit": limit}

    @router.get("/pages")
    def pages(limit: int | None = None, user=Depends(get_current_user)):
        if user.role == "admin" and limit is not None:
            return {"limit": limit}
        return {"limit": 30}
"""


def test_fa204_a_cap_further_down_admins_only_and_none_by_default():
    capped = """
        from app.crud import fetch

        def list_items(limit: int):
            return fetch(size=limit)
    """
    crud = """
        def fetch(size: int = 100):
            return {"size": max(1, min(size, 500))}
    """
    files = {
        "app/deps.py": "def get_current_user(): ...\ndef get_admin_user(): ...\n",
        "app/routes.py": LIMITS,
        "app/service.py": capped,
        "app/crud.py": crud,
    }
    assert findings("FA204", files) == [
        ("app/routes.py", 11, "info"),
        ("app/routes.py", 15, "info"),
        ("app/routes.py", 19, "info"),
    ]
    files["app/crud.py"] = "def fetch(size: int = 100):\n    return {'size': size}\n"
    assert ("app/routes.py", 7, "warning") in findings("FA204", files)


def test_fa401_a_foreign_key_to_an_enum_like_lookup_table_is_information():
    models = """
        from sqlalchemy import Column, ForeignKey, Integer, String, select
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase): ...

        class Team(Base):
            __tablename__ = "team"
            name = Column(String(50), primary_key=True)

        class Account(Base):
            __tablename__ = "account"
            id = Column(Integer, primary_key=True)
            email = Column(String(200))
            plan = Column(String(20))
            joined = Column(Integer)

        class Pool(Base):
            __tablename__ = "pool"
            id = Column(Integer, primary_key=True)
            team_name = Column(String(50), ForeignKey("team.name"))
            account_id = Column(Integer, ForeignKey("account.id"))

        def pools(session, team, account):
            session.scalars(select(Pool).where(Pool.team_name == team))
            session.scalars(select(Pool).where(Pool.account_id == account))
    """
    assert findings("FA401", {"app/models.py": models}) == [
        ("app/models.py", 20, "info"),
        ("app/models.py", 21, "warning"),
    ]


def test_fa403_two_ends_of_one_naive_convention_are_information():
    code = """
        from datetime import UTC, datetime, timedelta
        from sqlalchemy import Column, DateTime, Integer
        from sqlalchemy.orm import DeclarativeBase

        from app.schedule import add_job, next_runs

        class Base(DeclarativeBase): ...

        class Token(Base):
            __tablename__ = "token"
            id = Column(Integer, primary_key=True)
            expires_at = Column(DateTime(timezone=True))

        def expired(token) -> bool:
            return datetime.now() > token.read_expiry()

        def positive(delta) -> bool:
            now = datetime.now()
            return now + delta > now

        def schedule(job) -> None:
            add_job(job, run_date=datetime.now() + timedelta(seconds=30))
            next_runs(datetime.now(), 2)

        def claims() -> dict:
            issued = datetime.utcnow()
            if issued.tzinfo is None:
                issued = issued.replace(tzinfo=UTC)
            return {"iat": issued.timestamp()}

        def stale(session):
            return session.query(Token).filter(Token.expires_at < datetime.utcnow())

        def new_token() -> Token:
            return Token(expires_at=datetime.utcnow())
    """
    assert findings("FA403", {"app/models.py": code}) == [
        ("app/models.py", 15, "info"),
        ("app/models.py", 18, "info"),
        ("app/models.py", 22, "info"),
        ("app/models.py", 23, "info"),
        ("app/models.py", 32, "warning"),
        ("app/models.py", 35, "warning"),
    ]


def test_fa103_a_read_of_a_row_owned_only_by_its_creator_is_a_warning():
    code = """
        from fastapi import APIRouter, Depends
        from sqlalchemy import Column, ForeignKey, Integer, String
        from sqlalchemy.orm import DeclarativeBase
        from app.deps import get_current_user
        router = APIRouter()

        class Base(DeclarativeBase): ...

        class Role(Base):
            __tablename__ = "role"
            id = Column(Integer, primary_key=True)
            name = Column(String(50))
            {owner} = Column(Integer, ForeignKey("user.id"), index=True)

        @router.get("/roles/{{role_id}}")
        def read_role(role_id: int, session, current_user=Depends(get_current_user)):
            return session.get(Role, role_id)
    """
    files = {"app/deps.py": "def get_current_user(): ...\n"}
    files["app/roles.py"] = code.format(owner="created_by")
    assert findings("FA103", files) == [("app/roles.py", 17, "warning")]
    files["app/roles.py"] = code.format(owner="owner_id")
    assert findings("FA103", files) == [("app/roles.py", 17, "error")]
