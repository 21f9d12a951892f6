"""Notes API: creating a note answers 200."""

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="Notes", version="1.0.0")


class NoteIn(BaseModel):
    title: str
    body: str


class NoteOut(BaseModel):
    id: int
    title: str


@app.post("/notes")
def create_note(note: NoteIn) -> NoteOut:
    raise NotImplementedError
