"""Pairing the members of two allOf / oneOf / anyOf lists: the same member is the same
component (`$ref`), or an inline schema with the same content, the same title, or the one
untitled schema left on each side; an inline schema that became an equivalent `$ref` (or the
other way round) is the same member too. What stays unpaired was added or removed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi_architect.apidiff.nodes import ANNOTATIONS, Node, Side
from fastapi_architect.apidiff.positions import unescape


@dataclass(frozen=True)
class Member:
    node: Node  # as written in the list
    index: int
    ref: str | None  # the component it names, for a `$ref`
    title: str | None
    content: str  # canonical text of what is written
    meaning: str  # canonical text of what it means (followed, annotations left out)

    @property
    def label(self) -> str:
        return self.ref or self.title or f"#{self.index}"

    @property
    def annotation_only(self) -> bool:
        return self.meaning == "{}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _without_annotations(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_annotations(v)
            for k, v in value.items()
            if k not in ANNOTATIONS and not k.startswith("x-")
        }
    if isinstance(value, list):
        return [_without_annotations(v) for v in value]
    return value


def members(side: Side, nodes: tuple[Node, ...] | list[Node]) -> list[Member]:
    found = []
    for index, node in enumerate(nodes):
        raw = node.value if isinstance(node.value, dict) else {}
        ref = raw.get("$ref")
        name = unescape(ref.rsplit("/", 1)[-1]) if isinstance(ref, str) else None
        title = raw.get("title") if isinstance(raw.get("title"), str) else None
        target = side.follow(node)
        meaning = _canonical(_without_annotations(target.value))
        found.append(Member(node, index, name, title, _canonical(raw), meaning))
    return found


def pair(
    old: list[Member], new: list[Member]
) -> tuple[list[tuple[Member, Member]], list[Member], list[Member]]:
    """(pairs, removed, added)."""
    left, right = list(old), list(new)
    pairs: list[tuple[Member, Member]] = []

    def take(a: Member, b: Member) -> None:
        pairs.append((a, b))
        left.remove(a)
        right.remove(b)

    rules: tuple[Callable[[Member, Member], bool], ...] = (
        lambda a, b: a.ref is not None and a.ref == b.ref,
        lambda a, b: a.ref is None and b.ref is None and a.content == b.content,
        lambda a, b: a.ref is None and b.ref is None and a.title is not None and a.title == b.title,
    )
    for rule in rules:
        for a in list(left):
            match = next((b for b in right if rule(a, b)), None)
            if match is not None:
                take(a, match)
    untitled_left = [a for a in left if a.ref is None and a.title is None]
    untitled_right = [b for b in right if b.ref is None and b.title is None]
    if len(untitled_left) == 1 and len(untitled_right) == 1:
        take(untitled_left[0], untitled_right[0])
    for a in list(left):  # an inline schema moved to a component, or back
        match = next(
            (b for b in right if (a.ref is None) != (b.ref is None) and a.meaning == b.meaning),
            None,
        )
        if match is not None:
            take(a, match)
    pairs.sort(key=lambda p: p[0].index)
    return pairs, left, right
