"""The base side of this case: the real backend of fastapi/full-stack-fastapi-template at commit
d1cc75903e80dbb18261160fddf38a5eb2ad8b31
(the parent of b81cec8e, before #1179 Add delete_user_me endpoint).

Source: https://github.com/fastapi/full-stack-fastapi-template (backend/app), MIT licence,
Copyright (c) 2019 Sebastian Ramirez. The application itself is not copied here: base.json is its
app.openapi(), dumped with Python 3.11, FastAPI 0.109.2, Pydantic 2.8.2, SQLModel 0.0.20, pydantic-settings 2.3.4 (the
versions locked in backend/poetry.lock at e65b427a), with json.dumps(..., indent=2, sort_keys=True).

To regenerate, export the commit's backend so that $FULL_STACK_TEMPLATE_CHECKOUTS/d1cc7590/backend
holds it (git archive d1cc7590 backend | tar -x -C "$FULL_STACK_TEMPLATE_CHECKOUTS/d1cc7590"),
install its locked dependencies, and run the recipe in corpus/README.md. No database is needed.
"""

import runpy
from pathlib import Path

shared = runpy.run_path(str(Path(__file__).resolve().parents[2] / "full_stack_template.py"))
app = shared["served_app"]("d1cc75903e80dbb18261160fddf38a5eb2ad8b31")
