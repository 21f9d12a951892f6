"""Problems found in a spec, each located in its file with a way to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict


class Location(BaseModel):
    """A 1-based line and column in a file."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    column: int

    def __init__(self, file: str, line: int, column: int) -> None:
        super().__init__(file=file, line=line, column=column)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Problem(BaseModel):
    """One thing wrong with a spec: where, what, and how to fix it."""

    model_config = ConfigDict(frozen=True)

    location: Location
    code: str
    message: str
    hint: str | None = None

    @classmethod
    def at(cls, location: Location, code: str, message: str, hint: str | None) -> Problem:
        return cls(location=location, code=code, message=message, hint=hint)

    def render(self) -> str:
        text = f"{self.location}: error: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """'did you mean X?' for the closest choice, or None when nothing is close."""
    options = sorted(set(choices))
    lowered = {option.lower(): option for option in options}
    if word.lower() in lowered:
        return f"did you mean {lowered[word.lower()]!r}?"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(repr(choice) for choice in choices)
