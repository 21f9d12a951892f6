"""Evolve: a spec change as a plan of safe schema steps and API impact, and as one new
Alembic revision in a generated project whose hand edits survive."""

from __future__ import annotations

from fastapi_architect.evolve.model import SAFETY_DESCRIPTIONS, Plan, Safety, Step
from fastapi_architect.evolve.plan import plan_change, plan_specs

__all__ = ["SAFETY_DESCRIPTIONS", "Plan", "Safety", "Step", "plan_change", "plan_specs"]
