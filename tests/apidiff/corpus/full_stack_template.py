"""The backend of fastapi/full-stack-fastapi-template (MIT licence, Copyright (c) 2019
Sebastian Ramirez) at a commit, as the `fastapi-template-*` cases serve it: imported from a
checkout under $FULL_STACK_TEMPLATE_CHECKOUTS/<first 8 hex digits>/backend (the application
itself is not copied here), with the settings it needs and no database."""

import importlib
import os
import sys
from pathlib import Path
from typing import Any

SETTINGS = {
    "PROJECT_NAME": "Full Stack FastAPI Project",
    "POSTGRES_SERVER": "localhost",
    "POSTGRES_USER": "postgres",
    "POSTGRES_PASSWORD": "changethis",
    "POSTGRES_DB": "app",
    "FIRST_SUPERUSER": "admin@example.com",
    "FIRST_SUPERUSER_PASSWORD": "changethis",
    "SECRET_KEY": "changethis",
    "ENVIRONMENT": "local",
    "DOMAIN": "localhost",
    "FRONTEND_HOST": "http://localhost:5173",
    "SENTRY_DSN": "",
}


def served_app(commit: str) -> Any:
    """The application at `commit` (its full hash)."""
    for key, value in SETTINGS.items():
        os.environ.setdefault(key, value)
    backend = Path(os.environ["FULL_STACK_TEMPLATE_CHECKOUTS"]) / commit[:8] / "backend"
    os.chdir(backend)  # the settings read ../.env relative to the backend folder
    sys.path.insert(0, str(backend))
    for module in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
        del sys.modules[module]  # the other side's `app` package, when both run in one process
    if "sqlmodel" in sys.modules:  # and its tables, registered in the shared SQLModel.metadata
        sys.modules["sqlmodel"].SQLModel.metadata.clear()
    return importlib.import_module("app.main").app
