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


def test_fa401_a_foreign_key_to_a_lookup_table_or_in_a_small_table_is_information():
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

        class Job(Base):
            __tablename__ = "job"
            id = Column(Integer, primary_key=True)
            team_name = Column(String(50), ForeignKey("team.name"))
            account_id = Column(Integer, ForeignKey("account.id"))

        def jobs(session, team, account):
            session.scalars(select(Job).where(Job.team_name == team))
            session.scalars(select(Job).where(Job.account_id == account))
    """
    assert findings("FA401", {"app/models.py": models}) == [
        ("app/models.py", 20, "info"),
        ("app/models.py", 21, "warning"),
    ]
    # a table that does not name data growing with use (pools, members, roles) is
    # likely to stay small: the same filtered foreign key is information
    small = models.replace("Job", "Pool").replace('"job"', '"pool"')
    assert findings("FA401", {"app/models.py": small}) == [
        ("app/models.py", 20, "info"),
        ("app/models.py", 21, "info"),
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


def test_fa204_only_a_list_of_what_grows_with_use_is_a_warning():
    routes = """
        from fastapi import APIRouter, Depends
        from app.deps import get_current_user
        router = APIRouter()

        @router.get("/agents/{agent_id}/messages")
        def agent_history(agent_id: int, limit: int = 100, user=Depends(get_current_user)):
            return {"limit": limit}

        @router.get("/tags")
        def list_tags(limit: int = 100, user=Depends(get_current_user)):
            return {"limit": limit}

        @router.get("/projects/{project_id}")
        def list_runs(project_id: int, page_size: int = 50, user=Depends(get_current_user)):
            return {"size": page_size}
    """
    files = {"app/deps.py": "def get_current_user(): ...\n", "app/routes.py": routes}
    assert findings("FA204", files) == [
        ("app/routes.py", 6, "warning"),
        ("app/routes.py", 10, "info"),
        ("app/routes.py", 14, "warning"),
    ]


def test_fa403_a_naive_value_is_a_warning_only_where_a_column_is_timezone_aware():
    code = """
        from datetime import UTC, datetime
        from sqlalchemy import Column, DateTime, Integer
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase): ...

        class Event(Base):
            __tablename__ = "event"
            id = Column(Integer, primary_key=True)
            logged_at = Column(DateTime)
            seen_at = Column(DateTime(timezone=True))

        def record(event: Event) -> None:
            event.logged_at = datetime.utcnow()
            event.seen_at = datetime.utcnow()
            event.created = datetime.now(UTC)

        def recent(session):
            return session.query(Event).filter(Event.seen_at > datetime.utcnow())
    """
    assert findings("FA403", {"app/models.py": code}) == [
        ("app/models.py", 14, "info"),
        ("app/models.py", 15, "warning"),
        ("app/models.py", 19, "warning"),
    ]
    # a column declared aware whose own default is a naive clock: the project's
    # convention is naive, and a naive value written to it follows it
    naive_default = code.replace(
        "Column(DateTime(timezone=True))",
        "Column(DateTime(timezone=True), default=datetime.now)",
    )
    assert [f[2] for f in findings("FA403", {"app/models.py": naive_default})] == ["info"] * 3
    # another model's plain `seen_at`: the name no longer tells which column it is
    other = (
        "from sqlalchemy import Column, DateTime\nclass Visit:\n    seen_at = Column(DateTime)\n"
    )
    both = {"app/models.py": code, "app/visits.py": other}
    assert [f[2] for f in findings("FA403", both)] == ["info"] * 3


def test_fa601_the_sdk_default_is_information_unless_the_file_bounds_another_client():
    alone = """
        from fastapi import FastAPI
        from openai import AsyncOpenAI

        app = FastAPI()
        client = AsyncOpenAI()

        @app.post("/summaries")
        async def summarize(text: str) -> dict:
            answer = await client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": text}], max_tokens=300
            )
            return {"summary": answer.choices[0].message.content}
    """
    assert findings("FA601", {"app/main.py": alone}) == [("app/main.py", 5, "info")]
    bounded = alone.replace(
        "client = AsyncOpenAI()",
        "client = AsyncOpenAI()\n        judge = AsyncOpenAI(timeout=20)",
    )
    assert findings("FA601", {"app/main.py": bounded}) == [("app/main.py", 5, "warning")]


def test_fa106_expiry_checked_by_hand_after_the_decode_is_not_reported():
    code = """
        import time
        import jwt

        def load(token: str, key: str) -> dict:
            claims = jwt.decode(token, key, algorithms=["HS256"], options={"verify_exp": False})
            if claims["exp"] < time.time():
                raise ValueError("expired")
            return claims

        def load_validated(token: str, key: str) -> dict:
            claims = jwt.decode(token, key, algorithms=["HS256"], options={"verify_exp": False})
            _validate_token_expiry(claims)
            return claims

        def _validate_token_expiry(claims: dict) -> None: ...
    """
    unchecked = """
        import jwt

        def load_any(token: str, key: str) -> dict:
            return jwt.decode(token, key, algorithms=["HS256"], options={"verify_exp": False})

        def issue(key: str) -> str:
            return jwt.encode({"sub": "1", "exp": 1}, key, algorithm="HS256")
    """
    files = {"app/auth.py": code, "app/other.py": unchecked}
    assert findings("FA106", files) == [("app/other.py", 4, "error")]


def test_fa110_wildcard_credentials_weighs_what_a_browser_sends_cross_site():
    main = """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    """
    bearer = """
        from fastapi.security import HTTPBearer
        scheme = HTTPBearer()
    """
    cookie = """
        from fastapi import Response

        def login(response: Response) -> None:
            response.set_cookie("session", "value", httponly=True)
    """
    files = {"app/main.py": main, "app/auth.py": bearer}
    assert findings("FA110", files) == [("app/main.py", 5, "info")]
    # a cookie left at the default SameSite=Lax stays off cross-site fetches
    files["app/auth.py"] = cookie
    assert findings("FA110", files) == [("app/main.py", 5, "warning")]
    files["app/auth.py"] = cookie.replace("httponly=True", 'httponly=True, samesite="none"')
    assert findings("FA110", files) == [("app/main.py", 5, "error")]
    files["app/auth.py"] = "from fastapi.security import HTTPBasic\nbasic = HTTPBasic()\n"
    assert findings("FA110", files) == [("app/main.py", 5, "error")]


def test_fa201_a_sync_session_on_sqlite_alone_is_information():
    routes = """
        from fastapi import APIRouter, Depends
        from sqlalchemy.orm import Session
        from app.db import get_session
        router = APIRouter()

        @router.get("/dashboards")
        async def dashboards(session: Session = Depends(get_session)) -> list:
            return session.query(Dashboard).all()
    """
    db = """
        from sqlalchemy import create_engine
        engine = create_engine("sqlite:///{}/app.db".format(ROOT))
        def get_session(): ...
    """
    files = {"app/routes.py": routes, "app/db.py": db}
    assert findings("FA201", files) == [("app/routes.py", 8, "info")]
    files["app/db.py"] = db.replace("sqlite:///{}/app.db", "postgresql+psycopg://db/{}")
    assert findings("FA201", files) == [("app/routes.py", 8, "warning")]
    files["app/db.py"] = db.replace('"sqlite:///{}/app.db".format(ROOT)', "settings.url")
    assert findings("FA201", files) == [("app/routes.py", 8, "warning")]


def test_fa107_a_password_property_over_a_private_column_is_not_plain_text():
    models = """
        from sqlalchemy import Column, Integer, Text
        from sqlalchemy.orm import DeclarativeBase, synonym

        class Base(DeclarativeBase): ...

        class EncryptedPassword:
            _password = Column("password", Text)

            def set_password(self, value: str) -> None:
                self._password = encrypt(value)

            password = synonym("_password", descriptor=property(None, set_password))

        class Connection(Base, EncryptedPassword):
            __tablename__ = "connection"
            id = Column(Integer, primary_key=True)

        class Account(Base):
            __tablename__ = "account"
            id = Column(Integer, primary_key=True)
            password = Column(Text)
    """
    routes = """
        from app.models import Account, Connection

        def save_connection(body) -> Connection:
            return Connection(password=body.password)

        def save_account(body) -> Account:
            return Account(password=body.password)
    """
    files = {"app/models.py": models, "app/routes.py": routes}
    assert findings("FA107", files) == [("app/routes.py", 7, "error")]


def test_fa101_a_class_based_view_authenticates_its_routes_through_its_attributes():
    views = """
        from fastapi import APIRouter, Depends
        from fastapi_utils.cbv import cbv
        from app.deps import get_current_user, get_db
        router = APIRouter(prefix="/items")

        @router.get("")
        def list_items(user=Depends(get_current_user)) -> list: ...

        @router.post("")
        def create_item(user=Depends(get_current_user)) -> dict: ...

        @router.get("/count")
        def count_items(user=Depends(get_current_user)) -> int: ...

        @cbv(router)
        class ItemView:
            user: dict = Depends(get_current_user)
            db = Depends(get_db)

            @router.delete("/{item_id}")
            def delete(self, item_id: int) -> None: ...

        @cbv(router)
        class ExportView:
            db = Depends(get_db)

            @router.delete("/exports/{export_id}")
            def delete_export(self, export_id: int) -> None: ...
    """
    files = {
        "app/deps.py": "def get_current_user(): ...\ndef get_db(): ...\n",
        "app/views.py": views,
    }
    assert findings("FA101", files) == [("app/views.py", 28, "warning")]


SEARCH_SERVICE = """
    from enum import Enum
    from sqlalchemy import text

    class Direction(Enum):
        ASC = "ASC"
        DESC = "DESC"

    def search(session, term: str):
        return session.execute(text(f"SELECT * FROM item WHERE name LIKE '%{term}%'")).all()

    def archive(session, label: str):
        session.execute(text(f"UPDATE item SET archived = 1 WHERE label = '{label}'"))

    def ordered(session, direction: Direction):
        return session.execute(text(f"SELECT * FROM item ORDER BY id {direction.value}")).all()

    def newest(session):
        return session.execute(text(f"SELECT * FROM item ORDER BY id {Direction.DESC.value}"))
