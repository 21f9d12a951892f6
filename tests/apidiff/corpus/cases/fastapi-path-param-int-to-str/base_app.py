"""Notes API: note ids are integers."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes/{note_id}")
def get_note(note_id: int) -> str:
    return ""
