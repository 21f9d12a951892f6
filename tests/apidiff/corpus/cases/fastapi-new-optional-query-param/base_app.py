"""Notes API: notes can be searched."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes")
def list_notes(q: str = "") -> list[str]:
    return []