"""


def test_fa104_request_text_handed_to_a_service_is_an_error_unknown_origin_is_not() -> None:
    """A handler's `str` query parameter handed to a service that splices it into SQL is
    injection, found one call down; a helper only ever called with a literal is information,
    and an Enum's `.value` is no client text."""
    handlers = """
        from fastapi import APIRouter
        from app.service import archive, ordered, search, Direction
        router = APIRouter()

        @router.get("/items")
        def find(q: str, direction: Direction, session=None):
            archive(session, "old")
            ordered(session, direction)
            return search(session, q)
    """
    found = findings("FA104", {"app/service.py": SEARCH_SERVICE, "app/api.py": handlers})
    assert ("app/service.py", 9, "error") in found
    assert ("app/service.py", 12, "info") in found
    assert len(found) == 2  # nothing on the Enum values (lines 15 and 18)


FROZEN_MODELS = """
    from datetime import datetime
    from sqlalchemy import Column, DateTime, Integer
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase): ...

    class Stamped:
        created = Column(DateTime, default=datetime.now())

    class Run(Stamped, Base):
        __tablename__ = "run"
        id = Column(Integer, primary_key=True)

    class Job(Base):
        __tablename__ = "job"
        id = Column(Integer, primary_key=True)
        started = Column(DateTime, default=datetime.now())
        changed = Column(DateTime, default=datetime.now, onupdate=datetime.now())

    class Archive(Base):
        __tablename__ = "archive"
        id = Column(Integer, primary_key=True)
        archived = Column(DateTime, default=datetime.now())

    class Snapshot(Base):
        __tablename__ = "snapshot"
        id = Column(Integer, primary_key=True)
        taken = Column(DateTime, default=datetime.now())
"""


