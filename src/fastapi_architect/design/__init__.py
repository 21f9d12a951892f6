"""Design: what a spec becomes (the database schema now; the architecture document next)."""

from fastapi_architect.design.database import to_metadata

__all__ = ["to_metadata"]
