"""Notes API: note ids are strings."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes/{note_id}")
def get_note(note_id: str) -> str:
    return ""