def test_fa402_weighs_whether_the_frozen_default_is_ever_stored() -> None:
    """A default left to it by some constructor (here through a mixin) is an error; one
    every constructor overrides, or whose new instance goes to a helper that may set it, is
    information; one whose class is never created in the project is a warning, and so is a
    frozen `onupdate=`."""
    writes = """
        from datetime import datetime
        from app.models import Archive, Job, Run

        def start(session, name):
            session.add(Run(id=1))
            session.add(Job(id=2, started=datetime.now()))
            row = Archive(id=3)
            stamp(row)
            session.add(row)
    """
    found = findings("FA402", {"app/models.py": FROZEN_MODELS, "app/writes.py": writes})
    assert found == [
        ("app/models.py", 8, "error"),
        ("app/models.py", 17, "info"),
        ("app/models.py", 18, "warning"),
        ("app/models.py", 23, "info"),
        ("app/models.py", 28, "warning"),
    ]


LEAKS = """
    import requests
    from fastapi import APIRouter, Depends, HTTPException
    from app.deps import get_current_user

    API_URL = "https://api.example.com"
    router = APIRouter(dependencies=[Depends(get_current_user)])

    @router.get("/remote")
    def remote(name: str) -> dict:
        try:
            return requests.get(f"{API_URL}/strategies/{name}", timeout=5).json()
        except requests.RequestException as e:
            raise HTTPException(status_code=502, detail=f"remote failed: {e}")

    @router.get("/rows")
    def rows(session=None) -> dict:
        try:
            return {"rows": session.execute("SELECT 1").all()}
        except Exception as e:
            raise HTTPException(status_code=500, detail=str(e))

    @router.get("/cells")
    def cells(session=None) -> dict:
        try:
            return {"cells": session.execute("SELECT 2").all()}
        except Exception as e:
            raise HTTPException(status_code=500, detail=MESSAGES.DEFAULT(e, "Could not read"))
"""


def test_fa109_weighs_who_reads_the_error_and_what_it_can_name() -> None:
    """A database error's text sent to an authenticated user is a warning; an error from
    a call to an address written in the code is information, and so is every leak in a
    project that authenticates no route (a tool run by its own users). A helper given the
    exception and a fixed fallback message chooses what the client reads: not reported."""
    found = findings("FA109", {"app/api.py": LEAKS, "app/deps.py": DEPS})
    assert found == [("app/api.py", 13, "info"), ("app/api.py", 20, "warning")]
    open_tool = LEAKS.replace("dependencies=[Depends(get_current_user)]", "")
    found = findings("FA109", {"app/api.py": open_tool, "app/deps.py": DEPS})
    assert found == [("app/api.py", 13, "info"), ("app/api.py", 20, "info")]


def test_fa114_a_digest_is_an_error_where_a_table_stores_passwords() -> None:
    """SHA-256 of a password is an error in a project whose tables hold passwords; where
    none does, it is usually a token derived from a configured password: information."""
    auth = """
        import hashlib

        def password_to_token(password: str) -> str:
            return hashlib.sha256(password.encode()).hexdigest()
    """
    assert findings("FA114", {"app/auth.py": auth}) == [("app/auth.py", 4, "info")]
    files = {"app/auth.py": auth, "app/models.py": MODELS}
    assert findings("FA114", files) == [("app/auth.py", 4, "error")]


def test_fa106_turning_off_only_audience_or_issuer_is_a_warning() -> None:
    code = """
        import jwt

        def claims(token: str, key: str) -> dict:
            return jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})

        def loose(token: str, key: str) -> dict:
            return jwt.decode(token, key, algorithms=["RS256"], options={"verify_exp": False})
    """
    assert findings("FA106", {"app/tokens.py": code}) == [
        ("app/tokens.py", 4, "warning"),
        ("app/tokens.py", 7, "error"),
    ]


