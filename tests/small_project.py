"""A small project a team might put under commit hooks or CI: a spec, a clean app, and a
hand-written module with a SQL injection for the hooks to refuse."""

SPEC = "project: {name: notes}\nresources:\n  Note:\n    owned: true\n    fields: {text: string}\n"
APP = '''\
"""A small API."""

from fastapi import FastAPI
from pydantic import BaseModel


class Health(BaseModel):
    status: str


def create_app() -> FastAPI:
    app = FastAPI(title="Small API")

    @app.get("/health")
    async def health() -> Health:
        return Health(status="ok")

    @app.get("/version")
    async def version() -> Health:
        return Health(status="1")

    return app
'''
INJECTION = '''\
"""Hand-written SQL, and the route that hands it the caller's search."""

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.orm import Session

router = APIRouter()


def find(session: Session, name: str) -> object:
    return session.execute(text(f"SELECT * FROM items WHERE name = '{name}'"))


@router.get("/items")
def search(name: str) -> object:
    return find(Session(), name)
'''
