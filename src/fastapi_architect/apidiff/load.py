"""Reading an OpenAPI 3.0/3.1 document (YAML or JSON) into plain data, remembering where every
node was, and resolving the files its `$ref`s point to; every problem is located."""

from __future__ import annotations

import gc
import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from fastapi_architect.apidiff.positions import (
    NO_POSITIONS,
    JsonPositions,
    Position,
    Positions,
    RecordedPositions,
    unescape,
)

# Aliases let a tiny text expand into a huge document; real documents stay far below this.
MAX_NODES = 5_000_000
MAX_BYTES = 100_000_000

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Values that are data, not document structure: a `$ref` inside them is not a reference.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
# Keys whose value maps names (of properties, components, ...) to objects.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
        "paths",
        "content",
        "encoding",
        "webhooks",
    }
)


class ApiDiffInputError(Exception):
    """A document that cannot be compared; the message says where (`file:line:col: ...`)."""


def escape(token: str) -> str:
    """One JSON pointer token (RFC 6901)."""
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token


def join(pointer: str, *tokens: str | int) -> str:
    for token in tokens:
        pointer = f"{pointer}/{escape(token) if isinstance(token, str) else token}"
    return pointer


@dataclass(frozen=True)
class SourceFile:
    """One parsed file: its data, what it was read from, and where each node starts."""

    data: Any
    label: str
    directory: Path | None = None
    # By JSON pointer: the (line, column) of the node, and of the key that introduces it.
    positions: Positions = field(default=NO_POSITIONS, repr=False)

    def locate(self, pointer: str) -> str:
        position = self.positions.key(pointer) or self.positions.value(pointer)
        return f"{self.label}:{position[0]}:{position[1]}" if position else ""

    def value(self, pointer: str) -> str:
        """The location of the value at `pointer` (not of its key)."""
        position = self.positions.value(pointer)
        return f"{self.label}:{position[0]}:{position[1]}" if position else self.nearest(pointer)

    def nearest(self, pointer: str) -> str:
        """The location of the node at `pointer` or of its nearest located ancestor."""
        while True:
            found = self.locate(pointer)
            if found or not pointer:
                return found or f"{self.label}:1:1"
            pointer = pointer.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Document:
    """A parsed OpenAPI document and the files its `$ref`s reach (keyed by file)."""

    data: Any
    label: str
    root: SourceFile | None = field(default=None, repr=False, compare=False)
    files: Mapping[str, SourceFile] = field(default_factory=dict, repr=False, compare=False)

    def locate(self, pointer: str) -> str:
        """`label:line:col` of the node at a JSON pointer, or "" when it is not known."""
        return self.root.locate(pointer) if self.root is not None else ""

    def file(self, key: str) -> SourceFile:
        """The file `key` names ("" is the document itself)."""
        if key == "" and self.root is not None:
            return self.root
        found = self.files.get(key)
        return found if found is not None else SourceFile(self.data, self.label)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a document is read or compared. Both build
    hundreds of thousands of objects and no garbage cycles; each collection pass would walk
    every node of the documents held in memory, and would cost more than the work itself.
    Collection resumes afterwards (unless it was off before)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---- reading text -------------------------------------------------------------------------


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, loader: Any, label: str) -> None:
        self.loader = loader
        self.label = label
        self.values: dict[str, Position] = {}
        self.keys: dict[str, Position] = {}
        self.count = 0
        self.active: set[int] = set()

    def fail(self, node: yaml.Node, what: str) -> ApiDiffInputError:
        line, column = _position(node.start_mark)
        return ApiDiffInputError(f"{self.label}:{line}:{column}: {what}")

    def build(self, node: yaml.Node, pointer: str) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(node, f"the document expands to over {MAX_NODES:,} values (aliases?)")
        self.values.setdefault(pointer, _position(node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR_TAG:
                return node.value
            try:
                return self.loader.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                raise self.fail(node, f"cannot read the value {node.value!r}: {exc}") from None
        if node.tag not in {_MAP_TAG, _SEQ_TAG}:
            raise self.fail(node, f"unsupported YAML tag {node.tag!r}")
        if id(node) in self.active:
            raise self.fail(node, "a YAML alias contains itself")
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, join(pointer, i)) for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self.mapping(node, pointer)
        finally:
            self.active.discard(id(node))

    def entries(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """Entries with YAML merge keys (`<<: *base`) expanded; explicit keys win."""
        explicit = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
        names = {k.value for k, _ in explicit if isinstance(k, yaml.ScalarNode)}
        for key, value in node.value:
            if key.tag != _MERGE_TAG:
                continue
            for source in value.value if isinstance(value, yaml.SequenceNode) else [value]:
                if not isinstance(source, yaml.MappingNode):
                    raise self.fail(source, "a merge key (<<) must refer to a mapping")
                for merged_key, merged_value in source.value:
                    if isinstance(merged_key, yaml.ScalarNode) and merged_key.value not in names:
                        names.add(merged_key.value)
                        yield merged_key, merged_value
        yield from explicit

    def mapping(self, node: yaml.MappingNode, pointer: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in self.entries(node):
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, "mapping keys must be plain names, not lists or maps")
            # The key's own text: `200:` stays "200" and `on:` stays "on".
            key = str(key_node.value)
            if key in result:
                first = self.keys.get(join(pointer, key), (0, 0))[0]
                raise self.fail(key_node, f"duplicate key {key!r} (first at line {first})")
            self.keys.setdefault(join(pointer, key), _position(key_node.start_mark))
            result[key] = self.build(value_node, join(pointer, key))
        return result


def _yaml_error(exc: yaml.YAMLError, label: str) -> ApiDiffInputError:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, column = _position(mark) if mark else (1, 1)
        what = (exc.problem or "invalid YAML").strip()
        if exc.context:
            what = f"{what} ({exc.context.strip()})"
        return ApiDiffInputError(f"{label}:{line}:{column}: YAML syntax error: {what}")
    if isinstance(exc, yaml.reader.ReaderError):
        return ApiDiffInputError(f"{label}:1:1: not readable as text: {exc}")
    return ApiDiffInputError(f"{label}:1:1: YAML error: {exc}")


def _read_yaml(text: str, label: str) -> SourceFile:
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, label) from None
        builder = _Builder(loader, label)
        try:
            data = None if root is None else builder.build(root, "")
        except RecursionError:
            raise ApiDiffInputError(f"{label}:1:1: the document nests too deeply") from None
        return SourceFile(data, label, None, RecordedPositions(builder.values, builder.keys))
    finally:
        loader.dispose()


def _read_json(text: str, label: str) -> SourceFile:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise ApiDiffInputError(f"{label}:1:1: duplicate key {key!r}")
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise ApiDiffInputError(
            f"{label}:{exc.lineno}:{exc.colno}: JSON syntax error: {exc.msg}"
        ) from None
    except RecursionError:
        raise ApiDiffInputError(f"{label}:1:1: the document nests too deeply") from None
    return SourceFile(data, label, None, JsonPositions(text))


def _read_text(text: str, label: str) -> SourceFile:
    text = text.removeprefix("\ufeff")
    if label.endswith(".json"):
        return _read_json(text, label)
    if text.lstrip().startswith(("{", "[")):  # JSON, or YAML in flow style
        try:
            return _read_json(text, label)
        except ApiDiffInputError as not_json:
            try:
                return _read_yaml(text, label)
            except ApiDiffInputError:
                raise not_json from None
    return _read_yaml(text, label)


def _read_file(path: Path, label: str) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ApiDiffInputError(f"{label}: cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ApiDiffInputError(f"{label}:1:1: the file is over {MAX_BYTES:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ApiDiffInputError(
            f"{label}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x})"
        ) from None


# ---- the OpenAPI frame --------------------------------------------------------------------


def _check_frame(source: SourceFile) -> None:
    data, label = source.data, source.label
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        raise ApiDiffInputError(
            f"{source.nearest('')}: an OpenAPI document is a mapping at the top, found {found}"
        )
    if "swagger" in data:
        raise ApiDiffInputError(
            f"{source.value('/swagger')}: this is a Swagger {data['swagger']} document, which "
            "is not supported; api-diff needs OpenAPI 3 (3.0 or 3.1): convert it first"
        )
    if "openapi" not in data:
        raise ApiDiffInputError(
            f"{label}:1:1: not an OpenAPI document: the `openapi` key is missing"
        )
    version = str(data["openapi"])
    if not re.fullmatch(r"3\.\d+(\.\d+)?(-[\w.]+)?", version):
        raise ApiDiffInputError(
            f"{source.value('/openapi')}: OpenAPI version {version!r} is not supported; "
            "api-diff needs OpenAPI 3 (3.0 or 3.1)"
        )
    if "paths" not in data:
        raise ApiDiffInputError(
            f"{label}:1:1: the `paths` key is missing (write `paths: {{}}` for none)"
        )
    if not isinstance(data["paths"], dict) and data["paths"] is not None:
        raise ApiDiffInputError(f"{source.nearest('/paths')}: `paths` must be a mapping")


# ---- references ---------------------------------------------------------------------------


# Where a node is, built as the walk goes and spelt as a pointer only when needed: the path
# of the node's parent and the node's own key or index; None for the document itself.
_Path = tuple[Any, str | int] | None


def _pointer(path: _Path) -> str:
    tokens: list[str | int] = []
    while path is not None:
        path, token = path
        tokens.append(token)
    return join("", *reversed(tokens))


def _walk_refs(data: Any) -> Iterator[tuple[_Path, Any]]:
    """(path of the node holding a `$ref`, the `$ref`'s value) for every reference in the
    document."""
    stack: list[tuple[Any, _Path, bool]] = [(data, None, False)]
    while stack:
        node, at, names = stack.pop()
        if isinstance(node, dict):
            if names:  # a map of names: every value is an object of its own
                stack.extend(
                    (value, (at, key), False)
                    for key, value in reversed(node.items())
                    if isinstance(value, dict | list)
                )
                continue
            if "$ref" in node:
                yield at, node["$ref"]
            stack.extend(
                (value, (at, key), key in _NAME_MAPS)
                for key, value in reversed(node.items())
                if isinstance(value, dict | list)
                and key not in _DATA_KEYS
                and not key.startswith("x-")
            )
        elif isinstance(node, list):
            stack.extend((node[i], (at, i), False) for i in reversed(range(len(node))))


class _UnresolvedError(Exception):
    """A `$ref` that cannot be followed; the message is completed with where it is written."""


class _Files:
    """The document and every file reached from it, loaded eagerly."""

    def __init__(self, root: SourceFile, base_dir: Path | None) -> None:
        self.root = root
        self.base_dir = base_dir
        self.files: dict[str, SourceFile] = {}

    def get(self, key: str) -> SourceFile:
        return self.root if key == "" else self.files[key]

    def split(self, key: str, ref: str) -> tuple[str, str]:
        """The (file key, pointer) a `$ref` written in file `key` points to."""
        target, _, fragment = ref.partition("#")
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise _UnresolvedError(
                f"`$ref: {ref}` uses a plain-name fragment; only JSON pointers "
                "(`#/components/...`) are supported"
            )
        if not target:
            return key, pointer
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", target):
            raise _UnresolvedError(f"`$ref: {ref}` points to a URL; only local files are supported")
        source = self.get(key)
        directory = source.directory if key else self.base_dir
        if directory is None:
            raise _UnresolvedError(
                f"`$ref: {ref}` points to another file, but {self.root.label} was not "
                "read from a directory its files can be found in"
            )
        path = (directory / unquote(target)).resolve()
        file_key = path.as_posix()
        if file_key not in self.files:
            self.files[file_key] = self.load(path, source.label, unquote(target), ref)
        return file_key, pointer

    def load(self, path: Path, label: str, target: str, ref: str) -> SourceFile:
        if "/" in label:
            prefix = label.rsplit("/", 1)[0] + "/"
        elif label.startswith("git:") and label.count(":") >= 2:
            prefix = label.rsplit(":", 1)[0] + ":"
        else:
            prefix = ""
        file_label = posixpath.normpath(prefix + target) if prefix else target
        if not path.is_file():
            raise _UnresolvedError(f"`$ref: {ref}` points to {file_label}: no such file")
        read = _read_text(_read_file(path, file_label), file_label)
        return SourceFile(read.data, file_label, path.parent, read.positions)

    def node(self, key: str, pointer: str, ref: str) -> Any:
        node = self.get(key).data
        for token in pointer.split("/")[1:] if pointer else []:
            name = unescape(token)
            if isinstance(node, dict) and name in node:
                node = node[name]
            elif isinstance(node, list) and name.isdigit() and int(name) < len(node):
                node = node[int(name)]
            else:
                raise _UnresolvedError(
                    f"`$ref: {ref}` does not resolve: "
                    f"{self.get(key).label} has nothing at {pointer or '/'} (no {name!r})"
                )
        return node

    def check(self) -> None:
        """Every reference resolves, and no chain of references loops without a definition."""
        pending = [""]
        done: set[str] = set()
        # A `$ref` (by the file it is written in) that reaches a definition does so wherever
        # it is written: the files its chain passes through, to visit as the first time.
        resolved: dict[tuple[str, str], list[str]] = {}
        while pending:
            key = pending.pop()
            if key in done:
                continue
            done.add(key)
            source = self.get(key)
            for path, ref in _walk_refs(source.data):
                if not isinstance(ref, str):
                    where = source.nearest(join(_pointer(path), "$ref"))
                    raise ApiDiffInputError(f"{where}: `$ref` must be a string, not {ref!r}")
                passed = resolved.get((key, ref))
                if passed is None:
                    at = join(_pointer(path), "$ref")
                    try:
                        passed = self.follow(key, at, ref)
                    except _UnresolvedError as exc:
                        raise ApiDiffInputError(f"{source.nearest(at)}: {exc}") from None
                    resolved[key, ref] = passed
                pending.extend(target for target in passed if target not in done)

    def follow(self, key: str, at: str, ref: str) -> list[str]:
        """Follow the `$ref` at `at` in file `key` to its definition: the files it passes."""
        passed: list[str] = []
        chain = [(key, at)]
        current_key, current_ref = key, ref
        while True:
            target_key, pointer = self.split(current_key, current_ref)
            passed.append(target_key)
            node = self.node(target_key, pointer, current_ref)
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return passed
            step = (target_key, join(pointer, "$ref"))
            if step in chain:
                names = " -> ".join(self.get(k).label + "#" + p for k, p in chain)
                raise _UnresolvedError(
                    f"`$ref: {ref}` never reaches a definition: the references loop ({names})"
                )
            chain.append(step)
            current_key, current_ref = target_key, node["$ref"]


def parse_document(text: str, label: str, *, base_dir: Path | None = None) -> Document:
    """Parse OpenAPI 3 text (YAML or JSON); `$ref`s to other files resolve from `base_dir`."""
    with collector_paused():
        root = _read_text(text, label)
        _check_frame(root)
        files = _Files(root, base_dir)
        files.check()
    return Document(
        root.data,
        label,
        SourceFile(root.data, label, base_dir, root.positions),
        dict(files.files),
    )


def load_document(path: Path, label: str | None = None) -> Document:
    """Read an OpenAPI 3 file; `$ref`s to other files resolve from its directory."""
    shown = label if label is not None else str(path)
    return parse_document(_read_file(path, shown), shown, base_dir=path.parent)
