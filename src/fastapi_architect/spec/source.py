"""Reading a spec file into plain data while remembering where every key and value was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fastapi_architect.spec.problems import Location, Problem

DocPath = tuple[str | int, ...]

MAX_SPEC_BYTES = 5_000_000
# Aliases let a tiny document expand into a huge one; a real spec is a few hundred nodes.
MAX_NODES = 200_000


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a document starts, by document path."""

    file: str
    values: dict[DocPath, Location] = field(default_factory=dict)
    keys: dict[DocPath, Location] = field(default_factory=dict)

    def value(self, path: DocPath) -> Location:
        """The location of the value at `path`, or of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return Location(self.file, 1, 1)

    def key(self, path: DocPath) -> Location:
        """The location of the key that introduces `path` (its value's location otherwise)."""
        return self.keys.get(path) or self.value(path)


class DocumentError(Exception):
    """The text is not a readable YAML or JSON document."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def read_spec_text(path: Path) -> str:
    """Read a spec file as text; OSError for missing or unreadable files, DocumentError for
    content that is not UTF-8 or far too large."""
    data = path.read_bytes()
    if len(data) > MAX_SPEC_BYTES:
        raise DocumentError(
            Problem.at(
                Location(str(path), 1, 1),
                "too-large",
                f"the spec is {len(data):,} bytes; specs are limited to {MAX_SPEC_BYTES:,}",
                "a spec describes resources, not data: split out anything that is not one",
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DocumentError(
            Problem.at(
                Location(str(path), line, column),
                "not-utf8",
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                "save the spec as UTF-8",
            )
        ) from None


def parse_document(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML (or JSON, which is read as YAML for locations) into plain data."""
    if file.endswith(".json"):
        return _parse_json(text, file)
    return _parse_yaml(text, file)


def _parse_json(text: str, file: str) -> tuple[Any, SourceMap]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise DocumentError(
                    Problem.at(
                        Location(file, 1, 1),
                        "duplicate-key",
                        f"duplicate key {key!r}",
                        "remove one of the two entries",
                    )
                )
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise DocumentError(
            Problem.at(
                Location(file, exc.lineno, exc.colno),
                "syntax",
                f"JSON syntax error: {exc.msg}",
                "check brackets, commas and quotes near this position",
            )
        ) from None
    except RecursionError:
        raise DocumentError(
            Problem.at(Location(file, 1, 1), "syntax", "JSON nesting is too deep", None)
        ) from None
    # Locations come from reading the same text as YAML; JSON the YAML reader cannot place
    # (tabs, for instance) keeps its data and falls back to coarser locations.
    try:
        _, source = _parse_yaml(text, file)
    except DocumentError:
        source = SourceMap(file)
    return data, source


# libyaml's parser when PyYAML was built with it: the same nodes and marks, far faster.
_FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    if _FAST_LOADER is not yaml.SafeLoader:
        try:
            return _parse_yaml_with(_FAST_LOADER, text, file)
        except DocumentError:
            pass  # PyYAML's own parser words what is wrong better: let it say it
    return _parse_yaml_with(yaml.SafeLoader, text, file)


def _parse_yaml_with(
    loader_class: type[yaml.SafeLoader], text: str, file: str
) -> tuple[Any, SourceMap]:
    try:
        loader = loader_class(text)
    except yaml.reader.ReaderError as exc:
        raise DocumentError(_reader_problem(exc, text, file)) from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            raise DocumentError(_yaml_problem(exc, file)) from None
        except yaml.reader.ReaderError as exc:
            raise DocumentError(_reader_problem(exc, text, file)) from None
        except yaml.YAMLError as exc:
            raise DocumentError(
                Problem.at(Location(file, 1, 1), "syntax", f"YAML error: {exc}", None)
            ) from None
        except RecursionError:
            raise DocumentError(
                Problem.at(Location(file, 1, 1), "syntax", "YAML nesting is too deep", None)
            ) from None
        source = SourceMap(file)
        if root is None:
            return None, source
        builder = _Builder(loader, source)
        try:
            return builder.build(root, ()), source
        except RecursionError:
            raise DocumentError(
                Problem.at(Location(file, 1, 1), "syntax", "YAML nesting is too deep", None)
            ) from None
    finally:
        loader.dispose()


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    position = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, int) else 0
    return Problem.at(
        Location(file, line, column),
        "syntax",
        f"the character U+{character:04X} is not allowed in YAML",
        "remove control characters from the spec",
    )


