"""Notes API, with better docs."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes/{note_id}", summary="Fetch a note")
def get_note(note_id: int) -> str:
    """Return the text of one note, by its id."""
    return ""


@app.get("/notes", summary="Browse notes")
def list_notes() -> list[str]:
    """Return every note the caller may read."""
    return []
