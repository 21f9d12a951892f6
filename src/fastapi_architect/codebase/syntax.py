"""Small readers of syntax-tree nodes: dotted names, keywords, literal values, column types."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from http import HTTPStatus
from typing import TypeVar

N = TypeVar("N", bound=ast.AST)
STRING_TYPES = frozenset({"String", "VARCHAR", "NVARCHAR", "Unicode", "CHAR", "AutoString"})
_STATUS_ATTR = re.compile(r"HTTP_(\d{3})")


# On each node once its tree is indexed: (the tree's nodes in preorder, where the node's
# subtree starts in that list, where it ends).
_SPAN = "_architect_span"


def walk(node: ast.AST) -> list[ast.AST]:
    """`node` and every node under it, as `ast.walk` gives them (but the shared `Load()` and
    `Store()` contexts) in source (pre-)order.
    The first call indexes the whole subtree once; every later call on the tree or on any
    node within is a slice of that index, so rules and extractors that walk the same
    functions again and again pay for one walk."""
    span = node.__dict__.get(_SPAN)
    if span is None:
        _index(node)
        span = node.__dict__[_SPAN]
    order, start, end = span
    return order[start:end]  # type: ignore[no-any-return]


def position(node: ast.AST) -> tuple[int, int]:
    """Where the node's subtree lies in its tree's source-order index: [start, end)."""
    if _SPAN not in node.__dict__:
        _index(node)
    _, start, end = node.__dict__[_SPAN]
    return start, end


_KINDS = "_architect_kinds"


def nodes_of(tree: ast.AST, *kinds: type[N]) -> list[N]:
    """The nodes under `tree` of these kinds (`nodes_of(tree, ast.Call)`), in source order:
    the nodes are sorted by kind once per tree, for every extractor and rule that visits
    only some kinds."""
    buckets = tree.__dict__.get(_KINDS)
    if buckets is None:
        buckets = defaultdict(list)
        for node in walk(tree):
            buckets[type(node)].append(node)
        buckets = tree.__dict__[_KINDS] = dict(buckets)
    if len(kinds) == 1:
        return buckets.get(kinds[0], [])  # type: ignore[no-any-return]
    wanted = dict.fromkeys(kinds)
    count = sum(len(buckets.get(kind, ())) for kind in wanted)
    if count * 8 > len(walk(tree)):  # most of the tree: one pass keeps the order
        return [n for n in walk(tree) if type(n) in wanted]  # type: ignore[misc]
    chosen = [n for kind in wanted for n in buckets.get(kind, ())]
    chosen.sort(key=lambda n: n.__dict__[_SPAN][1])
    return chosen


def walk_within(node: ast.AST, stop: tuple[type[ast.AST], ...]) -> list[ast.AST]:
    """Every node under `node` (not itself), without entering the nodes of types `stop`
    (nested functions, classes), which are given but not walked into."""
    if _SPAN not in node.__dict__:
        _index(node)
    order, start, end = node.__dict__[_SPAN]
    out: list[ast.AST] = []
    i = start + 1
    while i < end:
        current = order[i]
        out.append(current)
        i = current.__dict__[_SPAN][2] if isinstance(current, stop) else i + 1
    return out


# Per node class, the fields that may hold nodes: not the shared `Load()`/`Store()`
# contexts, nor names and numbers.
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}
_SCALAR_FIELDS = frozenset(
    {"ctx", "id", "attr", "arg", "name", "asname", "module", "level", "kind", "conversion"}
)


def _index(root: ast.AST) -> None:
    order: list[ast.AST] = []
    stack: list[tuple[ast.AST, int]] = [(root, -1)]
    push, pop, append, node_type = stack.append, stack.pop, order.append, ast.AST
    while stack:
        node, start = pop()
        if start >= 0:
            node.__dict__[_SPAN] = (order, start, len(order))
            continue
        push((node, len(order)))
        append(node)
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:
            fields = tuple(f for f in node._fields if f not in _SCALAR_FIELDS)
            _CHILD_FIELDS[type(node)] = fields
        children: list[ast.AST] = []
        for field in fields:
            value = getattr(node, field, None)
            if type(value) is list:
                children.extend(item for item in value if isinstance(item, node_type))
            elif isinstance(value, node_type):
                children.append(value)
        for child in reversed(children):
            push((child, -1))


def module_name(path: str) -> str:
    """`src/app/api/deps.py` -> `app.api.deps`; `app/__init__.py` -> `app`."""
    parts = path.removesuffix(".py").split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def dotted(node: ast.expr) -> str | None:
    """`a.b.c` as a string, or None when the expression is not a plain dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def last_name(name: str | None) -> str:
    return "" if name is None else name.rsplit(".", 1)[-1]


def identifier(node: ast.AST) -> str | None:
    """The name a node spells: `x` of a Name, `.x` of an Attribute, `import x` of an alias."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.alias):
        return node.name
    return None


def named_value(stmt: ast.AST) -> tuple[str, ast.expr] | None:
    """`x = value` or `x: T = value`: the one name assigned and its value."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target, value = stmt.targets[0], stmt.value
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        target, value = stmt.target, stmt.value
    else:
        return None
    return (target.id, value) if isinstance(target, ast.Name) else None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def str_value(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def status_value(node: ast.expr | None) -> int | None:
    """`201`, `status.HTTP_201_CREATED` or `HTTPStatus.CREATED`-like names -> 201."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    name = dotted(node) if node is not None else None
    if name:
        match = _STATUS_ATTR.search(name)
        if match:
            return int(match.group(1))
        owner, _, member = name.rpartition(".")
        if owner.endswith("HTTPStatus") and member in HTTPStatus.__members__:
            return HTTPStatus[member].value
    return None


def prefix_text(node: ast.expr | None, constants: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """A router prefix as text, and the parts of it known only at run time.

    `"/api/v1"` -> ("/api/v1", ()); `settings.api_prefix` -> ("{settings.api_prefix}",
    ("{settings.api_prefix}",)). A module-level string constant is resolved.
    """
    if node is None:
        return "", ()
    text = str_value(node)
    if text is not None:
        return text, ()
    if isinstance(node, ast.FormattedValue):
        node = node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id], ()
    if isinstance(node, ast.JoinedStr):
        parts = [prefix_text(v, constants) for v in node.values]
        return "".join(t for t, _ in parts), tuple(d for _, ds in parts for d in ds)
    placeholder = "{" + ast.unparse(node) + "}"
    return placeholder, (placeholder,)


def string_type(node: ast.expr) -> tuple[str, bool, bool] | None:
    """(type name, is a string type, has a length) of a column type such as `String(64)`.

    None when the expression is not recognisably a type (a variable, a call result).
    """
    call = node if isinstance(node, ast.Call) else None
    name = last_name(dotted(call.func if call is not None else node))
    if not name or not name[0].isupper():
        return None
    if name not in STRING_TYPES:
        return name, False, False
    length = (call.args[0] if call.args else keyword(call, "length")) if call else None
    has_length = length is not None and not (
        isinstance(length, ast.Constant) and length.value is None
    )
    return name, True, has_length
