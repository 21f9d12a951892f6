"""Comparing the parameters of two operations (path, query, header, cookie)."""

from __future__ import annotations

from typing import Any

from fastapi_architect.apidiff.context import Context
from fastapi_architect.apidiff.lifecycle import removal
from fastapi_architect.apidiff.nodes import Node, Side
from fastapi_architect.apidiff.schemas import SchemaDiff, Where

ParameterKey = tuple[str, str]
_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def parameters(
    side: Side, item: Node, operation: Node, names: list[str]
) -> dict[ParameterKey, Node]:
    """An operation's parameters, its path item's included, by what identifies them: place
    and name, a path parameter by its position in the template, a header case-blind."""
    found: dict[ParameterKey, Node] = {}
    for owner in (item, operation):
        listed = owner.get("parameters")
        if not isinstance(listed, list):
            continue
        for index in range(len(listed)):
            node = side.follow(side.child(owner, "parameters", index))
            name, place = node.get("name"), node.get("in")
            if not isinstance(name, str) or not isinstance(place, str):
                continue
            if place == "path" and name in names:
                key = ("path", f"#{names.index(name)}")
            elif place == "header":
                key = ("header", name.lower())
            else:
                key = (place, name)
            found[key] = node
    return found


def _title(node: Node) -> str:
    return f"{node.get('in')} parameter `{node.get('name')}`"


def _schema(side: Side, node: Node) -> tuple[Node | None, bool]:
    """The parameter's schema, and whether its values are typed (JSON `content`)."""
    if isinstance(node.get("schema"), dict):
        return side.child(node, "schema"), False
    content = node.get("content")
    if isinstance(content, dict) and content:
        media = sorted(content)[0]
        typed = media.split(";")[0].strip().lower()
        strong = typed == "application/json" or typed.endswith("+json")
        if isinstance(content[media], dict) and isinstance(content[media].get("schema"), dict):
            return side.child(node, "content", media, "schema"), strong
    return None, False


def _serialization(node: Node) -> tuple[str, bool]:
    style = node.get("style")
    if not isinstance(style, str):
        style = _DEFAULT_STYLE.get(str(node.get("in")), "simple")
    explode = node.get("explode")
    return style, explode if isinstance(explode, bool) else style == "form"


def compare_parameters(
    ctx: Context,
    operation: str,
    base: dict[ParameterKey, Node],
    revision: dict[ParameterKey, Node],
) -> None:
    for key in sorted(set(base) | set(revision)):
        old, new = base.get(key), revision.get(key)
        if new is None and old is not None:
            kind, sunset = removal(old.value, ctx.today)
            if kind == "after-sunset":
                continue
            check_id = {
                "without-deprecation": "request-parameter-removed",
                "with-deprecation": "request-parameter-removed-with-deprecation",
                "before-sunset": "request-parameter-removed-before-sunset",
                "sunset-parse": "request-parameter-sunset-parse",
            }[kind]
            detail = _title(old) + (f" ({sunset})" if sunset else "")
            ctx.emit(operation, check_id, detail, old, None)
        elif old is None and new is not None:
            if new.get("in") == "path":
                check_id = "new-request-path-parameter"
            elif new.get("required") is True:
                check_id = "new-required-request-parameter"
            else:
                check_id = "new-optional-request-parameter"
            ctx.emit(operation, check_id, _title(new), None, new)
        elif old is not None and new is not None:
            _modified(ctx, operation, old, new)


def _modified(ctx: Context, operation: str, old: Node, new: Node) -> None:
    title = _title(new)
    was, now = old.get("required") is True, new.get("required") is True
    if was != now and new.get("in") != "path":
        check_id = (
            "request-parameter-became-required" if now else "request-parameter-became-optional"
        )
        ctx.emit(operation, check_id, title, old, new)
    if (old.get("deprecated") is True) != (new.get("deprecated") is True):
        check_id = (
            "request-parameter-deprecated"
            if new.get("deprecated") is True
            else "request-parameter-reactivated"
        )
        ctx.emit(operation, check_id, title, old, new)
    old_schema, _ = _schema(ctx.base, old)
    new_schema, strong = _schema(ctx.revision, new)
    _serialization_changes(ctx, operation, old, new, old_schema, new_schema)
    if old_schema is not None and new_schema is not None:
        where = Where(operation, "parameter", title, strong, required=was and now)
        SchemaDiff(ctx, where).run(old_schema, new_schema)


def _structured(side: Side, schema: Node | None) -> bool:
    if schema is None:
        return False
    types = side.schema(schema).types
    return bool(types and types & {"array", "object"})


def _serialization_changes(
    ctx: Context,
    operation: str,
    old: Node,
    new: Node,
    old_schema: Node | None,
    new_schema: Node | None,
) -> None:
    """A changed style or explode changes what is on the wire for lists and objects (and for
    any value in the label and matrix styles)."""
    (old_style, old_explode), (new_style, new_explode) = _serialization(old), _serialization(new)
    structured = _structured(ctx.base, old_schema) or _structured(ctx.revision, new_schema)
    prefixed = {old_style, new_style} & {"label", "matrix"}
    title = _title(new)
    if old_style != new_style and (structured or prefixed):
        detail = f"{title}: {old_style} → {new_style}"
        ctx.emit(operation, "request-parameter-style-changed", detail, old, new)
    elif old_explode != new_explode and (structured or prefixed):
        detail = f"{title}: {_flag(old_explode)} → {_flag(new_explode)}"
        ctx.emit(operation, "request-parameter-explode-changed", detail, old, new)


def _flag(value: Any) -> str:
    return "true" if value else "false"