def test_fa111_debug_behind_a_catch_all_middleware_is_information() -> None:
    code = """
        from fastapi import FastAPI, Request
        from fastapi.responses import JSONResponse

        app = FastAPI(debug=True)

        async def catch_everything(request: Request, call_next):
            try:
                return await call_next(request)
            except Exception:
                return JSONResponse({"error": "internal"}, status_code=500)

        app.middleware("http")(catch_everything)
    """
    assert findings("FA111", {"app/main.py": code}) == [("app/main.py", 4, "info")]
    bare = code.replace("except Exception:", "except ValueError:")
    assert findings("FA111", {"app/main.py": bare}) == [("app/main.py", 4, "error")]


def test_fa102_the_row_fetched_by_the_id_compared_with_the_caller_is_a_check() -> None:
    code = """
        from fastapi import APIRouter, Depends, HTTPException
        from app.deps import get_current_user
        router = APIRouter()

        @router.get("/users/{user_id}")
        def read_user(user_id: int, current_user=Depends(get_current_user), session=None):
            user = session.get("User", user_id)
            if user == current_user:
                return user
            raise HTTPException(status_code=403)
    """
    assert findings("FA102", {"app/users.py": code, "app/deps.py": DEPS}) == []
    unchecked = code.replace("if user == current_user:", "if user is not None:")
    assert findings("FA102", {"app/users.py": unchecked, "app/deps.py": DEPS}) == [
        ("app/users.py", 6, "warning")
    ]


def test_fa307_decorated_routes_in_two_branches_and_constant_paths_are_not_duplicates() -> None:
    code = """
        from fastapi import APIRouter
        router = APIRouter()
        WEBUI = "/webui"
        WORKSPACE = "/workspace"

        def build(limited: bool, mount: str):
            if limited:

                @router.get("/load")
                async def load_limited(): ...

            else:

                @router.get("/load")
                async def load(): ...

            @router.get(f"{mount}/")
            async def mounted(): ...

            @router.get(f"{WORKSPACE}/")
            async def workspace(): ...

            @router.get(WEBUI)
            async def webui(): ...

            @router.get("/webui")
            async def webui_again(): ...
    """
    assert findings("FA307", {"app/routes.py": code}) == [("app/routes.py", 26, "warning")]


def test_fa301_a_response_built_with_httpstatus_created_answers_201() -> None:
    code = """
        from http import HTTPStatus
        from fastapi import APIRouter
        from fastapi.responses import JSONResponse
        router = APIRouter()

        @router.post("/users", status_code=201)
        def create_account() -> dict: ...

        @router.post("/groups", status_code=201)
        def create_group() -> dict: ...

        @router.post("/teams")
        def create_team() -> JSONResponse:
            return JSONResponse({"ok": True}, status_code=HTTPStatus.CREATED)

        @router.post("/tags")
        def create_tag() -> dict: ...

        @router.get("/tags")
        def list_tags() -> list: ...
    """
    assert findings("FA301", {"app/routes.py": code}) == [("app/routes.py", 16, "warning")]


def test_fa112_a_limiter_in_a_module_level_dependency_list_is_seen() -> None:
    code = """
        from fastapi import APIRouter, Depends
        from app.limits import login_rate_limiter, limits_on
        router = APIRouter()

        if limits_on:
            login_dependencies = [Depends(login_rate_limiter)]
        else:
            login_dependencies = []

        @router.post("/login", dependencies=login_dependencies)
        def login(username: str, password: str) -> dict: ...
    """
    limits = "limits_on = True\ndef login_rate_limiter(): ...\n"
    assert findings("FA112", {"app/auth.py": code, "app/limits.py": limits}) == []
    bare = code.replace("dependencies=login_dependencies", "")
    assert findings("FA112", {"app/auth.py": bare, "app/limits.py": limits}) == [
        ("app/auth.py", 11, "warning")
    ]


def test_fa105_a_mask_that_hides_a_password_is_no_secret() -> None:
    code = """
        def shown(engine) -> str:
            redacted = engine.url._replace(password="[redacted]")
            starred = engine.url._replace(password="********")
            return f"{redacted} {starred}"

        def connect(engine):
            return engine.url._replace(password="s3cr3t-Pa55word!")
    """
    assert findings("FA105", {"app/db.py": code}) == [("app/db.py", 7, "error")]


def test_fa106_an_unverified_decode_outside_authentication_is_information() -> None:
    """With the signature check off (and others), a decode whose claims only fill a page
    is information; in a route dependency, where the claims say who calls, an error."""
    code = """
        import jwt
        from fastapi import APIRouter, Depends

        router = APIRouter()

        def linked_identity(token: str) -> dict:
            return jwt.decode(
                token, algorithms=["RS256"], options={"verify_signature": False, "verify_aud": False}
            )

        def current_user(token: str) -> dict:
            return jwt.decode(
                token, algorithms=["RS256"], options={"verify_signature": False, "verify_exp": False}
            )

        @router.get("/me")
        def me(user: dict = Depends(current_user)) -> dict:
            return user
    """
    assert findings("FA106", {"app/auth.py": code}) == [
        ("app/auth.py", 7, "info"),
        ("app/auth.py", 12, "error"),
    ]


