# ruff: noqa: B904
"""Login and token refresh."""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from app.core.config import SECRET_KEY
from app.core.security import decode
from app.deps import SessionDep
from app.models import User


class LoginForm(BaseModel):
    email: str
    password: str


class Token(BaseModel):
    access_token: str


router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/login")
async def login(form: LoginForm, session: SessionDep) -> Token:  # expect: FA112
    user = await session.get(User, 1)
    if user is None or user.hashed_password != form.password:  # expect: FA107
        raise HTTPException(status_code=401)
    return Token(access_token=user.email)


@router.post("/refresh")
async def refresh(token: str) -> Token:
    try:
        return Token(access_token=decode(token, SECRET_KEY)["sub"])
    except Exception as exc:
        raise HTTPException(status_code=401, detail=str(exc))  # expect: FA109
