"""Notes API."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes")
def list_notes() -> list[str]:
    """List notes."""
    return []


@app.get("/notes/{note_id}")
def get_note(note_id: int) -> str:
    """Get one note."""
    return ""