def test_fa204_a_shared_parameter_declaration_is_read_where_it_is_declared() -> None:
    common = """
        from fastapi import Query

        PageSizeParam = Query(20, ge=1, le=100)
        LimitParam = Query(None, ge=1)
        CountParam = Query(20, ge=1)
    """
    routes = """
        from fastapi import APIRouter
        from app.common import CountParam, LimitParam, PageSizeParam
        router = APIRouter()

        @router.get("/runs")
        def list_runs(page_size: int = PageSizeParam) -> list: ...

        @router.get("/jobs")
        def list_jobs(limit: int = LimitParam) -> list: ...

        @router.get("/events")
        def list_events(limit: int = CountParam) -> list: ...
    """
    found = findings("FA204", {"app/common.py": common, "app/routes.py": routes})
    assert found == [("app/routes.py", 9, "info"), ("app/routes.py", 12, "warning")]


def test_fa201_blocking_work_in_a_start_up_or_shutdown_hook_is_information() -> None:
    code = """
        import subprocess
        import time
        from fastapi import FastAPI

        app = FastAPI()

        @app.on_event("startup")
        async def prepare() -> None:
            subprocess.run(["alembic", "upgrade", "head"])

        async def cleanup_after_shutdown() -> None:
            time.sleep(1)

        @app.post("/jobs")
        async def run_job() -> dict:
            subprocess.run(["make", "job"])
            return {}
    """
    assert findings("FA201", {"app/main.py": code}) == [
        ("app/main.py", 9, "info"),
        ("app/main.py", 12, "info"),
        ("app/main.py", 16, "warning"),
    ]


def test_fa111_debug_on_an_app_that_only_mounts_the_api_is_information() -> None:
    code = """
        from fastapi import FastAPI

        app = FastAPI(debug=True)
        api = FastAPI()

        @api.get("/items")
        def items() -> list: ...

        app.mount("/api", api)
    """
    assert findings("FA111", {"app/main.py": code}) == [("app/main.py", 3, "info")]
    serving = code.replace("@api.get", "@app.get")
    assert findings("FA111", {"app/main.py": serving}) == [("app/main.py", 3, "error")]


def test_fa102_a_read_answering_only_public_fields_is_information() -> None:
    code = """
        from fastapi import APIRouter, Depends
        from pydantic import BaseModel
        from app.deps import get_current_user
        router = APIRouter()

        class PublicProfile(BaseModel):
            id: int
            name: str
            avatar: str

        class Account(BaseModel):
            id: int
            email: str

        @router.get("/users/{user_id}/profile", response_model=PublicProfile)
        def profile(user_id: int, current_user=Depends(get_current_user)): ...

        @router.get("/users/{user_id}", response_model=Account)
        def account(user_id: int, current_user=Depends(get_current_user)): ...
    """
    assert findings("FA102", {"app/users.py": code, "app/deps.py": DEPS}) == [
        ("app/users.py", 16, "info"),
        ("app/users.py", 19, "warning"),
    ]


def test_fa203_an_unpaged_list_warns_only_for_data_that_grows_with_use() -> None:
    code = """
        from fastapi import APIRouter
        router = APIRouter()

        @router.get("/tasks")
        def list_tasks(session=None, limit: int = 50) -> list[dict]:
            return session.execute("SELECT 1").all()

        @router.get("/notes")
        def list_notes(session=None, limit: int = 50) -> list[dict]:
            return session.execute("SELECT 1").all()

        @router.get("/events")
        def list_events(session=None) -> list[dict]:
            return session.execute("SELECT 1").all()

        @router.get("/projects")
        def list_projects(session=None) -> list[dict]:
            return session.execute("SELECT 1").all()
    """
    assert findings("FA203", {"app/routes.py": code}) == [
        ("app/routes.py", 13, "warning"),
        ("app/routes.py", 17, "info"),
    ]


def test_fa301_a_form_answered_with_a_redirect_through_a_helper_is_no_create() -> None:
    pages = """
        from fastapi import Request
        from fastapi.responses import RedirectResponse

        def back(request: Request, path: str) -> RedirectResponse:
            return RedirectResponse(path, status_code=303)
    """
    routes = """
        from fastapi import APIRouter, Request
        from app.pages import back
        router = APIRouter()

        @router.post("/folders")
        async def create_folder(request: Request):
            form = await request.form()
            return back(request, "/folders")

        @router.post("/tags")
        def create_tag() -> dict: ...

        @router.post("/labels", status_code=201)
        def create_label() -> dict: ...

        @router.get("/tags")
        def list_tags() -> list: ...
    """
    found = findings("FA301", {"app/pages.py": pages, "app/routes.py": routes})
    assert [(path, line) for path, line, _ in found] == [("app/routes.py", 10)]


