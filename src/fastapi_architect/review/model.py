"""The data a review produces: findings, severities, parse errors and the overall result."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# A file that could not be read or parsed is part of a review's result.
from fastapi_architect.codebase.facts import ParseError as ParseError


class Severity(StrEnum):
    """How much a finding matters; ordered info < warning < error."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Confidence(StrEnum):
    """How sure the rule is that the finding is real."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Edit:
    """A replacement of the text between two places of a file, as `ast` gives places: lines
    from 1, columns as UTF-8 byte offsets from 0."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found at one place in the code."""

    rule_id: str
    slug: str
    severity: Severity
    confidence: Confidence
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    fix: str
    cwe: int | None = None
    suppressed: bool = False
    suppression_reason: str | None = None
    # The mechanical fix, when one cannot change behaviour for the worse (`review --fix`).
    edits: tuple[Edit, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.rule_id)


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """Everything a review found in a tree."""

    root: str
    files: int
    findings: tuple[Finding, ...]
    errors: tuple[ParseError, ...] = ()
    cached_files: int = 0
    rules: tuple[str, ...] = field(default=())

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings that are not suppressed inline."""
        return tuple(f for f in self.findings if not f.suppressed)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed)

    def fails(self, fail_on: Severity) -> bool:
        """True when an active finding is at or above `fail_on`."""
        return any(f.severity.rank >= fail_on.rank for f in self.active)
