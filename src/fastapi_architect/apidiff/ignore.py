"""Accepted changes: an ignore file lists the changes a team has agreed to, one per line, so
that they stop failing CI.

    # comments and blank lines are skipped
    GET /tasks/{task_id} response-property-removed     the id, for one operation
    DELETE /tags api-removed-without-deprecation
    request-parameter-max-length-decreased              the id, on every operation
    GET /tasks the response property `title`            or words of the message

A line is the operation (METHOD and path) and then either a change id or words that appear
in the change's message (case-insensitive), or a change id alone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.apidiff.load import ApiDiffInputError
from fastapi_architect.apidiff.model import Change, Report

_METHODS = {"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"}
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Accepted:
    operation: str | None  # None: every operation
    text: str  # a change id or words of the message, lowercased
    line: int


def _normalised_path(path: str) -> str:
    # Parameter names do not matter: /tasks/{id} and /tasks/{task_id} are one path.
    return re.sub(r"\{[^}]*\}", "{}", path)


def read_ignore_file(path: Path) -> tuple[Accepted, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ApiDiffInputError(f"{path}: cannot read the ignore file: {exc}") from None
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = line.split(maxsplit=2)
        if words[0].upper() in _METHODS:
            if len(words) < 3 or not words[1].startswith("/"):
                raise ApiDiffInputError(
                    f"{path}:{number}:1: expected `METHOD /path change-id-or-words`, got {line!r}"
                )
            operation = f"{words[0].upper()} {_normalised_path(words[1])}"
            entries.append(Accepted(operation, words[2].strip().lower(), number))
        elif _ID.fullmatch(line):
            entries.append(Accepted(None, line, number))
        else:
            raise ApiDiffInputError(
                f"{path}:{number}:1: expected a change id or `METHOD /path ...`, got {line!r}"
            )
    return tuple(entries)


def _accepts(entry: Accepted, change: Change) -> bool:
    if entry.operation is not None:
        method, _, path = change.operation.partition(" ")
        if entry.operation != f"{method} {_normalised_path(path)}":
            return False
    return entry.text == change.id or (
        entry.operation is not None and entry.text in change.message.lower()
    )


def without_accepted(report: Report, accepted: tuple[Accepted, ...]) -> Report:
    """The report without the changes an ignore file accepts."""
    kept = tuple(c for c in report.changes if not any(_accepts(e, c) for e in accepted))
    return Report(base=report.base, revision=report.revision, changes=kept)
