"""Comparing the properties of two object schemas: which were added or removed, which became
required or optional, read-only or write-only, deprecated; then each common one in depth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi_architect.apidiff.nodes import MISSING, Node, Schema

if TYPE_CHECKING:
    from fastapi_architect.apidiff.schemas import SchemaDiff


def compare_properties(diff: SchemaDiff, b: Schema, r: Schema, path: str) -> None:
    for name in sorted(set(b.properties) | set(r.properties)):
        inner = f"{path}/{name}" if path else name  # relative to the pair being judged
        old, new = b.properties.get(name), r.properties.get(name)
        if new is None and old is not None:
            _removed(diff, old, name in b.required, inner)
        elif old is None and new is not None:
            _added(diff, new, name in r.required, inner)
        elif old is not None and new is not None:
            _flags(diff, old, new, (name in b.required, name in r.required), inner)
            diff.compare(old, new, inner)


def _removed(diff: SchemaDiff, node: Node, required: bool, path: str) -> None:
    schema = diff.ctx.base.schema(node)
    direction = diff.where.direction
    if direction == "request" and not schema.read_only:
        diff.report("request-property-removed", path, "", node, None)
    elif direction == "response":
        kind = "required" if required else "optional"
        write_only = "write-only-" if schema.write_only else ""
        diff.report(f"response-{kind}-{write_only}property-removed", path, "", node, None)


def _added(diff: SchemaDiff, node: Node, required: bool, path: str) -> None:
    schema = diff.ctx.revision.schema(node)
    direction = diff.where.direction
    if direction == "request" and not schema.read_only:
        if not required:
            check_id = "new-optional-request-property"
        elif schema.default is MISSING:
            check_id = "new-required-request-property"
        else:
            check_id = "new-required-request-property-with-default"
        diff.report(check_id, path, "", None, node)
    elif direction == "response":
        kind = "required" if required else "optional"
        write_only = "write-only-" if schema.write_only else ""
        diff.report(f"response-{kind}-{write_only}property-added", path, "", None, node)


def _flags(diff: SchemaDiff, old: Node, new: Node, required: tuple[bool, bool], path: str) -> None:
    b, r = diff.ctx.base.schema(old), diff.ctx.revision.schema(new)
    direction = diff.where.direction
    if direction == "parameter":
        return
    was, now = required
    if direction == "request":
        if was != now and not r.read_only:
            if now:
                with_default = "-with-default" if r.default is not MISSING else ""
                check_id = f"request-property-became-required{with_default}"
            else:
                check_id = "request-property-became-optional"
            diff.report(check_id, path, "", old, new)
    elif was != now:
        write_only = "write-only-" if r.write_only else ""
        change = "required" if now else "optional"
        diff.report(f"response-{write_only}property-became-{change}", path, "", old, new)
    kind = "required" if now else "optional"
    for flag, before, after in (
        ("read-only", b.read_only, r.read_only),
        ("write-only", b.write_only, r.write_only),
    ):
        if before != after:
            became = flag if after else f"not-{flag}"
            diff.report(f"{direction}-{kind}-property-became-{became}", path, "", old, new)
    if b.deprecated != r.deprecated:
        change = "deprecated" if r.deprecated else "reactivated"
        diff.report(f"{direction}-property-{change}", path, "", old, new)