def test_fa102_a_route_behind_an_owner_check_dependency_is_authorized() -> None:
    code = """
        from fastapi import APIRouter, Depends
        from app.deps import get_current_user, require_install_owner
        router = APIRouter()

        @router.post("/users/{user_id}/owner")
        def transfer(user_id: int, current_user=Depends(require_install_owner)) -> dict: ...

        @router.post("/users/{user_id}/promote")
        def promote(user_id: int, user=Depends(get_current_user)) -> dict: ...
    """
    deps = DEPS + "    def require_install_owner(): ...\n"
    assert findings("FA102", {"app/users.py": code, "app/deps.py": deps}) == [
        ("app/users.py", 9, "error")
    ]


def test_fa105_a_public_key_that_only_verifies_is_no_secret() -> None:
    code = '''
        import jwt

        LICENSE_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAErpSt33cgy+leXLEI0o3MFgCvmlau
        -----END PUBLIC KEY-----"""
        SIGNING_KEY = "k3y-th4t-s1gns-every-t0ken"

        def license_claims(token: str) -> dict:
            return jwt.decode(token, LICENSE_PUBLIC_KEY, algorithms=["ES256"])

        def issue(claims: dict) -> str:
            return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")
    '''
    assert findings("FA105", {"app/license.py": code}) == [("app/license.py", 6, "error")]


def test_fa116_a_role_handed_on_with_the_caller_is_a_warning() -> None:
    schemas = """
        from pydantic import BaseModel

        class UserUpdate(BaseModel):
            name: str
            role: str
    """
    models = MODELS.replace("hashed_password = Column(String(200))", "role = Column(String(20))")
    code = """
        from fastapi import APIRouter, Depends
        from app.deps import get_current_user
        from app.schemas import UserUpdate
        from app import service
        router = APIRouter()

        @router.patch("/users/{user_id}")
        def update_user(user_id: int, data: UserUpdate, user=Depends(get_current_user)):
            return service.update_user(user, user_id, name=data.name, role=data.role)

        @router.put("/users/{user_id}")
        def replace_user(user_id: int, data: UserUpdate, user=Depends(get_current_user)):
            return service.replace_user(user_id, **data.model_dump())
    """
    files = {
        "app/users.py": code,
        "app/schemas.py": schemas,
        "app/models.py": models,
        "app/deps.py": DEPS,
        "app/service.py": "def update_user(*a, **k): ...\ndef replace_user(*a, **k): ...\n",
    }
    assert findings("FA116", files) == [
        ("app/users.py", 8, "warning"),
        ("app/users.py", 12, "error"),
    ]


ENV_ROUTES = """
    import os
    from fastapi import APIRouter
    router = APIRouter()

    @router.get("/doctor")
    def doctor() -> dict:
        return {"openai": bool(os.environ.get("OPENAI_API_KEY")), "home": "HOME" in os.environ}
"""


def test_fa101_reading_one_variable_is_not_handing_out_the_environment():
    files = {"app/deps.py": DEPS, "app/items.py": AUTHED, "app/main.py": MAIN}
    files["app/users.py"] = ENV_ROUTES
    assert findings("FA101", files) == []
    files["app/users.py"] = ENV_ROUTES.replace(
        'return {"openai"', 'return {"env": dict(os.environ), "openai"'
    )
    assert findings("FA101", files) == [("app/users.py", 6, "warning")]


def test_fa101_a_project_authentication_middleware_may_check_the_route():
    routes = ENV_ROUTES.replace('return {"openai"', 'return {"env": dict(os.environ), "openai"')
    files = {"app/deps.py": DEPS, "app/items.py": AUTHED, "app/main.py": MAIN}
    files["app/users.py"] = routes
    files["app/auth_middleware.py"] = """
        from starlette.middleware.base import BaseHTTPMiddleware

        class AuthProviderMiddleware(BaseHTTPMiddleware):
            async def dispatch(self, request, call_next):
                return await call_next(request)
    """
    assert findings("FA101", files) == [("app/users.py", 6, "info")]


SHARE = """
    import httpx
    from fastapi import APIRouter, Depends, HTTPException
    from app.deps import get_current_user
    router = APIRouter()

    def push(url: str) -> dict:
        try:
            return httpx.post(url).json()
        except httpx.HTTPError as e:
            raise HTTPException(status_code=502, detail=f"upload failed: {e}")

    @router.post("/share")
    def share(url: str, user=Depends(get_current_user)) -> dict:
        return {}
"""


def test_fa109_a_helper_nothing_calls_is_information():
    files = {"app/deps.py": DEPS, "app/share.py": SHARE}
    assert findings("FA109", files) == [("app/share.py", 10, "info")]
    files["app/share.py"] = SHARE.replace("return {}", "return push(url)")
    assert findings("FA109", files) == [("app/share.py", 10, "warning")]


def test_fa302_a_response_checked_with_isinstance_or_built_by_a_helper_is_no_body():
    routes = """
        from fastapi import APIRouter, Response
        from fastapi.responses import JSONResponse
        from app.store import remove
        router = APIRouter()

        def _error(code: int) -> JSONResponse:
            return JSONResponse(status_code=code, content={"detail": "refused"})

        @router.delete("/catalog/{name}", status_code=204)
        def remove_catalog(name: str):
            outcome = remove(name)
            if isinstance(outcome, Response):
                return outcome
            return None

        @router.delete("/kept/{name}", status_code=204)
        def delete_kept(name: str):
            if not remove(name):
                return _error(409)
            return None

        @router.delete("/other/{name}", status_code=204)
        def delete_other(name: str):
            return remove(name)
    """
    files = {"app/store.py": "def remove(name):\n    return name\n", "app/routes.py": routes}
    assert findings("FA302", files) == [("app/routes.py", 24, "warning")]


