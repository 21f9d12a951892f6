"""What every part of a comparison shares: both sides, the date sunsets are judged against,
and the list the changes are collected in (each built from its catalogue entry)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

from fastapi_architect.apidiff.checks import CHECKS
from fastapi_architect.apidiff.model import Change
from fastapi_architect.apidiff.nodes import Node, Side
from fastapi_architect.apidiff.unchanged import Unchanged


@dataclass
class Context:
    base: Side
    revision: Side
    today: date
    changes: list[Change] = field(default_factory=list)
    # What each pair of schemas shows on its own, by pair and direction (see schemas.py).
    judged: dict[Hashable, object] = field(default_factory=dict)
    reach: dict[Hashable, frozenset[Hashable]] = field(default_factory=dict)
    unchanged: Unchanged = field(init=False)

    def __post_init__(self) -> None:
        self.unchanged = Unchanged(self.base.document.data, self.revision.document.data)

    def emit(
        self,
        operation: str,
        check_id: str,
        detail: str,
        base: Node | None = None,
        revision: Node | None = None,
    ) -> None:
        check = CHECKS[check_id]
        self.changes.append(
            Change(
                operation=operation,
                id=check_id,
                level=check.level,
                message=check.message(detail),
                base_pointer=base.anchor if base is not None else "",
                revision_pointer=revision.anchor if revision is not None else "",
                base_location=self.base.locate(base) if base is not None else "",
                revision_location=self.revision.locate(revision) if revision is not None else "",
            )
        )
