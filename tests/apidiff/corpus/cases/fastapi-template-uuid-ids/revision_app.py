"""The revision side of this case: the real backend of fastapi/full-stack-fastapi-template at commit
e65b427ab1668dad8cab0ff7c0b514e651a269ae
(which made #1259 Refactor db models to use UUID's instead of integer ID's).

Source: https://github.com/fastapi/full-stack-fastapi-template (backend/app), MIT licence,
Copyright (c) 2019 Sebastian Ramirez. The application itself is not copied here: revision.json is its
app.openapi(), dumped with Python 3.11, FastAPI 0.109.2, Pydantic 2.8.2, SQLModel 0.0.20, pydantic-settings 2.3.4 (the
versions locked in backend/poetry.lock at e65b427a), with json.dumps(..., indent=2, sort_keys=True).

To regenerate, export the commit's backend so that $FULL_STACK_TEMPLATE_CHECKOUTS/e65b427a/backend
holds it (git archive e65b427a backend | tar -x -C "$FULL_STACK_TEMPLATE_CHECKOUTS/e65b427a"),
install its locked dependencies, and run the recipe in corpus/README.md. No database is needed.
"""

import runpy
from pathlib import Path

shared = runpy.run_path(str(Path(__file__).resolve().parents[2] / "full_stack_template.py"))
app = shared["served_app"]("e65b427ab1668dad8cab0ff7c0b514e651a269ae")
