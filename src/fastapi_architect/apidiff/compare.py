"""`diff`: every change between two OpenAPI documents, classified by how it affects clients."""

from __future__ import annotations

import re
from datetime import date

from fastapi_architect.apidiff.bodies import compare_request_body, compare_responses
from fastapi_architect.apidiff.context import Context
from fastapi_architect.apidiff.lifecycle import SunsetError, rank, removal, stability, sunset_date
from fastapi_architect.apidiff.load import ApiDiffInputError, Document, collector_paused
from fastapi_architect.apidiff.model import Change, Report
from fastapi_architect.apidiff.nodes import Node, Side
from fastapi_architect.apidiff.parameters import compare_parameters, parameters
from fastapi_architect.apidiff.security import (
    compare_components,
    compare_global_security,
    compare_operation_security,
)

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PARAMETER = re.compile(r"\{([^}/]*)\}")


def diff(base: Document, revision: Document, *, today: date | None = None) -> Report:
    """Compare `revision` with `base`. Sunset dates are judged against `today` (the current
    date unless given)."""
    ctx = Context(Side(base), Side(revision), today or date.today())
    try:
        with collector_paused():
            _paths(ctx)
            _webhooks(ctx)
            compare_global_security(ctx)
            compare_components(ctx)
    except RecursionError:
        raise ApiDiffInputError(
            f"{base.label} / {revision.label}: the schemas nest too deeply to be compared"
        ) from None
    unique = {
        (c.operation, c.id, c.base_pointer, c.revision_pointer, c.message): c for c in ctx.changes
    }
    changes = sorted(unique.values(), key=_order)
    return Report(base.label, revision.label, tuple(changes))


def _order(change: Change) -> tuple[str, ...]:
    return (
        change.operation,
        change.id,
        change.base_pointer,
        change.revision_pointer,
        change.message,
    )


def _template(path: str) -> str:
    return _PARAMETER.sub("{}", path)


def _path_items(side: Side) -> dict[str, tuple[str, Node]]:
    """Path items by their template with parameter names left out."""
    paths = side.root.mapping("paths")
    found: dict[str, tuple[str, Node]] = {}
    for path in sorted(paths):
        item = side.follow(side.child(side.root, "paths", path))
        found.setdefault(_template(path), (path, item))
    return found


def _operations(item: Node) -> list[str]:
    return [m for m in METHODS if isinstance(item.get(m), dict)]


def _paths(ctx: Context) -> None:
    before, after = _path_items(ctx.base), _path_items(ctx.revision)
    for template in sorted(set(before) | set(after)):
        if template not in after:
            path, item = before[template]
            for method in _operations(item):
                node = ctx.base.child(item, method)
                _removed(ctx, f"{method.upper()} {path}", node, "api-path")
            continue
        if template not in before:
            path, item = after[template]
            for method in _operations(item):
                node = ctx.revision.child(item, method)
                ctx.emit(f"{method.upper()} {path}", "endpoint-added", "", None, node)
            continue
        (old_path, old_item), (new_path, new_item) = before[template], after[template]
        old_methods, new_methods = _operations(old_item), _operations(new_item)
        for method in METHODS:
            operation = f"{method.upper()} {new_path if method in new_methods else old_path}"
            if method in old_methods and method not in new_methods:
                _removed(ctx, operation, ctx.base.child(old_item, method), "api")
            elif method in new_methods and method not in old_methods:
                node = ctx.revision.child(new_item, method)
                ctx.emit(operation, "endpoint-added", "", None, node)
            elif method in old_methods:
                _operation(ctx, operation, (old_path, old_item), (new_path, new_item), method)


def _removed(ctx: Context, operation: str, node: Node, prefix: str) -> None:
    level = stability(node.value)
    if level is None:
        ctx.emit(operation, "api-invalid-stability-level", "", node, None)
    elif level in ("draft", "alpha"):
        return  # not promised to anyone
    kind, sunset = removal(node.value, ctx.today)
    if kind == "after-sunset":
        return
    check_id = "api-path-sunset-parse" if kind == "sunset-parse" else f"{prefix}-removed-{kind}"
    ctx.emit(operation, check_id, sunset, node, None)


