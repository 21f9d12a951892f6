"""Walking one side of a comparison: nodes with their addresses, `$ref`s followed, and schemas
reduced to one flat view (allOf merged, nullability in its 3.0 and 3.1 spellings unified)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi_architect.apidiff.load import Document, join
from fastapi_architect.apidiff.positions import unescape

MISSING: Any = object()
_REF_ANNOTATIONS = frozenset({"$ref", "description", "summary", "title", "$comment"})
# Keywords that constrain nothing: a schema of only these accepts every value.
ANNOTATIONS = frozenset(
    {"title", "description", "example", "examples", "default", "externalDocs", "$comment"}
    | {"deprecated", "readOnly", "writeOnly"}
)


@dataclass(slots=True, unsafe_hash=True)
class Node:
    """A value in one of a side's files. `anchor` is the pointer, in the document itself,
    that a change on this node is reported at (the `$ref` that led into another file).
    Never changed once made (not frozen only because a frozen one is slower to make, and
    hundreds of thousands are made)."""

    file: str
    pointer: str
    value: Any = field(compare=False, hash=False, repr=False)
    anchor: str = field(compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.file, self.pointer)

    def get(self, name: str) -> Any:
        return self.value.get(name) if isinstance(self.value, dict) else None

    def mapping(self, name: str) -> dict[str, Any]:
        found = self.get(name)
        return found if isinstance(found, dict) else {}


# Values whose JSON text is equal exactly when they are (of the same one of these types).
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def same_value(a: Any, b: Any) -> bool:
    """Equality that tells 1, 1.0 and true apart the way JSON does not confuse them."""
    kind = type(a)
    if kind is type(b):
        if kind in _PLAIN_TYPES:
            return bool(a == b)
        if kind is float:
            return repr(a) == repr(b)  # as JSON writes them: -0.0 is not 0.0, NaN is NaN
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def show(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else value


@dataclass(slots=True)
class Schema:
    """One schema, flattened: what the comparisons need, with `$ref`s and allOf resolved."""

    node: Node
    name: str | None = None  # the component it was reached through
    title: str | None = None
    types: frozenset[str] | None = None  # None: any type; "null" is kept in `nullable`
    listed: bool = False  # the types come from a oneOf/anyOf list of single types
    nullable: bool = False
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    extensible: tuple[Any, ...] | None = None  # x-extensible-enum
    const: Any = MISSING
    default: Any = MISSING
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    min_length: int = 0
    max_length: int | None = None
    min_items: int = 0
    max_items: int | None = None
    unique_items: bool = False
    pattern: str | None = None
    properties: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: Node | bool | None = None  # None: not given (anything allowed)
    items: Node | None = None
    one_of: tuple[Node, ...] | None = None
    any_of: tuple[Node, ...] | None = None
    all_of: tuple[Node, ...] = ()  # as written here (the members are merged into this view)
    discriminator: dict[str, Any] | None = None
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False

    @property
    def only_null(self) -> bool:
        return self.types == frozenset() and self.nullable

    @property
    def single(self) -> bool:
        """Of exactly one type and not composed, like the branches of the list-of-types
        pattern `anyOf: [{type: string}, {type: integer}]`."""
        if self.types is None or self.listed or self.properties or self.all_of:
            return False
        if self.one_of is not None or self.any_of is not None:
            return False
        return len(self.types) + self.nullable == 1


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Side:
    """One document of the pair, read through its nodes."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.schemas: dict[tuple[str, str], Schema] = {}  # by the node a schema is at
        self.by_node: dict[tuple[str, str], Schema] = {}  # by a node that leads to one
        self.active: set[tuple[str, str]] = set()

    @property
    def root(self) -> Node:
        return Node("", "", self.document.data, "")

    def child(self, node: Node, *tokens: str | int) -> Node:
        value = node.value
        for token in tokens:
            if isinstance(value, dict):
                value = value.get(str(token))
            elif isinstance(value, list) and isinstance(token, int) and token < len(value):
                value = value[token]
            else:
                value = None
        pointer = join(node.pointer, *tokens)
        if node.file != "":
            anchor = node.anchor
        elif node.anchor == node.pointer:
            anchor = pointer  # the same address, spelt once
        else:
            anchor = join(node.anchor, *tokens)
        return Node(node.file, pointer, value, anchor)

    def at(self, file: str, pointer: str, anchor: str) -> Node:
        value = self.document.file(file).data
        for token in pointer.split("/")[1:] if pointer else []:
            name = unescape(token)
            if isinstance(value, dict):
                value = value.get(name)
            elif isinstance(value, list) and name.isdigit() and int(name) < len(value):
                value = value[int(name)]
            else:
                value = None
        return Node(file, pointer, value, pointer if file == "" else anchor)

    def follow(self, node: Node) -> Node:
        """The node a chain of `$ref`s ends at (the load step rejected loops and dangling
        references; the bound guards documents built without it)."""
        for _ in range(64):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return node
            path, _, fragment = ref.partition("#")
            file = node.file
            if path:
                directory = self.document.file(node.file).directory
                file = (directory or Path()).joinpath(unquote(path)).resolve().as_posix()
            node = self.at(file, unquote(fragment), node.anchor)
        return node

    def locate(self, node: Node) -> str:
        source = self.document.file(node.file)
        return source.locate(node.pointer) or source.nearest(node.pointer)

    # ---- schemas ------------------------------------------------------------------------

    def schema(self, node: Node) -> Schema:
        """The flattened schema at `node` (following its `$ref`s)."""
        known = self.by_node.get(node.key)
        if known is not None:
            return known
        found = self._schema(node)
        if self.schemas.get(found.node.key) is found:  # not a stand-in for one being built
            self.by_node[node.key] = found
        return found

    def _schema(self, node: Node) -> Schema:
        # A reference with sibling keywords (3.1) is a schema of its own: both apply.
        siblings = isinstance(node.value, dict) and not set(node.value) <= _REF_ANNOTATIONS
        target = node if siblings else self.follow(node)
        cached = self.schemas.get(target.key)
        if cached is not None:
            return cached
        if target.key in self.active:  # allOf that contains itself: nothing more to add
            return Schema(target)
        self.active.add(target.key)
        try:
            result = self._build(target)
        finally:
            self.active.discard(target.key)
        ref = node.get("$ref")
        if isinstance(ref, str) and "/" in ref:
            result.name = unescape(ref.rsplit("/", 1)[1])
        self.schemas[target.key] = result
        return result

    def _build(self, node: Node) -> Schema:
        raw = node.value if isinstance(node.value, dict) else {}
        own = self._own(node, raw)
        members: list[Schema] = []
        if isinstance(raw.get("$ref"), str):
            only_ref = Node(node.file, node.pointer + "/$ref", {"$ref": raw["$ref"]}, node.anchor)
            members.append(self.schema(only_ref))
        all_of = raw.get("allOf")
        if isinstance(all_of, list):
            own.all_of = tuple(self.child(node, "allOf", i) for i in range(len(all_of)))
            members += [self.schema(member) for member in own.all_of]
        for keyword in ("oneOf", "anyOf"):
            branches = raw.get(keyword)
            if not isinstance(branches, list) or not branches:
                continue
            nodes = [self.child(node, keyword, i) for i in range(len(branches))]
            flat = [self.schema(n) for n in nodes]
            kept = [(n, s) for n, s in zip(nodes, flat, strict=True) if not s.only_null]
            if len(kept) < len(nodes):
                own.nullable = True
            if all(s.single for s in flat):  # the list-of-types pattern (null included)
                types = frozenset().union(*(s.types or frozenset() for s in flat))
                own.types = types if own.types is None else own.types & types or types
                own.listed = True
            if len(kept) == 1:
                members.append(kept[0][1])
            elif not own.listed:
                nodes_kept = tuple(n for n, _ in kept)
                if keyword == "oneOf":
                    own.one_of = nodes_kept
                else:
                    own.any_of = nodes_kept
        for member in members:
            _merge(own, member, nullable_given="nullable" in raw, many=len(members) > 1)
        if own.types is None:
            if own.properties or isinstance(own.additional, Node):
                own.types = frozenset({"object"})
            elif own.items is not None:
                own.types = frozenset({"array"})
        return own

    def _own(self, node: Node, raw: dict[str, Any]) -> Schema:
        """The schema's own keywords (each key once: the order they are written in does not
        matter)."""
        schema = Schema(node)
        for keyword, value in raw.items():
            match keyword:
                case "type":
                    names = [value] if isinstance(value, str) else value
                    if isinstance(names, list):
                        schema.types = frozenset(str(t) for t in names if t != "null")
                        schema.nullable = schema.nullable or "null" in names
                case "nullable":
                    schema.nullable = schema.nullable or value is True
                case "title":
                    schema.title = value if isinstance(value, str) else None
                case "format":
                    schema.format = value if isinstance(value, str) else None
                case "enum":
                    if isinstance(value, list):
                        schema.nullable = schema.nullable or None in value
                        schema.enum = tuple(v for v in value if v is not None)
                case "x-extensible-enum":
                    if isinstance(value, list):
                        schema.extensible = tuple(value)
                case "const":
                    schema.const = value
                case "default":
                    schema.default = value
                case "minimum":
                    schema.minimum = _number(value)
                case "maximum":
                    schema.maximum = _number(value)
                # 3.0 writes `exclusiveMaximum: true` as a flag on `maximum`: the bound stays
                # `maximum` (as oasdiff reads it); 3.1 makes it a bound of its own.
                case "exclusiveMinimum":
                    if _number(value) is not None:
                        schema.exclusive_minimum = _number(value)
                case "exclusiveMaximum":
                    if _number(value) is not None:
                        schema.exclusive_maximum = _number(value)
                case "minLength":
                    schema.min_length = _count(value) or 0
                case "maxLength":
                    schema.max_length = _count(value)
                case "minItems":
                    schema.min_items = _count(value) or 0
                case "maxItems":
                    schema.max_items = _count(value)
                case "uniqueItems":
                    schema.unique_items = value is True
                case "pattern":
                    schema.pattern = value if isinstance(value, str) else None
                case "properties":
                    if isinstance(value, dict):
                        schema.properties = {
                            str(name): self.child(node, "properties", name) for name in value
                        }
                case "required":
                    if isinstance(value, list):
                        schema.required = frozenset(str(name) for name in value)
                case "additionalProperties":
                    if isinstance(value, bool):
                        schema.additional = value
                    elif isinstance(value, dict):
                        schema.additional = self.child(node, "additionalProperties")
                case "items":
                    if isinstance(value, dict):
                        schema.items = self.child(node, "items")
                case "discriminator":
                    schema.discriminator = value if isinstance(value, dict) else None
                case "readOnly":
                    schema.read_only = value is True
                case "writeOnly":
                    schema.write_only = value is True
                case "deprecated":
                    schema.deprecated = value is True
        return schema


