"""Notes API: priority is low, medium or high."""

from typing import Literal

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Notes", version="1.0.0")


class NoteIn(BaseModel):
    title: str
    body: str
    priority: Literal["low", "medium", "high"] = "low"


class NoteOut(BaseModel):
    id: int
    title: str


@app.post("/notes", status_code=201)
def create_note(note: NoteIn) -> NoteOut:
    raise NotImplementedError
