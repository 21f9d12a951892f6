"""The revision side of this case: the real backend of fastapi/full-stack-fastapi-template at commit
b81cec8ea54d3bd20af5e02cc4d5baa4fa43ac83
(which made #1179 Add delete_user_me endpoint).

Source: https://github.com/fastapi/full-stack-fastapi-template (backend/app), MIT licence,
Copyright (c) 2019 Sebastian Ramirez. The application itself is not copied here: revision.json is its
app.openapi(), dumped with Python 3.11, FastAPI 0.109.2, Pydantic 2.8.2, SQLModel 0.0.20, pydantic-settings 2.3.4 (the
versions locked in backend/poetry.lock at e65b427a), with json.dumps(..., indent=2, sort_keys=True).

To regenerate, export the commit's backend so that $FULL_STACK_TEMPLATE_CHECKOUTS/b81cec8e/backend
holds it (git archive b81cec8e backend | tar -x -C "$FULL_STACK_TEMPLATE_CHECKOUTS/b81cec8e"),
install its locked dependencies, and run the recipe in corpus/README.md. No database is needed.
"""

import importlib
import os
import sys
from pathlib import Path

COMMIT = "b81cec8ea54d3bd20af5e02cc4d5baa4fa43ac83"
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
for key, value in SETTINGS.items():
    os.environ.setdefault(key, value)
backend = Path(os.environ["FULL_STACK_TEMPLATE_CHECKOUTS"]) / COMMIT[:8] / "backend"
os.chdir(backend)  # the settings read ../.env relative to the backend folder
sys.path.insert(0, str(backend))
for module in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
    del sys.modules[module]  # the other side's `app` package, when both run in one process
if "sqlmodel" in sys.modules:  # and its tables, registered in the shared SQLModel.metadata
    sys.modules["sqlmodel"].SQLModel.metadata.clear()
app = importlib.import_module("app.main").app
