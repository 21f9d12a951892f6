"""Notes API: the owner must be given."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes")
def list_notes(owner: str, q: str = "") -> list[str]:
    return []
