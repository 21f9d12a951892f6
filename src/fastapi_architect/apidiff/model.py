"""What api-diff reports: each change between two OpenAPI documents, classified."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Level(IntEnum):
    """How sure it is that a change breaks clients (ordered: INFO < WARN < ERR)."""

    INFO = 1  # compatible
    WARN = 2  # may break; the documents cannot tell
    ERR = 3  # breaks clients for certain

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, order=True)
class Change:
    """One change, as a human and a CI system read it."""

    # The operation it concerns ("GET /tasks/{task_id}"), or "" for a document-wide change.
    operation: str
    # A stable kebab-case id; oasdiff's id where oasdiff has one.
    id: str
    level: Level
    # A sentence a human reads: what changed, and why it matters.
    message: str
    # JSON pointers into each document (RFC 6901); "" when the side has no such node.
    base_pointer: str = ""
    revision_pointer: str = ""
    # Where the node is in each file (path:line:col), when the document was read from YAML
    # or JSON text; "" otherwise.
    base_location: str = ""
    revision_location: str = ""


@dataclass(frozen=True)
class Report:
    base: str  # what the base was read from (a path, `git:REF:path`, `app:module:attr`)
    revision: str
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def at_least(self, level: Level) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.level >= level)
