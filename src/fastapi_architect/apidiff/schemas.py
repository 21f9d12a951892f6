"""Comparing two schemas in one direction. What a request carries breaks clients when it is
narrowed; what a response carries breaks them when it is widened; a parameter is a request
value that travels as text."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi_architect.apidiff.checks import CHECKS
from fastapi_architect.apidiff.context import Context
from fastapi_architect.apidiff.members import members, pair
from fastapi_architect.apidiff.nodes import MISSING, Node, Schema, same_value, show
from fastapi_architect.apidiff.properties import compare_properties
from fastapi_architect.apidiff.walk import Finding, Local, join, walk

Direction = Literal["request", "response", "parameter"]

# Bounds (attribute, check stem, whether it is an upper bound), and counts whose absence
# means 0.
_BOUNDS = (
    ("maximum", "max", True),
    ("exclusive_maximum", "exclusive-max", True),
    ("max_length", "max-length", True),
    ("max_items", "max-items", True),
    ("minimum", "min", False),
    ("exclusive_minimum", "exclusive-min", False),
)
_COUNTS = (("min_length", "min-length"), ("min_items", "min-items"))
# Format changes that only widen (from -> to), per type.
_WIDER_FORMATS = {
    "number": {("float", "double")},
    "integer": {("int32", "int64"), ("int32", "bigint"), ("int64", "bigint")},
    "string": {("date", "date-time"), ("time", "date-time")},
}


@dataclass(frozen=True)
class Where:
    """Where the schemas being compared sit."""

    operation: str
    direction: Direction
    context: str  # "request body (application/json)", "query parameter `limit`", ...
    strong: bool  # values are typed on the wire (JSON); text formats are not
    required: bool = False  # a required parameter


def _covered(sub: frozenset[str], sup: frozenset[str]) -> bool:
    """Every value of a type in `sub` is a value of some type in `sup`."""
    return bool(sub) and all(t in sup or (t == "integer" and "number" in sup) for t in sub)


def _format_widened(types: frozenset[str] | None, old: str | None, new: str | None) -> bool:
    """A format change from `old` to `new` accepts every value it accepted before."""
    if new is None:
        return True
    if types is None or len(types) != 1:
        return False
    return (old, new) in _WIDER_FORMATS.get(next(iter(types)), set())


def request_breaking(b: Schema, r: Schema, strong: bool) -> bool:
    breaking = False
    if b.types != r.types and r.types is not None:
        if b.types is None:
            breaking = strong or r.types != {"string"}
        elif not _covered(b.types, r.types):
            breaking = strong or not r.types - b.types <= {"string"}
    return breaking or (b.format != r.format and not _format_widened(r.types, b.format, r.format))


def response_breaking(b: Schema, r: Schema, strong: bool) -> bool:
    breaking = False
    if b.types != r.types and b.types is not None:
        if r.types is None:
            breaking = True
        elif not _covered(r.types, b.types):
            breaking = strong or not b.types - r.types <= {"string"}
    return breaking or (b.format != r.format and not _format_widened(b.types, r.format, b.format))


def type_text(schema: Schema) -> str:
    names = sorted(schema.types) if schema.types is not None else ["any"]
    text = ", ".join(names) or "null"
    return f"{text}/{schema.format}" if schema.format else text


class SchemaDiff:
    """Reports every difference between two schemas that a client can notice.

    Each pair of schemas is judged once (per direction) and remembered, and a walk visits
    each pair once, nearest first: a recursive or shared schema costs no more than once,
    and its changes are reported at the shortest way to them."""

    def __init__(self, ctx: Context, where: Where) -> None:
        self.ctx = ctx
        self.where = where
        self.root = True
        self.local = Local()
        self.kind = (where.direction, where.strong, where.required)

    # ---- judging one pair -----------------------------------------------------------------

    def nested(self, path: str) -> bool:
        """Whether `path` (below the pair being judged) is inside the body or parameter."""
        return bool(path) or not self.root

    def ident(self, stem: str, path: str, *, fallback: bool = False) -> str | None:
        """The check id for `stem` at this place: the body's own or a property's."""
        direction, nested = self.where.direction, self.nested(path)
        if direction == "parameter":
            names = [f"request-parameter-{stem}"]
            if nested:
                names = [f"request-parameter-property-{stem}", *(names if fallback else [])]
        else:
            names = [f"{direction}-{'property' if nested else 'body'}-{stem}"]
            if fallback and not nested:
                names.append(f"{direction}-property-{stem}")
        return next((name for name in names if name in CHECKS), None)

    def report(
        self, check_id: str | None, path: str, detail: str, b: Node | None, r: Node | None
    ) -> None:
        if check_id is not None:
            self.local.findings.append(Finding(check_id, path, detail, b, r))

    def emit(
        self, stem: str, path: str, detail: str, b: Schema, r: Schema, *, fallback: bool = False
    ) -> None:
        self.report(self.ident(stem, path, fallback=fallback), path, detail, b.node, r.node)

    def compare(self, base: Node, revision: Node, path: str) -> None:
        """Compare the pair below this one at `path` (in the walk)."""
        b, r = self.ctx.base.schema(base), self.ctx.revision.schema(revision)
        self.local.links.append((path, b, r, self.key(b, r, False)))

    def key(self, b: Schema, r: Schema, root: bool) -> Hashable:
        return (b.node.key, r.node.key, root, self.kind)

    def judge(self, b: Schema, r: Schema, root: bool) -> Local:
        """What the pair shows on its own (remembered for the whole comparison)."""
        key = self.key(b, r, root)
        cached = self.ctx.judged.get(key)
        if isinstance(cached, Local):
            return cached
        self.root, self.local = root, Local()
        self._compare(b, r, "")
        self.ctx.judged[key] = self.local
        return self.local

    def run(self, base: Node, revision: Node) -> None:
        """Compare two schemas and everything in them; report to the context."""

        def report(path: str, finding: Finding) -> None:
            full = join(path, finding.path)
            subject = f"`{full}` in the {self.where.context}" if full else ""
            text = (subject or f"the {self.where.context}") + (
                f" ({finding.detail})" if finding.detail else ""
            )
            operation = self.where.operation
            self.ctx.emit(operation, finding.check_id, text, finding.base, finding.revision)

        b, r = self.ctx.base.schema(base), self.ctx.revision.schema(revision)
        walk(self, self.ctx.reach, b, r, report)

    def _compare(self, b: Schema, r: Schema, path: str) -> None:
        direction = self.where.direction
        # A read-only property is not sent in requests; a write-only one is not returned.
        read_only = direction == "request" and self.nested(path) and r.read_only
        write_only = direction == "response" and self.nested(path) and r.write_only
        if not self._types(b, r, path, read_only):
            self._nullable(b, r, path)
        self._enum(b, r, path, read_only, write_only)
        if not write_only:
            self._bounds(b, r, path, read_only)
        self._pattern(b, r, path)
        self._const(b, r, path)
        self._default(b, r, path)
        self._discriminator(b, r, path)
        compare_properties(self, b, r, path)
        if b.items is not None and r.items is not None:
            self.compare(b.items, r.items, join(path, "items"))
        self._additional(b, r, path, read_only)
        self._all_of(b, r, path)
        self._variants(b, r, path)

    def _types(self, b: Schema, r: Schema, path: str, read_only: bool) -> bool:
        """Report a type change; True when that covered null too (a list of types)."""
        direction = self.where.direction
        detail = f"{type_text(b)} → {type_text(r)}"
        if (b.listed or r.listed) and b.types is not None and r.types is not None:
            old = b.types | ({"null"} if b.nullable else set())
            new = r.types | ({"null"} if r.nullable else set())
            # An integer is a number: a list that trades one for the other may lose nothing.
            lost = not _covered(frozenset(old), frozenset(new))
            gained = not _covered(frozenset(new), frozenset(old))
            if (lost or gained) and not read_only:
                # The null in a list of types is the change, so the detail names it.
                detail = f"{', '.join(sorted(old))} → {', '.join(sorted(new))}"
                if direction == "response":
                    stem = "list-of-types-widened" if gained else "list-of-types-narrowed"
                else:
                    stem = "list-of-types-narrowed" if lost else "list-of-types-widened"
                self.emit(stem, path, detail, b, r)
            if lost or gained or b.format == r.format:
                return True
            # The same list of types with another format (`str | None` to `EmailStr | None`):
            # judged as the format change of a single type is.
        if (b.types == r.types and b.format == r.format) or read_only:
            return False
        concrete = bool(b.types) and bool(r.types) and b.types != r.types
        old_types, new_types = b.types or frozenset(), r.types or frozenset()
        if direction == "response":
            if response_breaking(b, r, self.where.strong):
                widened = concrete and _covered(old_types, new_types)
                stem = "type-generalized" if widened else "type-changed"
            elif concrete and not _covered(new_types, old_types):
                stem = "type-compatible"
            else:
                stem = "type-specialized"
        elif direction == "parameter" and path:
            typed, untyped = request_breaking(b, r, True), request_breaking(b, r, False)
            stem = "type-changed" if typed != untyped else "type-specialized" if typed else ""
            stem = stem or "type-generalized"
        elif request_breaking(b, r, self.where.strong):
            stem = "type-changed"
        elif direction == "request" and concrete and not _covered(old_types, new_types):
            stem = "type-compatible"
        else:
            stem = "type-generalized"
        self.emit(stem, path, detail, b, r)
        return False

    def _nullable(self, b: Schema, r: Schema, path: str) -> None:
        if b.nullable == r.nullable or b.types is None or r.types is None:
            return
        stem = "became-nullable" if r.nullable else "became-not-nullable"
        self.emit(stem, path, "", b, r)

    def _enum(self, b: Schema, r: Schema, path: str, read_only: bool, write_only: bool) -> None:
        request = self.where.direction != "response"
        if b.enum is None and r.enum is not None:
            if request:
                self.emit("became-enum", path, ", ".join(map(show, r.enum)), b, r, fallback=True)
        elif b.enum is not None and r.enum is not None:
            for value in b.enum:
                if any(same_value(value, w) for w in r.enum):
                    continue
                if not request:
                    check_id: str | None = (
                        "response-property-enum-value-removed"
                        if self.nested(path)
                        else "response-mediatype-enum-value-removed"
                    )
                elif read_only:
                    check_id = "request-read-only-property-enum-value-removed"
                else:
                    check_id = self.ident("enum-value-removed", path, fallback=True)
                self.report(check_id, path, show(value), b.node, r.node)
            for value in r.enum:
                if any(same_value(value, w) for w in b.enum):
                    continue
                if write_only:
                    check_id = "response-write-only-property-enum-value-added"
                else:
                    check_id = self.ident("enum-value-added", path, fallback=True)
                self.report(check_id, path, show(value), b.node, r.node)
        if self.where.direction == "parameter" and b.extensible:
            for value in b.extensible:
                if not any(same_value(value, w) for w in r.extensible or ()):
                    check_id = "request-parameter-x-extensible-enum-value-removed"
                    self.report(check_id, path, show(value), b.node, r.node)

    def _bounds(self, b: Schema, r: Schema, path: str, read_only: bool) -> None:
        request = self.where.direction != "response"
        for attribute, stem, upper in _BOUNDS:
            old, new = getattr(b, attribute), getattr(r, attribute)
            if old == new:
                continue
            detail = f"{_num(old)} → {_num(new)}"
            if old is None:
                if request and not read_only:
                    self.emit(f"{stem}-set", path, _num(new), b, r, fallback=True)
                continue
            if new is None:
                if not request:
                    self.emit(f"{stem}-unset", path, detail, b, r, fallback=True)
                continue
            tighter = new < old if upper else new > old
            change = ("decreased" if new < old else "increased") if request or not tighter else ""
            if not change:
                continue
            if request and tighter and read_only:
                check_id = f"request-read-only-property-{stem}-{change}"
                self.report(check_id if check_id in CHECKS else None, path, detail, b.node, r.node)
            else:
                self.emit(f"{stem}-{change}", path, detail, b, r, fallback=True)
        for attribute, stem in _COUNTS:
            old, new = getattr(b, attribute), getattr(r, attribute)
            if old == new or (not request and new > old):
                continue
            if read_only and stem == "min-items":
                continue
            change = "increased" if new > old else "decreased"
            self.emit(f"{stem}-{change}", path, f"{old} → {new}", b, r, fallback=True)
        if request and r.unique_items and not b.unique_items and not read_only:
            self.emit("unique-items-set", path, "", b, r, fallback=True)

    def _pattern(self, b: Schema, r: Schema, path: str) -> None:
        if b.pattern == r.pattern:
            return
        if b.pattern is None:
            stem = "pattern-added"
        elif r.pattern is None:
            stem = "pattern-removed"
        elif r.pattern == ".*" and self.where.direction != "response":
            stem = "pattern-generalized"
        else:
            stem = "pattern-changed"
        detail = f"{b.pattern or 'none'} → {r.pattern or 'none'}"
        if self.where.direction == "response":
            self.report(f"response-property-{stem}", path, detail, b.node, r.node)
        else:
            self.emit(stem, path, detail, b, r, fallback=True)

    def _const(self, b: Schema, r: Schema, path: str) -> None:
        if same_value(_plain(b.const), _plain(r.const)):
            return
        stem = (
            "const-added"
            if b.const is MISSING
            else "const-removed"
            if r.const is MISSING
            else "const-changed"
        )
        self.emit(stem, path, f"{_value(b.const)} → {_value(r.const)}", b, r)

    def _default(self, b: Schema, r: Schema, path: str) -> None:
        if same_value(_plain(b.default), _plain(r.default)):
            return
        if self.where.direction == "parameter" and self.where.required:
            return  # a required parameter is always sent: its default is never used
        stem = (
            "default-value-added"
            if b.default is MISSING
            else "default-value-removed"
            if r.default is MISSING
            else "default-value-changed"
        )
        self.emit(stem, path, f"{_value(b.default)} → {_value(r.default)}", b, r)

    def _discriminator(self, b: Schema, r: Schema, path: str) -> None:
        old, new = b.discriminator, r.discriminator
        if old is None and new is None:
            return
        if old is None or new is None:
            stem = "discriminator-added" if old is None else "discriminator-removed"
            self.emit(stem, path, "", b, r)
            return
        if old.get("propertyName") != new.get("propertyName"):
            detail = f"{old.get('propertyName')} → {new.get('propertyName')}"
            self.emit("discriminator-property-name-changed", path, detail, b, r)
        before, after = _mapping(old), _mapping(new)
        for value in sorted(set(before) | set(after)):
            if value not in before:
                self.emit("discriminator-mapping-added", path, value, b, r)
            elif value not in after:
                self.emit("discriminator-mapping-deleted", path, value, b, r)
            elif before[value] != after[value]:
                self.emit("discriminator-mapping-changed", path, value, b, r)

    def _additional(self, b: Schema, r: Schema, path: str, read_only: bool) -> None:
        old, new = b.additional, r.additional
        if (old is not False) != (new is not False):
            # Closing an object clients were told was open rejects what they may send.
            closed = new is False and old is not None and not read_only
            if self.where.direction == "request" and closed:
                self.emit("additional-properties-removed", path, "", b, r)
        elif isinstance(old, Node) and isinstance(new, Node):
            self.compare(old, new, join(path, "additionalProperties"))

    def _all_of(self, b: Schema, r: Schema, path: str) -> None:
        """allOf members that come or go (what they hold is compared in the merged view)."""
        if not b.all_of and not r.all_of:
            return
        old, new = members(self.ctx.base, b.all_of), members(self.ctx.revision, r.all_of)
        _, removed, added = pair(old, new)
        for change, listed, side in (("removed", removed, 0), ("added", added, 1)):
            for member in listed:
                kind = "-annotation-only" if member.annotation_only else ""
                check_id = self.ident(f"all-of-{change}{kind}", path)
                nodes = (member.node, None) if side == 0 else (None, member.node)
                self.report(check_id, path, member.label, *nodes)

    def _variants(self, b: Schema, r: Schema, path: str) -> None:
        for keyword, stem, before, after in (
            ("oneOf", "one-of", b.one_of, r.one_of),
            ("anyOf", "any-of", b.any_of, r.any_of),
        ):
            if before is None and after is None:
                continue
            old = members(self.ctx.base, before or ())
            new = members(self.ctx.revision, after or ())
            pairs, removed, added = pair(old, new)
            for member in removed:
                check_id = self.ident(f"{stem}-removed", path)
                self.report(check_id, path, member.label, member.node, None)
            for member in added:
                check_id = self.ident(f"{stem}-added", path)
                self.report(check_id, path, member.label, None, member.node)
            for was, now in pairs:
                self.compare(was.node, now.node, join(path, f"{keyword}[{now.label}]"))


def _mapping(discriminator: dict[str, Any]) -> dict[str, str]:
    mapping = discriminator.get("mapping")
    return {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else {}


def _plain(value: Any) -> Any:
    return "\0missing" if value is MISSING else value


def _value(value: Any) -> str:
    return "none" if value is MISSING else show(value)


def _num(value: float | int | None) -> str:
    if value is None:
        return "none"
    return str(int(value)) if float(value).is_integer() else str(value)