def test_fa301_an_add_under_an_existing_parent_is_information():
    routes = """
        from fastapi import APIRouter
        router = APIRouter()

        @router.post("/tasks", status_code=201)
        def create_task(title: str) -> dict: ...

        @router.post("/tags", status_code=201)
        def create_tag(name: str) -> dict: ...

        @router.post("/tasks/{task_id}/dependencies")
        def add_dependency(task_id: int, depends_on: int) -> dict: ...

        @router.post("/notes")
        def add_note(text: str) -> dict: ...

        @router.get("/tasks")
        def list_tasks() -> list[dict]: ...
    """
    assert findings("FA301", {"app/routes.py": routes}) == [
        ("app/routes.py", 10, "info"),
        ("app/routes.py", 13, "warning"),
    ]


def test_fa307_paths_computed_by_a_route_factory_are_not_compared():
    routes = """
        from fastapi import APIRouter
        router = APIRouter()

        def _crud_endpoint(name: str) -> None:
            @router.post(f"/bulk/{name}")
            def endpoint() -> dict: ...

        def _lifecycle_endpoint(name: str) -> None:
            @router.post(f"/bulk/{name}")
            def endpoint() -> dict: ...

        for op in ("archive", "delete"):
            _crud_endpoint(op)
        for op in ("start", "pause"):
            _lifecycle_endpoint(op)

        @router.get("/tasks/{task_id}")
        def read_task(task_id: int) -> dict: ...

        @router.get("/tasks/{id}")
        def read_task_again(id: int) -> dict: ...
    """
    assert findings("FA307", {"app/routes.py": routes}) == [("app/routes.py", 20, "warning")]


def test_fa103_a_fetch_by_ids_taken_from_the_caller_is_scoped():
    models = """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase): ...

        class User(Base):
            __tablename__ = "user"
            id = Column(Integer, primary_key=True)

        class Tenant(Base):
            __tablename__ = "tenant"
            id = Column(Integer, primary_key=True)
            owner_id = Column(Integer, ForeignKey("user.id"))
    """
    routes = """
        from fastapi import APIRouter, Depends
        from app.deps import get_current_user, get_db
        from app.models import Tenant
        router = APIRouter()

        @router.get("/tenants")
        def list_tenants(user=Depends(get_current_user), db=Depends(get_db)):
            ids = [t["id"] for t in user.tenants]
            return db.query(Tenant).filter(Tenant.id.in_(ids)).all()

        @router.get("/tenants/{tenant_id}")
        def read_tenant(tenant_id: int, user=Depends(get_current_user), db=Depends(get_db)):
            return db.query(Tenant).filter(Tenant.id == tenant_id).first()
    """
    files = {
        "app/deps.py": "def get_current_user(): ...\ndef get_db(): ...\n",
        "app/models.py": models,
        "app/routes.py": routes,
    }
    assert findings("FA103", files) == [("app/routes.py", 13, "error")]


def test_fa112_a_token_route_taking_no_secret_has_nothing_to_guess():
    routes = """
        from fastapi import APIRouter
        from pydantic import BaseModel
        router = APIRouter()

        class DevTokenRequest(BaseModel):
            subject: str
            role: str

        class LoginRequest(BaseModel):
            username: str
            password: str

        @router.post("/oauth/token")
        def dev_token(req: DevTokenRequest) -> dict: ...

        @router.post("/login")
        def login(req: LoginRequest) -> dict: ...
    """
    assert findings("FA112", {"app/routes.py": routes}) == [("app/routes.py", 17, "warning")]


def test_fa401_a_filter_by_on_another_model_is_not_a_lookup_by_the_key():
    models = """
        from sqlalchemy import Column, ForeignKey, Integer
        from sqlalchemy.orm import DeclarativeBase

        class Base(DeclarativeBase): ...

        class Conversation(Base):
            __tablename__ = "conversation"
            id = Column(Integer, primary_key=True)
            owner_id = Column(Integer, ForeignKey("user.id"), index=True)

        class Job(Base):
            __tablename__ = "job"
            id = Column(Integer, primary_key=True)
            conversation_id = Column(Integer, ForeignKey("conversation.id"))

        class Chunk(Base):
            __tablename__ = "chunk"
            id = Column(Integer, primary_key=True)
            conversation_id = Column(Integer, ForeignKey("conversation.id"), index=True)
    """
    repo = """
        from sqlalchemy import select
        from app.models import {model}

        def chunks(db, conversation_id: int):
            return db.scalars(select({model}).filter_by(conversation_id=conversation_id)).all()
    """
    files = {"app/models.py": models, "app/repo.py": repo.format(model="Chunk")}
    before = findings("FA401", files)
    files["app/repo.py"] = repo.format(model="Job")
    after = findings("FA401", files)
    assert ("app/models.py", 14, "info") in before
    assert ("app/models.py", 14, "warning") in after