def _yaml_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
    problem = (exc.problem or "invalid YAML").strip()
    hint = None
    if exc.context:
        hint = exc.context.strip()
        if exc.context_mark and exc.context_mark is not mark:
            hint += f" (line {exc.context_mark.line + 1})"
    if "found character '\\t'" in problem:
        hint = "YAML indents with spaces, never tabs"
    return Problem.at(location, "syntax", f"YAML syntax error: {problem}", hint)


def _location(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns composed YAML nodes into plain values, recording locations on the way."""

    def __init__(self, loader: yaml.SafeLoader, source: SourceMap) -> None:
        self.loader = loader
        self.source = source
        self.visited = 0
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: DocPath) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES:
            raise DocumentError(
                Problem.at(
                    _location(self.source.file, node),
                    "too-large",
                    f"the document expands to more than {MAX_NODES:,} values (aliases?)",
                    "a spec needs far fewer values; remove the repeated aliases",
                )
            )
        self.source.values.setdefault(path, _location(self.source.file, node))
        if id(node) in self.active:
            raise DocumentError(
                Problem.at(
                    _location(self.source.file, node),
                    "syntax",
                    "recursive YAML alias: a value contains itself",
                    "replace the alias with a copy of the value",
                )
            )
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if node.tag not in {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}:
            raise DocumentError(
                Problem.at(
                    _location(self.source.file, node),
                    "syntax",
                    f"unsupported YAML tag {node.tag!r}",
                    "specs are plain data: remove the tag",
                )
            )
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
        finally:
            self.active.discard(id(node))
        return None

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as exc:
            raise DocumentError(_yaml_problem(exc, self.source.file)) from None
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            raise DocumentError(
                Problem.at(
                    _location(self.source.file, node),
                    "syntax",
                    f"cannot read the value {node.value!r}: {exc}",
                    "quote the value to keep it as text",
                )
            ) from None

    def _entries(self, node: yaml.MappingNode) -> Iterator[tuple[yaml.Node, yaml.Node]]:
        """Mapping entries with YAML merge keys (`<<: *base`) expanded; explicit keys win."""
        explicit = [
            (key, value) for key, value in node.value if key.tag != "tag:yaml.org,2002:merge"
        ]
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag != "tag:yaml.org,2002:merge":
                continue
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise DocumentError(
                        Problem.at(
                            _location(self.source.file, source),
                            "syntax",
                            "a merge key (<<) must refer to a mapping",
                            None,
                        )
                    )
                merged.extend(source.value)
        names = {key.value for key, _ in explicit if isinstance(key, yaml.ScalarNode)}
        seen_merged: set[str] = set()
        for key, value in merged:
            if isinstance(key, yaml.ScalarNode) and key.value not in names | seen_merged:
                seen_merged.add(key.value)
                yield key, value
        yield from explicit

    def _mapping(self, node: yaml.MappingNode, path: DocPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        first_seen: dict[str, Location] = {}
        for key_node, value_node in self._entries(node):
            if not isinstance(key_node, yaml.ScalarNode):
                raise DocumentError(
                    Problem.at(
                        _location(self.source.file, key_node),
                        "bad-key",
                        "mapping keys must be plain names, not lists or mappings",
                        None,
                    )
                )
            # The key's own text: `on:` or `yes:` stay names instead of turning into booleans.
            key = str(key_node.value)
            key_location = _location(self.source.file, key_node)
            if key in first_seen:
                earlier = first_seen[key]
                raise DocumentError(
                    Problem.at(
                        key_location,
                        "duplicate-key",
                        f"duplicate key {key!r} (first defined at line {earlier.line})",
                        "remove one of the two entries",
                    )
                )
            first_seen[key] = key_location
            self.source.keys.setdefault((*path, key), key_location)
            result[key] = self.build(value_node, (*path, key))
        return result
