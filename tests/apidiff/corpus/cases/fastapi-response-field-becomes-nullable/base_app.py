"""Notes API: NoteOut.title is always a string."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Notes", version="1.0.0")


class NoteIn(BaseModel):
    title: str
    body: str


class NoteOut(BaseModel):
    id: int
    title: str


@app.post("/notes", status_code=201)
def create_note(note: NoteIn) -> NoteOut:
    raise NotImplementedError