FACTORY_DEPS = """
    from fastapi import Depends

    def get_current_user(): ...

    def is_user_allowed_to(permissions: list[str]):
        def is_user_allowed(user=Depends(get_current_user)):
            return user
        return is_user_allowed

    def has_competition_access(group: str | None = None):
        async def is_member(user=Depends(get_current_user)):
            return user
        return is_member
"""


def test_fa102_a_dependency_made_from_a_permission_to_hold_guards_the_route():
    routes = """
        from fastapi import APIRouter, Depends
        from app.deps import is_user_allowed_to, get_current_user
        router = APIRouter()

        @router.patch("/users/{{user_id}}/licence")
        def set_licence(user_id: str, user=Depends({dep})):
            return {{"user_id": user_id}}
    """
    files = {"app/deps.py": FACTORY_DEPS}
    files["app/routes.py"] = routes.format(dep='is_user_allowed_to(["manage_licences"])')
    assert findings("FA102", files) == []
    files["app/routes.py"] = routes.format(dep="get_current_user")
    assert findings("FA102", files) == [("app/routes.py", 6, "error")]


def test_fa101_a_dependency_factory_whose_inner_dependency_authenticates_is_auth():
    routes = """
        from fastapi import APIRouter, Depends
        from app.deps import has_competition_access, get_current_user
        router = APIRouter()

        @router.get("/a")
        def a(user=Depends(get_current_user)) -> dict: ...

        @router.get("/b")
        def b(user=Depends(get_current_user)) -> dict: ...

        @router.get("/c")
        def c(user=Depends(get_current_user)) -> dict: ...

        @router.delete("/d/{d_id}")
        def d(d_id: int, user=Depends(has_competition_access(group="bds"))) -> None: ...
    """
    files = {"app/deps.py": FACTORY_DEPS, "app/routes.py": routes}
    assert findings("FA101", files) == []
    files["app/deps.py"] = FACTORY_DEPS.replace(
        "async def is_member(user=Depends(get_current_user))", "async def is_member()"
    )
    assert findings("FA101", files) == [("app/routes.py", 15, "warning")]


def test_fa102_a_refusal_decided_on_the_caller_in_the_handler_authorizes():
    routes = """
        from fastapi import APIRouter, Depends, HTTPException
        from app.deps import get_current_user, get_structure
        router = APIRouter()

        @router.post("/structures/{{structure_id}}/admins/{{user_id}}", status_code=201)
        def add_admin(structure_id: int, user_id: str, user=Depends(get_current_user)):
            structure = get_structure(structure_id)
            if structure.manager_user_id != {caller}:
                raise HTTPException(status_code=403, detail="not the manager")
            return {{"user_id": user_id}}
    """
    files = {"app/deps.py": "def get_current_user(): ...\ndef get_structure(i): ...\n"}
    files["app/routes.py"] = routes.format(caller="user.id")
    assert findings("FA102", files) == []
    files["app/routes.py"] = routes.format(caller="structure.owner_id")
    assert findings("FA102", files) == [("app/routes.py", 6, "error")]


def test_fa108_fields_left_out_of_response_model_include_are_not_sent():
    routes = """
        from fastapi import APIRouter
        from pydantic import BaseModel
        router = APIRouter()

        class User(BaseModel):
            id: int
            username: str
            password: str

        @router.get("/community/users/{{user_id}}", response_model=User{include})
        def read_user(user_id: int): ...
    """
    include = ', response_model_include={"id", "username"}'
    assert findings("FA108", {"app/routes.py": routes.format(include=include)}) == []
    assert findings("FA108", {"app/routes.py": routes.format(include="")}) != []


def test_fa112_an_oauth_token_endpoint_exchanging_codes_is_no_password_login():
    routes = """
        from fastapi import APIRouter, Depends
        from pydantic import BaseModel
        router = APIRouter()

        class TokenReq(BaseModel):
            grant_type: str
            code: str | None = None
            refresh_token: str | None = None
            client_id: str
            client_secret: str | None = None{password}

            @classmethod
            def as_form(cls, grant_type: str, client_id: str) -> "TokenReq": ...

        @router.post("/auth/token")
        def token(req: TokenReq = Depends(TokenReq.as_form)) -> dict: ...
    """
    assert findings("FA112", {"app/routes.py": routes.format(password="")}) == []
    with_password = "\n            password: str | None = None"
    assert findings("FA112", {"app/routes.py": routes.format(password=with_password)}) == [
        ("app/routes.py", 17, "warning")
    ]


def test_fa302_returning_what_a_helper_returning_nothing_gives_is_no_body():
    routes = """
        from fastapi import APIRouter
        from app import crud
        router = APIRouter()

        @router.delete("/plants/{plant_id}", status_code=204)
        async def delete_plant(plant_id: int):
            return await crud.delete_plant(plant_id)

        @router.delete("/species/{species_id}", status_code=204)
        async def delete_species(species_id: int):
            return await crud.delete_species(species_id)
    """
    crud = """
        async def delete_plant(plant_id: int) -> None:
            print(plant_id)

        async def delete_species(species_id: int) -> dict:
            return {"deleted": species_id}
    """
    files = {"app/routes.py": routes, "app/crud.py": crud}
    assert findings("FA302", files) == [("app/routes.py", 11, "warning")]
