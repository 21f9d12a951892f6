"""Notes API v2 only."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/api/v2/notes")
def list_notes_v2() -> list[str]:
    return []
