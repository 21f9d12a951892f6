"""Notes API: q is at most 50 characters."""

from typing import Annotated

from fastapi import FastAPI, Query

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes")
def list_notes(q: Annotated[str, Query(max_length=50)] = "") -> list[str]:
    return []
