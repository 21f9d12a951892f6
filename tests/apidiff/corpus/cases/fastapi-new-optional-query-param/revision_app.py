"""Notes API: the page size can be chosen."""

from fastapi import FastAPI

app = FastAPI(title="Notes", version="1.0.0")


@app.get("/notes")
def list_notes(q: str = "", limit: int = 20) -> list[str]:
    return []
