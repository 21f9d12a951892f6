"""Loading and checking specs: text or file in, a resolved spec or located problems out."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from fastapi_architect.spec.document import SpecDocument
from fastapi_architect.spec.model import ResolvedSpec
from fastapi_architect.spec.problems import Location, Problem, did_you_mean
from fastapi_architect.spec.resolve import resolve
from fastapi_architect.spec.source import (
    DocPath,
    DocumentError,
    SourceMap,
    parse_document,
    read_spec_text,
)


class CheckResult(BaseModel):
    """The outcome of checking a spec: the resolved spec, or every problem found."""

    model_config = ConfigDict(frozen=True)

    file: str
    spec: ResolvedSpec | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return self.spec is not None and not self.problems


class SpecError(Exception):
    """A spec has problems; `problems` lists them all."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__("\n".join(problem.render() for problem in problems))


def check_text(text: str, file: str = "<spec>") -> CheckResult:
    """Check spec text (YAML, or JSON when `file` ends in .json). Never raises on bad input."""
    return check_text_located(text, file)[0]


def check_text_located(text: str, file: str = "<spec>") -> tuple[CheckResult, SourceMap]:
    """`check_text`, and where each key and value of the text is (empty when unparsable)."""
    try:
        data, source = parse_document(text, file)
    except DocumentError as exc:
        return CheckResult(file=file, spec=None, problems=(exc.problem,)), SourceMap(file)
    if data is None:
        problem = Problem.at(
            Location(file, 1, 1),
            "empty",
            "the spec is empty",
            "start with: project: {name: my-api} and resources: {...}",
        )
        return CheckResult(file=file, spec=None, problems=(problem,)), source
    try:
        document = SpecDocument.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(error, source) for error in exc.errors(include_url=False)]
        return CheckResult(file=file, spec=None, problems=_ordered(problems)), source
    spec, problems = resolve(document, source)
    return CheckResult(file=file, spec=spec, problems=_ordered(problems)), source


def check_file(path: str | Path) -> CheckResult:
    """Check a spec file. Raises OSError when the file cannot be read at all."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a spec file")
    try:
        text = read_spec_text(path)
    except DocumentError as exc:
        return CheckResult(file=str(path), spec=None, problems=(exc.problem,))
    return check_text(text, str(path))


def load_spec(path: str | Path) -> ResolvedSpec:
    """Load and resolve a spec file; SpecError lists every problem when it is not valid."""
    result = check_file(path)
    if result.spec is None or result.problems:
        raise SpecError(result.problems)
    return result.spec


def _ordered(problems: list[Problem]) -> tuple[Problem, ...]:
    unique = dict.fromkeys(problems)
    return tuple(sorted(unique, key=lambda p: (p.location.line, p.location.column, p.message)))


# ---------------------------------------------------------------- validation errors

_EXPECTED = {
    "string_type": "text",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _problem(error: ErrorDetails, source: SourceMap) -> Problem:
    path: DocPath = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    subject = _subject(path)
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(path[:-1])
        hint = did_you_mean(key, allowed) if allowed else None
        if hint is None and allowed:
            hint = "allowed keys: " + ", ".join(sorted(allowed))
        return Problem.at(
            source.key(path), "unknown-key", f"unknown key {key!r} in {_where(path[:-1])}", hint
        )
    if kind == "missing":
        description = _description(path)
        return Problem.at(
            source.value(path[:-1]),
            "missing-key",
            f"missing required key {path[-1]!r} in {_where(path[:-1])}",
            f"add {path[-1]}: {description}" if description else None,
        )
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        shown = _show(value)
        hint = did_you_mean(str(value), choices) if isinstance(value, str) else None
        if isinstance(value, bool) and any(
            choice in {"yes", "no", "on", "off"} for choice in choices
        ):
            hint = "quote the value: YAML reads yes/no/on/off as true/false"
        return Problem.at(
            source.value(path),
            "bad-value",
            f"{subject} is {shown}; expected one of " + ", ".join(repr(c) for c in choices),
            hint,
        )
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        hint = None
        if kind == "string_type" and isinstance(value, bool):
            hint = "quote it: YAML reads yes/no/on/off/true/false unquoted as booleans"
        elif kind == "string_type" and isinstance(value, (int, float)):
            hint = "quote the value to make it text"
        elif kind in {"dict_type", "model_type"} and value is None:
            hint = "give it a value, or remove the key"
        return Problem.at(
            source.value(path),
            "bad-type",
            f"{subject} must be {expected}, not {_kind_of(value)} {_show(value)}".rstrip(),
            hint,
        )
    message = error["msg"]
    message = message.removeprefix("Value error, ")
    message = message[0].lower() + message[1:] if message else message
    return Problem.at(source.value(path), "bad-value", f"{subject}: {message}", None)


def _show(value: object) -> str:
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "(true)" if value else "(false)"
    if isinstance(value, (dict, list)):
        return ""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind_of(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int():
            return "an integer"
        case float():
            return "a number"
        case str():
            return "text"
        case list():
            return "a list"
        case dict():
            return "a mapping"
        case _:
            return type(value).__name__


def _where(path: DocPath) -> str:
    """A readable name for the place at `path`: "field Task.title", "'auth.roles'"."""
    match path:
        case ():
            return "the spec"
        case ("resources", str(name)):
            return f"resource {name}"
        case ("resources", str(name), "fields", str(field)):
            return f"field {name}.{field}"
        case ("resources", str(name), "relations", str(relation)):
            return f"relation {name}.{relation}"
        case ("resources", str(name), "fields" | "relations" as kind, str(member), *rest):
            owner = _where(("resources", name, kind, member))
            return f"{_dotted(rest)!r} of {owner}"
        case ("resources", str(name), *rest):
            return f"{_dotted(rest)!r} of resource {name}"
        case _:
            return repr(_dotted(path))


def _dotted(path: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in path if isinstance(part, str))


def _subject(path: DocPath) -> str:
    if not path:
        return "the spec"
    last = path[-1]
    if isinstance(last, int):
        return f"item {last + 1} of {_where(path[:-1])}"
    return _where(path)


def _model_at(path: DocPath) -> type[BaseModel] | None:
    """The document model class that describes the mapping at `path`."""
    current: Any = SpecDocument
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is dict and args:
            current = args[1]
        elif origin is list and args:
            current = args[0]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in {typing.Union, types.UnionType}:
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation


def _allowed_keys(path: DocPath) -> list[str]:
    model = _model_at(path)
    return list(model.model_fields) if model else []


def _description(path: DocPath) -> str | None:
    model = _model_at(path[:-1])
    if model is None or not isinstance(path[-1], str):
        return None
    info = model.model_fields.get(path[-1])
    return info.description if info else None
