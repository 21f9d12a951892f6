"""fastapi-architect."""
