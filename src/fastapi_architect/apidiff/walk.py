"""Walking two schema graphs side by side. Each pair of schemas is judged once on its own
(what differs in it, and which pairs sit below it); a walk then visits, nearest first, only
the pairs below which something differs, each once: recursive and widely shared schemas cost
no more than their size."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Protocol

from fastapi_architect.apidiff.nodes import Node, Schema


@dataclass(frozen=True)
class Finding:
    check_id: str
    path: str  # below the pair's own place ("" for the pair itself)
    detail: str
    base: Node | None
    revision: Node | None


@dataclass
class Local:
    """What one pair of schemas shows on its own, and the pairs below it."""

    findings: list[Finding] = field(default_factory=list)
    # The pairs below: (path segment, base, revision, the pair's key).
    links: list[tuple[str, Schema, Schema, Hashable]] = field(default_factory=list)


class Judge(Protocol):
    def key(self, b: Schema, r: Schema, root: bool) -> Hashable: ...

    def judge(self, b: Schema, r: Schema, root: bool) -> Local: ...


def join(path: str, segment: str) -> str:
    return f"{path}/{segment}" if path and segment else path or segment


Reach = frozenset[Hashable]


def reach(judge: Judge, memo: dict[Hashable, Reach], b: Schema, r: Schema, root: bool) -> Reach:
    """The pairs with findings in or below the pair (Tarjan's strongly connected components,
    iteratively: every pair in a cycle reaches what any of them does)."""
    start = judge.key(b, r, root)
    if start in memo:
        return memo[start]
    index: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    locals_: dict[Hashable, Local] = {}
    stack: list[Hashable] = []
    on_stack: set[Hashable] = set()
    frames: list[tuple[Hashable, Local, int]] = []

    def enter(key: Hashable, schemas: tuple[Schema, Schema, bool]) -> None:
        index[key] = low[key] = len(index)
        stack.append(key)
        on_stack.add(key)
        locals_[key] = judge.judge(*schemas)
        frames.append((key, locals_[key], 0))

    enter(start, (b, r, root))
    while frames:
        key, local, position = frames[-1]
        if position < len(local.links):
            frames[-1] = (key, local, position + 1)
            _, child_b, child_r, child = local.links[position]
            if child in memo:
                continue
            if child not in index:
                enter(child, (child_b, child_r, False))
            elif child in on_stack:
                low[key] = min(low[key], index[child])
            continue
        frames.pop()
        if frames:
            parent = frames[-1][0]
            low[parent] = min(low[parent], low[key])
        if low[key] != index[key]:
            continue
        component: list[Hashable] = []
        while True:
            member = stack.pop()
            on_stack.discard(member)
            component.append(member)
            if member == key:
                break
        inside = set(component)
        found: set[Hashable] = {m for m in component if locals_[m].findings}
        for member in component:
            for _, _, _, child in locals_[member].links:
                if child not in inside:
                    found |= memo[child]
        result = frozenset(found)
        for member in component:
            memo[member] = result
    return memo[start]


def walk(
    judge: Judge,
    memo: dict[Hashable, Reach],
    b: Schema,
    r: Schema,
    report: Callable[[str, Finding], None],
) -> None:
    """Report every finding in the pair and below it, each pair once, nearest first."""
    targets = set(reach(judge, memo, b, r, True))
    queue = deque([(b, r, "")])
    seen: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    # A wrapper (`anyOf: [{$ref: Task}, {type: "null"}]`) shows its schema's properties
    # again: the same change on the same nodes is reported once, at its nearest place.
    reported: set[tuple[str, str, Hashable, Hashable]] = set()
    while queue and targets:
        old, new, path = queue.popleft()
        if (old.node.key, new.node.key) in seen:
            continue  # a recursive or shared schema, already compared nearer the top
        seen.add((old.node.key, new.node.key))
        root = not path
        local = judge.judge(old, new, root)
        if local.findings:
            targets.discard(judge.key(old, new, root))
            for finding in local.findings:
                same = (
                    finding.check_id,
                    finding.detail,
                    _key(finding.base),
                    _key(finding.revision),
                )
                if same not in reported:
                    reported.add(same)
                    report(path, finding)
        for segment, child_b, child_r, child in local.links:
            known = memo.get(child)
            if known is None:
                known = reach(judge, memo, child_b, child_r, False)
            if known:
                queue.append((child_b, child_r, join(path, segment)))


def _key(node: Node | None) -> Hashable:
    return node.key if node is not None else None
