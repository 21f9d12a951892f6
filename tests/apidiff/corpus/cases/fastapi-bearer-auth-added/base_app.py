"""Notes API: listing is open."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes")
def list_notes() -> list[str]:
    return []
