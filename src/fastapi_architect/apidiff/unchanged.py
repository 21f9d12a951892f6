"""Operations that are the same on both sides, down to every `$ref` they reach: a
comparison would find nothing in them, so it skips them (most of a large API, most of the
time)."""

from __future__ import annotations

from typing import Any

from fastapi_architect.apidiff.nodes import Node
from fastapi_architect.apidiff.positions import unescape

_NOT_LOCAL = None  # a reach that leaves the document: the operation is compared in full


class Unchanged:
    def __init__(self, base: Any, revision: Any) -> None:
        self.base, self.revision = base, revision
        # The refs each ref reaches, itself included (None: one of them is not local).
        self.reached: dict[str, frozenset[str] | None] = {}
        self.same_ref: dict[str, bool] = {}

    def same_operation(self, old_item: Node, new_item: Node, method: str) -> bool:
        """The operation, its path's parameters and the document's security are equal as
        written, and so is everything each `$ref` in them leads to."""
        old, new = old_item.value, new_item.value
        if not (isinstance(old, dict) and isinstance(new, dict)):
            return False
        parts = (old.get(method), old.get("parameters"), *_shared(self.base))
        if parts != (new.get(method), new.get("parameters"), *_shared(self.revision)):
            return False
        refs = self._refs_in(parts)
        return refs is not None and all(self._same(ref) for ref in refs)

    def _same(self, ref: str) -> bool:
        known = self.same_ref.get(ref)
        if known is None:
            known = _resolve(self.base, ref) == _resolve(self.revision, ref)
            self.same_ref[ref] = known
        return known

    def _refs_in(self, value: Any) -> frozenset[str] | None:
        found: set[str] = set()
        for ref in _direct_refs(value):
            reach = self._reach(ref)
            if reach is None:
                return None
            found |= reach
        return frozenset(found)

    def _reach(self, ref: str) -> frozenset[str] | None:
        if ref in self.reached:
            return self.reached[ref]
        if not ref.startswith("#/"):
            self.reached[ref] = _NOT_LOCAL
            return _NOT_LOCAL
        self.reached[ref] = frozenset({ref})  # a recursive schema reaches itself
        reach: set[str] = {ref}
        for side in (self.base, self.revision):
            more = self._refs_in(_resolve(side, ref))
            if more is None:
                self.reached[ref] = _NOT_LOCAL
                return _NOT_LOCAL
            reach |= more
        self.reached[ref] = frozenset(reach)
        return self.reached[ref]


def _shared(document: Any) -> tuple[Any, Any]:
    """What every operation is judged with besides what it names: the default security and
    the security schemes (named, not referenced)."""
    if not isinstance(document, dict):
        return None, None
    components = document.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return document.get("security"), schemes


def _direct_refs(value: Any) -> set[str]:
    """Every `$ref` written in `value`, without following them."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, str) and item.startswith("#/"):
            found.add(item)  # a discriminator's mapping names schemas by pointer
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return found


def _resolve(document: Any, ref: str) -> Any:
    value = document
    for token in ref[2:].split("/") if ref != "#/" else []:
        key = unescape(token)
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value