def _operation(
    ctx: Context,
    operation: str,
    old: tuple[str, Node],
    new: tuple[str, Node],
    method: str,
) -> None:
    (old_path, old_item), (new_path, new_item) = old, new
    old_op, new_op = ctx.base.child(old_item, method), ctx.revision.child(new_item, method)
    old_level, new_level = stability(old_op.value), stability(new_op.value)
    for level, node, side in ((old_level, old_op, "base"), (new_level, new_op, "revision")):
        if level is None:
            base, revision = (node, None) if side == "base" else (None, node)
            ctx.emit(operation, "api-invalid-stability-level", "", base, revision)
    if (
        old_level is not None
        and new_level is not None
        and rank(old_level) != rank(new_level)
        and rank(old_level) >= rank("beta")
    ):
        check_id = (
            "api-stability-decreased"
            if rank(new_level) < rank(old_level)
            else "api-stability-increased"
        )
        detail = f"{old_level or 'stable'} → {new_level or 'stable'}"
        ctx.emit(operation, check_id, detail, old_op, new_op)
    if new_level in ("draft", "alpha"):
        return  # changes to what is not yet promised are not judged
    if old_path == new_path and ctx.unchanged.same_operation(old_item, new_item, method):
        return  # nothing the operation reaches differs: nothing to find, at any cost
    _deprecation(ctx, operation, old_op, new_op)
    _identity(ctx, operation, old_op, new_op)
    compare_parameters(
        ctx,
        operation,
        parameters(ctx.base, old_item, old_op, _PARAMETER.findall(old_path)),
        parameters(ctx.revision, new_item, new_op, _PARAMETER.findall(new_path)),
    )
    compare_request_body(ctx, operation, old_op, new_op)
    compare_responses(ctx, operation, old_op, new_op)
    compare_operation_security(ctx, operation, old_op, new_op)


def _deprecation(ctx: Context, operation: str, old: Node, new: Node) -> None:
    was, now = old.get("deprecated") is True, new.get("deprecated") is True
    if was and not now:
        ctx.emit(operation, "endpoint-reactivated", "", old, new)
        return
    if not now:
        return
    try:
        sunset = sunset_date(new.get("x-sunset"))
    except SunsetError as exc:
        ctx.emit(operation, "api-deprecated-sunset-parse", str(exc), old, new)
        return
    if not was:
        if sunset is None:
            ctx.emit(operation, "endpoint-deprecated", "", old, new)
        elif sunset < ctx.today:
            ctx.emit(operation, "api-sunset-date-too-small", sunset.isoformat(), old, new)
        else:
            detail = f"sunset {sunset.isoformat()}"
            ctx.emit(operation, "endpoint-deprecated-with-sunset", detail, old, new)
        return
    try:
        old_sunset = sunset_date(old.get("x-sunset"))
    except SunsetError:
        old_sunset = None
    if old_sunset is not None and sunset is None:
        ctx.emit(operation, "sunset-deleted", old_sunset.isoformat(), old, new)
    elif old_sunset is not None and sunset is not None and sunset < min(old_sunset, ctx.today):
        detail = f"{old_sunset.isoformat()} → {sunset.isoformat()}"
        ctx.emit(operation, "api-sunset-date-changed-too-small", detail, old, new)


def _identity(ctx: Context, operation: str, old: Node, new: Node) -> None:
    old_id, new_id = old.get("operationId"), new.get("operationId")
    if old_id != new_id:
        check_id = "api-operation-id-removed" if old_id else "api-operation-id-added"
        detail = f"{old_id or 'none'} → {new_id or 'none'}"
        ctx.emit(operation, check_id, detail, old, new)
    old_tags = old.get("tags") if isinstance(old.get("tags"), list) else []
    new_tags = new.get("tags") if isinstance(new.get("tags"), list) else []
    for tag in sorted(set(map(str, old_tags)) - set(map(str, new_tags))):
        ctx.emit(operation, "api-tag-removed", tag, old, new)
    for tag in sorted(set(map(str, new_tags)) - set(map(str, old_tags))):
        ctx.emit(operation, "api-tag-added", tag, old, new)


def _webhooks(ctx: Context) -> None:
    before = ctx.base.root.mapping("webhooks")
    after = ctx.revision.root.mapping("webhooks")
    for name in sorted(set(before) - set(after)):
        ctx.emit("", "webhook-removed", name, ctx.base.child(ctx.base.root, "webhooks", name))
    for name in sorted(set(after) - set(before)):
        node = ctx.revision.child(ctx.revision.root, "webhooks", name)
        ctx.emit("", "webhook-added", name, None, node)
