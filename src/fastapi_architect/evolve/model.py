"""A change plan: what moving a database and its API from one spec to the next takes, step
by step, each step with its safety class, the reason for it and the recipe that makes it
safe."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from fastapi_architect.apidiff.model import Change, Level
from fastapi_architect.spec.problems import Location


class Safety(StrEnum):
    """How a step affects a running system, from harmless to harmful (the order counts)."""

    SAFE = "safe"  # safe online: no rewrite, no lock held beyond an instant
    BACKFILL = "backfill"  # writes existing rows (an UPDATE over the table)
    LOCK = "lock"  # holds a lock that blocks writes (or reads) for a scan or a rewrite
    DATA_LOSS = "data-loss"  # values are gone for good
    BREAKING = "breaking"  # breaks API clients (a migration step may be safe and still break)

    @property
    def rank(self) -> int:
        return list(Safety).index(self)

    @property
    def description(self) -> str:
        return SAFETY_DESCRIPTIONS[self]


SAFETY_DESCRIPTIONS: dict[Safety, str] = {
    Safety.SAFE: "safe online",
    Safety.BACKFILL: "needs a backfill",
    Safety.LOCK: "takes a blocking lock",
    Safety.DATA_LOSS: "loses data",
    Safety.BREAKING: "breaks API clients",
}


@dataclass(frozen=True)
class Step:
    """One schema change, in the order the migration runs it."""

    # Stable kebab-case id: `add-column`, `add-required-column`, `rename-column`, ...
    id: str
    table: str
    # What changes, as a reader names it: `column note.title`, `index ix_note_title`.
    subject: str
    safety: Safety
    # Why the step has its safety class, in a sentence.
    reason: str
    # How the generated migration does it, in words (`ADD COLUMN ... NULL, UPDATE, ...`).
    recipe: str
    # The spec change behind it: `field Note.title added`, `soft_delete switched on for Task`.
    cause: str
    # Where the cause is in the new spec (or the old one, for what was removed).
    location: Location | None = None
    # Why `generate` will not write the step as it stands; None when it will.
    refused: str | None = None
    # The hint that goes with a refusal: what to change in the spec or on the command line.
    hint: str | None = None
    # The step can be undone by `downgrade()` (a dropped column comes back empty: False).
    reversible: bool = True


@dataclass(frozen=True)
class Plan:
    """Every step between two specs, and what the API's clients see."""

    steps: tuple[Step, ...] = ()
    api: tuple[Change, ...] = ()
    # Spec changes that need no migration step (an application default, a description).
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.steps and not self.api

    @property
    def refused(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.refused)

    @property
    def unsafe(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.safety is not Safety.SAFE)

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.api if change.level is Level.ERR)


__all__ = ["SAFETY_DESCRIPTIONS", "Plan", "Safety", "Step"]
