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

import runpy
from pathlib import Path

shared = runpy.run_path(str(Path(__file__).resolve().parents[2] / "full_stack_template.py"))
app = shared["served_app"]("3c1f7c4cdb67dff619898d66236cf6e09cb7c3e2")
