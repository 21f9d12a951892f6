"""Notes API: v1 is deprecated, v2 is current."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/api/v1/notes", deprecated=True)
def list_notes_v1() -> list[str]:
    return []


@app.get("/api/v2/notes")
def list_notes_v2() -> list[str]:
    return []
