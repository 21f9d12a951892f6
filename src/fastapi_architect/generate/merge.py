"""Three-way merge of a file's texts: what the generator wrote last time (base), the file as
the user left it (ours) and the new rendering (theirs), with git-style conflict markers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from merge3 import Merge3

START_MARKER = "<<<<<<<"
MID_MARKER = "======="
END_MARKER = ">>>>>>>"


@dataclass(frozen=True)
class Merged:
    """A merge's text and how many conflict regions (marked git-style) it holds."""

    text: str
    conflicts: int


def merge_three(base: str, ours: str, theirs: str, *, ours_label: str, theirs_label: str) -> Merged:
    """Both sides' changes to `base`; where they overlap, both versions between markers.

    Line endings are kept as they are: lines are split after each "\\n" only, so "\\r\\n"
    stays part of its line and joining the pieces gives back the exact text.
    """
    # The trivial cases are decided without a diff, so their result is exact by construction.
    if ours == theirs or theirs == base:
        return Merged(text=ours, conflicts=0)
    if ours == base:
        return Merged(text=theirs, conflicts=0)
    ours_lines = _lines(ours)
    newline = _newline_of(ours_lines)
    pieces: list[str] = []
    conflicts = 0
    for group in Merge3(_lines(base), ours_lines, _lines(theirs)).merge_groups():
        if group[0] == "conflict":
            _, _, ours_part, theirs_part = group
            conflicts += 1
            pieces.append(f"{START_MARKER} {ours_label}{newline}")
            pieces.extend(_ending_a_line(ours_part, newline))
            pieces.append(f"{MID_MARKER}{newline}")
            pieces.extend(_ending_a_line(theirs_part, newline))
            pieces.append(f"{END_MARKER} {theirs_label}{newline}")
        else:
            # Lines from one side, the other or both (as merge3 decided): taken as they are.
            pieces.extend(group[1])
    return Merged(text="".join(pieces), conflicts=conflicts)


def _lines(text: str) -> list[str]:
    """The text's lines, each with its ending; the last one may have none."""
    lines = text.split("\n")
    last = lines.pop()
    return [line + "\n" for line in lines] + ([last] if last else [])


def _newline_of(lines: list[str]) -> str:
    """The markers follow the user's line endings (those of their file's first line)."""
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _ending_a_line(lines: Sequence[str], newline: str) -> Sequence[str]:
    """A side's last line without an ending (end of file) gets one, so that the marker
    after it stays on a line of its own."""
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + newline]
    return lines
