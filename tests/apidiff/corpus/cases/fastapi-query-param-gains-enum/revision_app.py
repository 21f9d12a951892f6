"""Notes API: status is one of the Status values."""

from enum import StrEnum

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


class Status(StrEnum):
    open = "open"
    closed = "closed"


@app.get("/notes")
def list_notes(status: Status = Status.open) -> list[str]:
    return []
