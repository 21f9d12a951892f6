"""Comparing what travels in bodies: the request body, the responses (status by status), their
media types and headers."""

from __future__ import annotations

from fastapi_architect.apidiff.context import Context
from fastapi_architect.apidiff.nodes import Node, Side
from fastapi_architect.apidiff.schemas import (
    Direction,
    SchemaDiff,
    Where,
    response_breaking,
    type_text,
)

_RESPONSE_CHECKS = {
    "removed": "response-media-type-removed",
    "added": "response-media-type-added",
    "schema-added": "response-body-media-type-schema-added",
    "schema-removed": "response-body-media-type-schema-removed",
}
_REQUEST_CHECKS = {
    "removed": "request-body-media-type-removed",
    "added": "request-body-media-type-added",
    "schema-added": "request-body-media-type-schema-added",
    "schema-removed": "request-body-media-type-schema-removed",
}


def _essence(media: str) -> str:
    return media.split(";")[0].strip().lower()


def is_json(media: str) -> bool:
    essence = _essence(media)
    return essence == "application/json" or essence.endswith("+json")


def _optional(side: Side, owner: Node, key: str) -> Node | None:
    if owner.get(key) is None:
        return None
    return side.follow(side.child(owner, key))


def compare_request_body(ctx: Context, operation: str, old_op: Node, new_op: Node) -> None:
    old = _optional(ctx.base, old_op, "requestBody")
    new = _optional(ctx.revision, new_op, "requestBody")
    if old is None and new is None:
        return
    if old is None and new is not None:
        required = new.get("required") is True
        check_id = "request-body-added-required" if required else "request-body-added-optional"
        ctx.emit(operation, check_id, "", None, new)
        return
    if new is None and old is not None:
        ctx.emit(operation, "request-body-removed", "", old, None)
        return
    assert old is not None
    assert new is not None
    was, now = old.get("required") is True, new.get("required") is True
    if was != now:
        check_id = "request-body-became-required" if now else "request-body-became-optional"
        ctx.emit(operation, check_id, "", old, new)
    _compare_content(ctx, operation, old, new, "request", "request body")


def _compare_content(
    ctx: Context, operation: str, old: Node, new: Node, direction: Direction, title: str
) -> None:
    checks = _REQUEST_CHECKS if direction == "request" else _RESPONSE_CHECKS
    before, after = old.mapping("content"), new.mapping("content")
    by_essence_before = {_essence(m): m for m in sorted(before)}
    by_essence_after = {_essence(m): m for m in sorted(after)}
    for essence in sorted(set(by_essence_before) | set(by_essence_after)):
        old_media, new_media = by_essence_before.get(essence), by_essence_after.get(essence)
        if new_media is None and old_media is not None:
            node = ctx.base.child(old, "content", old_media)
            ctx.emit(operation, checks["removed"], f"{old_media} ({title})", node, None)
            continue
        if old_media is None and new_media is not None:
            node = ctx.revision.child(new, "content", new_media)
            ctx.emit(operation, checks["added"], f"{new_media} ({title})", None, node)
            continue
        assert old_media is not None
        assert new_media is not None
        old_node = ctx.base.child(old, "content", old_media)
        new_node = ctx.revision.child(new, "content", new_media)
        if old_media != new_media and direction == "response":
            detail = f"{old_media} → {new_media} ({title})"
            ctx.emit(operation, "response-media-type-name-changed", detail, old_node, new_node)
        old_schema, new_schema = old_node.get("schema"), new_node.get("schema")
        context = f"{title} ({new_media})"
        if old_schema is None and new_schema is not None:
            ctx.emit(operation, checks["schema-added"], context, None, new_node)
        elif new_schema is None and old_schema is not None:
            ctx.emit(operation, checks["schema-removed"], context, old_node, None)
        elif old_schema is not None and new_schema is not None:
            where = Where(operation, direction, context, is_json(new_media))
            SchemaDiff(ctx, where).run(
                ctx.base.child(old_node, "schema"), ctx.revision.child(new_node, "schema")
            )


def _success(status: str) -> bool:
    return status.startswith("2")


def compare_responses(ctx: Context, operation: str, old_op: Node, new_op: Node) -> None:
    before = {str(s).upper(): str(s) for s in old_op.mapping("responses")}
    after = {str(s).upper(): str(s) for s in new_op.mapping("responses")}
    for status in sorted(set(before) | set(after)):
        kind = "success" if _success(status) else "non-success"
        if status not in after:
            node = ctx.base.child(old_op, "responses", before[status])
            ctx.emit(operation, f"response-{kind}-status-removed", status, node, None)
            continue
        if status not in before:
            node = ctx.revision.child(new_op, "responses", after[status])
            ctx.emit(operation, f"response-{kind}-status-added", status, None, node)
            continue
        old = ctx.base.follow(ctx.base.child(old_op, "responses", before[status]))
        new = ctx.revision.follow(ctx.revision.child(new_op, "responses", after[status]))
        _compare_content(ctx, operation, old, new, "response", f"response {status}")
        _compare_headers(ctx, operation, old, new, status)


def _compare_headers(ctx: Context, operation: str, old: Node, new: Node, status: str) -> None:
    before = {name.lower(): name for name in old.mapping("headers")}
    after = {name.lower(): name for name in new.mapping("headers")}
    for name in sorted(set(before) | set(after)):
        if name == "content-type":
            continue
        if name not in after:
            node = ctx.base.follow(ctx.base.child(old, "headers", before[name]))
            required = node.get("required") is True
            check_id = (
                "required-response-header-removed"
                if required
                else "optional-response-header-removed"
            )
            ctx.emit(operation, check_id, f"`{before[name]}` (response {status})", node, None)
            continue
        if name not in before:
            node = ctx.revision.follow(ctx.revision.child(new, "headers", after[name]))
            ctx.emit(
                operation,
                "response-header-added",
                f"`{after[name]}` (response {status})",
                None,
                node,
            )
            continue
        old_header = ctx.base.follow(ctx.base.child(old, "headers", before[name]))
        new_header = ctx.revision.follow(ctx.revision.child(new, "headers", after[name]))
        detail = f"`{after[name]}` (response {status})"
        if old_header.get("required") is True and new_header.get("required") is not True:
            ctx.emit(operation, "response-header-became-optional", detail, old_header, new_header)
        if isinstance(old_header.get("schema"), dict) and isinstance(
            new_header.get("schema"), dict
        ):
            b = ctx.base.schema(ctx.base.child(old_header, "schema"))
            r = ctx.revision.schema(ctx.revision.child(new_header, "schema"))
            if response_breaking(b, r, False):
                text = f"{detail}: {type_text(b)} → {type_text(r)}"
                ctx.emit(operation, "response-header-type-changed", text, b.node, r.node)
            if r.nullable and not b.nullable:
                ctx.emit(operation, "response-header-became-nullable", detail, b.node, r.node)
