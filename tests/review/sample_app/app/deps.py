"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.ext.asyncio import AsyncSession

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login")


async def get_session() -> AsyncSession: ...


async def get_current_user(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, int]: ...


SessionDep = Annotated[AsyncSession, Depends(get_session)]
CurrentUser = Annotated[dict[str, int], Depends(get_current_user)]
