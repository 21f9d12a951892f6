"""The revision side of this case: the real backend of fastapi/full-stack-fastapi-template at commit
3c1f7c4cdb67dff619898d66236cf6e09cb7c3e2
(which made #2144 Add created_at field to User and Item models).

Source: https://github.com/fastapi/full-stack-fastapi-template (backend/app), MIT licence,
Copyright (c) 2019 Sebastian Ramirez. The application itself is not copied here: revision.json is its
app.openapi(), dumped with Python 3.12, FastAPI 0.115.14, Pydantic 2.12.5, SQLModel 0.0.31, pydantic-settings 2.12.0 (the
versions locked in uv.lock at 3c1f7c4c), with json.dumps(..., indent=2, sort_keys=True).

To regenerate, export the commit's backend so that $FULL_STACK_TEMPLATE_CHECKOUTS/3c1f7c4c/backend
holds it (git archive 3c1f7c4c backend | tar -x -C "$FULL_STACK_TEMPLATE_CHECKOUTS/3c1f7c4c"),
install its locked dependencies, and run the recipe in corpus/README.md. No database is needed.
"""

import importlib
import os
import sys
from pathlib import Path

COMMIT = "3c1f7c4cdb67dff619898d66236cf6e09cb7c3e2"
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
