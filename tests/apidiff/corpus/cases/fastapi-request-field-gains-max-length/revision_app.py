"""Notes API: NoteIn.title is limited to 50 characters."""

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title="Notes", version="1.0.0")


class NoteIn(BaseModel):
    title: str = Field(max_length=50)
    body: str


class NoteOut(BaseModel):
    id: int
    title: str


@app.post("/notes", status_code=201)
def create_note(note: NoteIn) -> NoteOut:
    raise NotImplementedError
