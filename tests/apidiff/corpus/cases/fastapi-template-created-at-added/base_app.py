"""The base side of this case: the real backend of fastapi/full-stack-fastapi-template at commit
2720308701fef9d22505013d4c417bfe3afb4530
(the parent of 3c1f7c4c, before #2144 Add created_at field to User and Item models).

Source: https://github.com/fastapi/full-stack-fastapi-template (backend/app), MIT licence,
Copyright (c) 2019 Sebastian Ramirez. The application itself is not copied here: base.json is its
app.openapi(), dumped with Python 3.12, FastAPI 0.115.14, Pydantic 2.12.5, SQLModel 0.0.31, pydantic-settings 2.12.0 (the
versions locked in uv.lock at 3c1f7c4c), with json.dumps(..., indent=2, sort_keys=True).

To regenerate, export the commit's backend so that $FULL_STACK_TEMPLATE_CHECKOUTS/27203087/backend
holds it (git archive 27203087 backend | tar -x -C "$FULL_STACK_TEMPLATE_CHECKOUTS/27203087"),
install its locked dependencies, and run the recipe in corpus/README.md. No database is needed.
"""

import runpy
from pathlib import Path

shared = runpy.run_path(str(Path(__file__).resolve().parents[2] / "full_stack_template.py"))
app = shared["served_app"]("2720308701fef9d22505013d4c417bfe3afb4530")
