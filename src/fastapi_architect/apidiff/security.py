"""Comparing security: the requirements of the document and of each operation (alternatives of
schemes, each with its scopes), and the schemes and schemas the components define."""

from __future__ import annotations

from typing import Any

from fastapi_architect.apidiff.context import Context
from fastapi_architect.apidiff.nodes import Node

# One alternative of a security requirement: its schemes, each with its scopes.
Alternative = dict[str, frozenset[str]]


def _requirements(value: Any) -> dict[frozenset[str], Alternative]:
    found: dict[frozenset[str], Alternative] = {}
    for alternative in value if isinstance(value, list) else []:
        if isinstance(alternative, dict):
            scopes = {
                str(scheme): frozenset(map(str, listed if isinstance(listed, list) else []))
                for scheme, listed in alternative.items()
            }
            found[frozenset(scopes)] = scopes
    return found


def _compare(
    ctx: Context, operation: str, prefix: str, old: Any, new: Any, nodes: tuple[Node, Node]
) -> None:
    before, after = _requirements(old), _requirements(new)
    for key in sorted(set(before) | set(after), key=sorted):
        name = " and ".join(sorted(key))
        if not key:
            continue  # `{}`: the requirement that may be left out
        if key not in after:
            ctx.emit(operation, f"{prefix}-removed", name, nodes[0], None)
        elif key not in before:
            ctx.emit(operation, f"{prefix}-added", name, None, nodes[1])
        else:
            for scheme in sorted(key):
                for scope in sorted(after[key][scheme] - before[key][scheme]):
                    detail = f"`{scope}` ({scheme})"
                    ctx.emit(operation, f"{prefix}-scope-added", detail, *nodes)
                for scope in sorted(before[key][scheme] - after[key][scheme]):
                    detail = f"`{scope}` ({scheme})"
                    ctx.emit(operation, f"{prefix}-scope-removed", detail, *nodes)


def compare_global_security(ctx: Context) -> None:
    old, new = ctx.base.root, ctx.revision.root
    nodes = (ctx.base.child(old, "security"), ctx.revision.child(new, "security"))
    _compare(ctx, "", "api-global-security", old.get("security"), new.get("security"), nodes)


def compare_operation_security(ctx: Context, operation: str, old: Node, new: Node) -> None:
    """An operation's own requirements (its document's when it declares none); changes the
    document's requirements make are reported once, for the document."""
    if not isinstance(old.value, dict) or not isinstance(new.value, dict):
        return
    if "security" not in old.value and "security" not in new.value:
        return
    before = old.get("security") if "security" in old.value else ctx.base.root.get("security")
    after = new.get("security") if "security" in new.value else ctx.revision.root.get("security")
    nodes = (ctx.base.child(old, "security"), ctx.revision.child(new, "security"))
    _compare(ctx, operation, "api-security", before, after, nodes)


def compare_components(ctx: Context) -> None:
    old = ctx.base.child(ctx.base.root, "components")
    new = ctx.revision.child(ctx.revision.root, "components")
    before, after = old.mapping("schemas"), new.mapping("schemas")
    for name in sorted(set(before) - set(after)):
        node = ctx.base.child(old, "schemas", name)
        ctx.emit("", "api-schema-removed", f"`{name}`", node, None)
    before, after = old.mapping("securitySchemes"), new.mapping("securitySchemes")
    for name in sorted(set(before) | set(after)):
        if name not in after:
            node = ctx.base.child(old, "securitySchemes", name)
            ctx.emit("", "api-security-component-removed", f"`{name}`", node, None)
        elif name not in before:
            node = ctx.revision.child(new, "securitySchemes", name)
            ctx.emit("", "api-security-component-added", f"`{name}`", None, node)
        else:
            _scheme(
                ctx,
                name,
                ctx.base.follow(ctx.base.child(old, "securitySchemes", name)),
                ctx.revision.follow(ctx.revision.child(new, "securitySchemes", name)),
            )


def _scheme(ctx: Context, name: str, old: Node, new: Node) -> None:
    if old.get("type") != new.get("type"):
        detail = f"`{name}`: {old.get('type')} → {new.get('type')}"
        ctx.emit("", "api-security-component-type-changed", detail, old, new)
        return
    before, after = old.mapping("flows"), new.mapping("flows")
    for flow in sorted(set(before) & set(after)):
        old_flow, new_flow = before[flow], after[flow]
        if not isinstance(old_flow, dict) or not isinstance(new_flow, dict):
            continue
        for key, check_id in (
            ("authorizationUrl", "api-security-component-oauth-url-changed"),
            ("tokenUrl", "api-security-component-oauth-token-url-changed"),
        ):
            if old_flow.get(key) != new_flow.get(key):
                detail = f"`{name}` {flow}: {old_flow.get(key)} → {new_flow.get(key)}"
                ctx.emit("", check_id, detail, old, new)
        old_scopes = _names(old_flow.get("scopes"))
        new_scopes = _names(new_flow.get("scopes"))
        for scope in sorted(set(new_scopes) - set(old_scopes)):
            detail = f"`{scope}` (`{name}` {flow})"
            ctx.emit("", "api-security-component-oauth-scope-added", detail, old, new)
        for scope in sorted(set(old_scopes) - set(new_scopes)):
            detail = f"`{scope}` (`{name}` {flow})"
            ctx.emit("", "api-security-component-oauth-scope-removed", detail, old, new)


def _names(value: Any) -> set[str]:
    return set(map(str, value)) if isinstance(value, dict) else set()
