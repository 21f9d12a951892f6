"""Where the nodes of a parsed file start, by JSON pointer: the (line, column) of a node's value
and of the key that introduces it. A YAML file's positions are recorded while it is built; a
JSON file's are found in its text on demand, only for the nodes a change or an error is
reported at (each object or array on the way is read once, then remembered)."""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # (not in the stubs)
from json.scanner import make_scanner
from typing import Any, Protocol

Position = tuple[int, int]  # 1-based line and column

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Reads one JSON value at an offset: (the value, the offset after it). Used to step over
# the values that are not on the way to the node looked for.
_DECODER = json.JSONDecoder()
_SKIP: Callable[[str, int], tuple[Any, int]] = make_scanner(_DECODER)  # type: ignore[arg-type]


def unescape(token: str) -> str:
    """One JSON pointer token (RFC 6901), decoded."""
    return token.replace("~1", "/").replace("~0", "~")


class Positions(Protocol):
    def key(self, pointer: str) -> Position | None:
        """Where the key that introduces the node at `pointer` starts (None for the root, an
        array item, or a node that is not there)."""
        ...

    def value(self, pointer: str) -> Position | None:
        """Where the node at `pointer` starts, or None when there is no such node."""
        ...


@dataclass(frozen=True)
class RecordedPositions:
    """Positions recorded while a file was built, by pointer."""

    values: Mapping[str, Position] = field(default_factory=dict)
    keys: Mapping[str, Position] = field(default_factory=dict)

    def key(self, pointer: str) -> Position | None:
        return self.keys.get(pointer)

    def value(self, pointer: str) -> Position | None:
        return self.values.get(pointer)


NO_POSITIONS = RecordedPositions()


class _Container:
    """What has been read of one object or array: its entries so far (an object's by name,
    with the offsets of the key and the value; an array's value offsets), and where reading
    goes on (-1 when it is done)."""

    __slots__ = ("after_value", "entries", "resume")

    def __init__(self, entries: dict[str, tuple[int, int]] | list[int], resume: int) -> None:
        self.entries = entries
        self.resume = resume  # just inside the opening bracket, or at the last value read
        self.after_value = False


class JsonPositions:
    """Positions in valid JSON text (text `json.loads` accepted, without duplicate keys).
    An object or array is read only as far as the entry looked for: the values before it
    are stepped over, the values after it not read at all."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._root = self._skip_space(0)
        self._containers: dict[int, _Container] = {}  # by the offset of the opening bracket
        self._newlines: list[int] | None = None

    def key(self, pointer: str) -> Position | None:
        found = self._find(pointer)
        return self._position(found[0]) if found is not None and found[0] >= 0 else None

    def value(self, pointer: str) -> Position | None:
        found = self._find(pointer)
        return self._position(found[1]) if found is not None else None

    def _find(self, pointer: str) -> tuple[int, int] | None:
        """The offsets of the node's key (-1 when it has none) and of its value."""
        if pointer and not pointer.startswith("/"):
            return None
        if self._root >= len(self._text):
            return None
        key_at, offset = -1, self._root
        for token in pointer.split("/")[1:]:
            opening = self._text[offset]
            if opening == "{":
                entry = self._entry(offset, unescape(token))
                if entry is None:
                    return None
                key_at, offset = entry
            elif opening == "[" and _is_index(token):
                item = self._item(offset, int(token))
                if item is None:
                    return None
                key_at, offset = -1, item
            else:
                return None
        return key_at, offset

    def _skip_space(self, offset: int) -> int:
        return _WHITESPACE.match(self._text, offset).end()  # type: ignore[union-attr]

    def _container(
        self, offset: int, entries: dict[str, tuple[int, int]] | list[int]
    ) -> _Container:
        known = self._containers.get(offset)
        if known is None:
            known = self._containers[offset] = _Container(entries, offset + 1)
        return known

    def _next(self, container: _Container) -> int:
        """The offset of the container's next entry (its key, or its value in an array), or
        -1 at its end."""
        text, at = self._text, container.resume
        if container.after_value:
            _, end = _SKIP(text, at)
            at = self._skip_space(end)
            if text[at] == ",":
                at += 1
        at = self._skip_space(at)
        if text[at] in "}]":
            container.resume = -1
            return -1
        return at

    def _entry(self, offset: int, name: str) -> tuple[int, int] | None:
        container = self._container(offset, {})
        entries = container.entries
        assert isinstance(entries, dict)
        while name not in entries and container.resume >= 0:
            key_at = self._next(container)
            if key_at < 0:
                break
            read, end = scanstring(self._text, key_at + 1, True)
            value_at = self._skip_space(self._skip_space(end) + 1)  # past the colon
            entries.setdefault(read, (key_at, value_at))
            container.resume, container.after_value = value_at, True
        return entries.get(name)

    def _item(self, offset: int, index: int) -> int | None:
        container = self._container(offset, [])
        items = container.entries
        assert isinstance(items, list)
        while len(items) <= index and container.resume >= 0:
            value_at = self._next(container)
            if value_at < 0:
                break
            items.append(value_at)
            container.resume, container.after_value = value_at, True
        return items[index] if index < len(items) else None

    def _position(self, offset: int) -> Position:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self._text)]
        line = bisect_left(self._newlines, offset)
        return (line + 1, offset - (self._newlines[line - 1] if line else -1))


def _is_index(token: str) -> bool:
    """Whether `token` is an array index as a pointer writes it (no sign, no leading zero)."""
    return token.isascii() and token.isdigit() and (token == "0" or not token.startswith("0"))