def _tighter(a: float | None, b: float | None, pick: Any) -> float | None:
    if a is None:
        return b
    return a if b is None else pick(a, b)


def _merge(own: Schema, member: Schema, *, nullable_given: bool, many: bool) -> None:
    """Fold one allOf member (or the single non-null oneOf/anyOf branch) into `own`."""
    if own.types is None:
        own.types, own.listed = member.types, member.listed
    elif member.types is not None:
        both = own.types & member.types
        if not both and "number" in own.types | member.types:
            both = (own.types | member.types) & {"integer"}
        own.types = frozenset(both) or own.types
    if not nullable_given and not own.nullable:
        own.nullable = member.nullable and not many
    if own.name is None and not many:
        own.name = member.name
    own.title = own.title or member.title
    own.format = own.format or member.format
    if member.enum is not None:
        own.enum = (
            member.enum
            if own.enum is None
            else tuple(v for v in own.enum if any(same_value(v, w) for w in member.enum))
        )
    own.extensible = own.extensible or member.extensible
    own.const = member.const if own.const is MISSING else own.const
    own.default = member.default if own.default is MISSING else own.default
    own.minimum = _tighter(own.minimum, member.minimum, max)
    own.maximum = _tighter(own.maximum, member.maximum, min)
    own.exclusive_minimum = _tighter(own.exclusive_minimum, member.exclusive_minimum, max)
    own.exclusive_maximum = _tighter(own.exclusive_maximum, member.exclusive_maximum, min)
    own.min_length = max(own.min_length, member.min_length)
    own.max_length = _tighter_int(own.max_length, member.max_length)
    own.min_items = max(own.min_items, member.min_items)
    own.max_items = _tighter_int(own.max_items, member.max_items)
    own.unique_items = own.unique_items or member.unique_items
    own.pattern = own.pattern or member.pattern
    for name, prop in member.properties.items():
        own.properties.setdefault(name, prop)
    own.required = own.required | member.required
    if own.additional is None:
        own.additional = member.additional
    own.items = own.items or member.items
    own.one_of = own.one_of or member.one_of
    own.any_of = own.any_of or member.any_of
    own.discriminator = own.discriminator or member.discriminator
    own.read_only = own.read_only or member.read_only
    own.write_only = own.write_only or member.write_only
    own.deprecated = own.deprecated or member.deprecated


def _tighter_int(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else min(a, b)
