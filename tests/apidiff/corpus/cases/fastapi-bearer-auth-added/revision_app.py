"""Notes API: listing needs a bearer token."""

from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

app = FastAPI(title="Notes", version="1.0.0")


bearer = HTTPBearer()


@app.get("/notes")
def list_notes(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> list[str]:
    return []
