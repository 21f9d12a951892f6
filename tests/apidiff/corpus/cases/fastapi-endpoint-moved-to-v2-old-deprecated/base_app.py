"""Notes API v1 only."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/api/v1/notes")
def list_notes_v1() -> list[str]:
    return []
