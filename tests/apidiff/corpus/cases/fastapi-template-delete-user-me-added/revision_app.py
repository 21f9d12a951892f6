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

import runpy
from pathlib import Path

shared = runpy.run_path(str(Path(__file__).resolve().parents[2] / "full_stack_template.py"))
app = shared["served_app"]("b81cec8ea54d3bd20af5e02cc4d5baa4fa43ac83")
