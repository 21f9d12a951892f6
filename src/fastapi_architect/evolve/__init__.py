"""Evolve: a spec change as a plan of safe schema steps and API impact, and as one new
Alembic revision in a generated project whose hand edits survive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect._lazy import lazy_exports

_EXPORTS = {
    "SAFETY_DESCRIPTIONS": "fastapi_architect.evolve.model",
    "Plan": "fastapi_architect.evolve.model",
    "Safety": "fastapi_architect.evolve.model",
    "Step": "fastapi_architect.evolve.model",
    "plan_change": "fastapi_architect.evolve.plan",
    "plan_specs": "fastapi_architect.evolve.plan",
}

__all__ = ["SAFETY_DESCRIPTIONS", "Plan", "Safety", "Step", "plan_change", "plan_specs"]

if TYPE_CHECKING:
    from fastapi_architect.evolve.model import SAFETY_DESCRIPTIONS, Plan, Safety, Step
    from fastapi_architect.evolve.plan import plan_change, plan_specs


__getattr__ = lazy_exports(__name__, _EXPORTS)
