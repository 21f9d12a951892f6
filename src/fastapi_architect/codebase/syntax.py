"""Small readers of syntax-tree nodes: dotted names, keywords, literal values, column types."""

from __future__ import annotations

import ast
import re

STRING_TYPES = frozenset({"String", "VARCHAR", "NVARCHAR", "Unicode", "CHAR", "AutoString"})
_STATUS_ATTR = re.compile(r"HTTP_(\d{3})")


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
