"""What a spec change does to the generated backend's API: the OpenAPI document the backend
would serve is derived from each spec, and api-diff compares the two.

The document is built from facts that already exist: the endpoint table (`spec.routes`) for
methods, paths, handlers, statuses and auth; the API contracts of the design document for
parameters, errors and the fields of every schema; and the field types (`spec.types`) for
the JSON Schema of each declared field, with the bounds its generated input schema checks.
It holds what api-diff compares (operations, parameters, request bodies, responses and
their schemas, security requirements), not titles, descriptions or examples; enums are
inlined where FastAPI refers to a component of their own."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from typing import Any

from fastapi_architect.apidiff.compare import diff
from fastapi_architect.apidiff.load import Document, collector_paused
from fastapi_architect.apidiff.model import Change
from fastapi_architect.design.contracts import contracts
from fastapi_architect.design.model import EndpointDesign, FieldDesign, ParameterDesign
from fastapi_architect.spec.model import ResolvedField, ResolvedSpec
from fastapi_architect.spec.routes import Route, routes
from fastapi_architect.spec.types import FIELD_TYPES

Schema = dict[str, Any]
# The field type a design label names ("uuid", "datetime", "string (email)", ...).
_BY_LABEL = {entry.label: entry for entry in reversed(FIELD_TYPES.values())}
_GENERIC = re.compile(r"(\w+)\[(\w+)\]")  # `ItemResponse[TaskPublic]`
_JSON_MEDIA = "application/json"


def api_changes(old: ResolvedSpec, new: ResolvedSpec) -> tuple[Change, ...]:
    """Every change to an operation of the generated API between the two specs, as api-diff
    reports it between the documents the two backends serve. Changes to the document as a
    whole (a component schema removed) are left out."""
    with collector_paused():  # as in api-diff: many objects are made, and no cycles
        base, revision = _without_same_operations(_Served(old), _Served(new))
    report = diff(Document(base, "old"), Document(revision, "new"))
    # Locations would point into text that was never written; the pointers stay.
    return tuple(
        dataclasses.replace(change, base_location="", revision_location="")
        for change in report.changes
        if change.operation
    )


def served_openapi(spec: ResolvedSpec) -> dict[str, Any]:
    """The OpenAPI 3.1 document the backend generated from `spec` serves, as far as api-diff
    compares it."""
    return _Served(spec).document


def _without_same_operations(old: _Served, new: _Served) -> tuple[dict[str, Any], dict[str, Any]]:
    """The documents without the operations that are the same in both, down to every schema
    they reach: api-diff would find nothing there, and comparing them takes most of its time."""
    old_paths, new_paths = dict(old.document["paths"]), dict(new.document["paths"])
    for path in old_paths.keys() & new_paths.keys():
        before, after = dict(old_paths[path]), dict(new_paths[path])
        for method in before.keys() & after.keys():
            reached = old.reach[path, method]
            if before[method] == after[method] and all(
                old.components[key] == new.components.get(key) for key in reached
            ):
                del before[method], after[method]
        old_paths[path], new_paths[path] = before, after
    return old.document | {"paths": old_paths}, new.document | {"paths": new_paths}


class _Served:
    """The document served for one spec, and the component schemas each operation reaches."""

    def __init__(self, spec: ResolvedSpec) -> None:
        built = contracts(spec)
        self.schemas = {schema.name: schema for schema in built.schemas}
        self.routes = {(route.method, route.path): route for route in routes(spec)}
        # The declared fields of each resource, by name.
        self.declared = {
            r.name: {f.name: f for f in r.fields if not f.implicit} for r in spec.resources
        }
        # The security scheme FastAPI names after the class the generated `deps.py` uses.
        self.scheme = "OAuth2PasswordBearer" if spec.auth.mode == "builtin" else "HTTPBearer"
        self.components: dict[str, Schema] = {}
        # What each component and operation reaches: component names, its own included.
        self.reach: dict[str | tuple[str, str], set[str]] = {}
        self.reaching: list[set[str]] = []  # of what is being built, innermost last
        paths: dict[str, dict[str, Any]] = {}
        for endpoint in built.endpoints:
            method = endpoint.method.lower()
            self.reaching.append(set())
            paths.setdefault(endpoint.path, {})[method] = self.operation(endpoint)
            self.reach[endpoint.path, method] = self.reaching.pop()
        self.document: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {"title": spec.project.title, "version": spec.project.version},
            "paths": paths,
            "components": {"schemas": dict(sorted(self.components.items()))},
        }

    def operation(self, endpoint: EndpointDesign) -> dict[str, Any]:
        route = self.routes[endpoint.method, endpoint.path]
        # The resource template writes the router's tag dashed (`order-items`).
        tag = route.group.replace("_", "-")
        operation: dict[str, Any] = {"tags": [tag], "operationId": _operation_id(route)}
        if route.auth != "none":
            operation["security"] = [{self.scheme: []}]
        if endpoint.parameters:
            operation["parameters"] = [self.parameter(p) for p in endpoint.parameters]
        if route.request is not None:
            media = self.schemas[route.request].media_type
            schema = self.ref(route.request, request=True)
            operation["requestBody"] = {"required": True, "content": {media: {"schema": schema}}}
        responses = {str(route.success_status): self.response(route.response)}
        for error in endpoint.errors:
            responses[str(error.status)] = self.response(error.body)
        operation["responses"] = responses
        return operation

    def response(self, name: str | None) -> dict[str, Any]:
        if name is None:
            return {"description": "No content"}
        content = {_JSON_MEDIA: {"schema": self.ref(name, request=False)}}
        return {"description": name, "content": content}

    def parameter(self, item: ParameterDesign) -> dict[str, Any]:
        schema = self.label(item.type, item.constraints, None, request=True)
        default = _json_value(item.default, schema)
        if default is not None:
            schema["default"] = default
        elif not item.required:  # `X | None = None`
            schema = {"anyOf": [schema, {"type": "null"}]}
        return {"name": item.name, "in": item.location, "required": item.required, "schema": schema}

    def ref(self, name: str, *, request: bool) -> Schema:
        """A reference to the object schema the contracts call `name`, defined once in the
        components under FastAPI's name for it."""
        key = _component_key(name)
        if key not in self.reach:
            self.reach[key] = {key}  # while it is built
            self.reaching.append({key})
            self.components[key] = self.schema(name, request=request)
            self.reach[key] = self.reaching.pop()
        self.reaching[-1] |= self.reach[key]
        return {"$ref": f"#/components/schemas/{key}"}

    def schema(self, name: str, *, request: bool) -> Schema:
        """`ItemResponse[TaskPublic]` is `ItemResponse[T]` with T standing for `TaskPublic`."""
        argument = None
        generic = _GENERIC.fullmatch(name)
        if generic is not None:
            name, argument = f"{generic[1]}[T]", generic[2]
        design = self.schemas[name]
        declared = self.fields_of(name)
        properties = {
            item.name: self.field(item, declared.get(item.name), argument, request=request)
            for item in design.fields
        }
        required = [item.name for item in design.fields if item.required]
        schema: Schema = {"type": "object", "properties": properties, "required": required}
        if request and design.media_type == _JSON_MEDIA:  # JSON bodies refuse unknown fields
            schema["additionalProperties"] = False
        return schema

    def fields_of(self, schema: str) -> dict[str, ResolvedField]:
        """The declared fields of the resource a schema is of, by name: the resource whose
        name starts the schema's (`TaskCreate`, `UserRegister`), the longest when several do."""
        owners = [
            n for n in self.declared if schema.startswith(n) and schema[len(n) :][:1].isupper()
        ]
        return self.declared[max(owners, key=len)] if owners else {}

    def field(
        self,
        item: FieldDesign,
        source: ResolvedField | None,
        argument: str | None,
        *,
        request: bool,
    ) -> Schema:
        """A property: from its spec field when it has one (of the type it is said to have),
        else from its design label."""
        if source is not None and FIELD_TYPES[source.type].label == item.type:
            schema = FIELD_TYPES[source.type].json_schema(source)
            if request and schema.get("format") == "decimal":
                # Pydantic reads a Decimal from a JSON number or string, and writes a string.
                schema = {"anyOf": [{"type": "number"}, {"type": "string"}]}
            if request:
                schema |= _checked_bounds(source)
        else:
            schema = self.label(item.type, item.constraints, argument, request=request)
        if item.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        default = _json_value(item.default, schema)
        if default is not None:
            schema["default"] = default
        return schema

    def label(
        self, label: str, constraints: tuple[str, ...], argument: str | None, *, request: bool
    ) -> Schema:
        """The schema a design type label names: a field type, `list of X`, `X or Y`,
        another schema, or `T` (the argument of a generic schema)."""
        if label == "T" and argument is not None:
            return self.ref(argument, request=request)
        if label.startswith("list of "):
            items = self.label(label.removeprefix("list of "), (), argument, request=request)
            return {"type": "array", "items": items}
        if " or " in label:
            branches = label.split(" or ")
            return {"anyOf": [self.label(b, (), argument, request=request) for b in branches]}
        if label in self.schemas:
            return self.ref(label, request=request)
        entry = _BY_LABEL.get(label)
        schema: Schema = {}
        if entry is not None and entry.json_type is not None:
            schema["type"] = entry.json_type
        if entry is not None and entry.json_format is not None:
            schema["format"] = entry.json_format
        for text in constraints:  # what the contracts say of a value, in words
            if text.startswith("one of "):
                schema["enum"] = text.removeprefix("one of ").split(", ")
                schema.setdefault("type", "string")
            elif text.startswith((">= ", "<= ")):
                schema["minimum" if text[0] == ">" else "maximum"] = json.loads(text[3:])
        return schema


def _checked_bounds(item: ResolvedField) -> Schema:
    """What the generated input schema checks of a value besides its type, as JSON Schema."""
    checks = FIELD_TYPES[item.type].checks(item)
    keywords = {
        "minLength": checks.min_length or None,
        "maxLength": checks.max_length,
        "pattern": checks.pattern,
        "minimum": checks.low,
        "maximum": checks.high,
    }
    return {key: value for key, value in keywords.items() if value is not None}


def _json_value(text: str | None, schema: Schema) -> Any:
    """A default the contracts give as JSON text (a string parameter's as the bare text);
    None when there is none, or when it is not a value (`now`, `a new uuid`)."""
    if text is None or (schema.get("type") == "string" and not text.startswith('"')):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


@functools.cache
def _component_key(name: str) -> str:
    """The name FastAPI gives a model's schema in the components."""
    return re.sub(r"[^\w.\-]", "_", name)


def _operation_id(route: Route) -> str:
    """FastAPI's operationId: the handler's name and path, and the method."""
    return re.sub(r"\W", "_", route.handler + route.path) + "_" + route.method.lower()
