"""Fields and values of the API contracts: each spec field as a request or response field,
with what the generated schema checks in words, and example values."""

from __future__ import annotations

from pydantic import JsonValue

from fastapi_architect.design.model import FieldDesign
from fastapi_architect.spec.model import ResolvedField, ResolvedRelation, ResolvedSpec, Resource
from fastapi_architect.spec.names import singularize
from fastapi_architect.spec.types import FIELD_TYPES


def ids_field(relation: ResolvedRelation) -> str:
    """The request/response field holding a many-to-many relation's ids (`tag_ids`)."""
    return f"{singularize(relation.name)}_ids"


# ---------------------------------------------------------------- values


def example_id(spec: ResolvedSpec, n: int) -> str | int:
    if spec.api.ids == "integer":
        return n
    return f"{n:08x}-0000-4000-8000-{n:012x}"


def example_value(item: ResolvedField) -> JsonValue:
    """A value the field accepts, for the examples."""
    return FIELD_TYPES[item.type].example(item)


def field_constraints(item: ResolvedField) -> tuple[str, ...]:
    """What the generated schema checks, in words."""
    return FIELD_TYPES[item.type].constraint_texts(item)


def type_name(item: ResolvedField) -> str:
    return FIELD_TYPES[item.type].label


def last_page(rows: list[JsonValue], limit: int) -> dict[str, JsonValue]:
    """A list response with nothing after it."""
    return {"data": rows, "meta": {"limit": limit, "has_more": False, "next_cursor": None}}


def default_sort(resource: Resource) -> str:
    return ("-" if resource.default_sort_descending else "") + resource.default_sort


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def create_field(item: ResolvedField) -> FieldDesign:
    constraints = field_constraints(item)
    if not item.required:
        default = _json_text(item.default) if item.default is not None else "null"
        return FieldDesign(
            name=item.name,
            type=type_name(item),
            required=False,
            nullable=True,
            default=default,
            constraints=constraints,
            description=item.description,
        )
    if item.optional_on_create:
        if item.default_factory is not None:
            default = "now" if item.default_factory == "now" else "a new uuid"
        else:
            default = _json_text(item.default)
        return FieldDesign(
            name=item.name,
            type=type_name(item),
            required=False,
            nullable=item.default_factory is not None,
            default=default,
            constraints=constraints,
            description=item.description,
        )
    return FieldDesign(
        name=item.name,
        type=type_name(item),
        required=True,
        constraints=constraints,
        description=item.description,
    )


def update_field(item: ResolvedField) -> FieldDesign:
    constraints = field_constraints(item)
    if item.required:
        constraints = (*constraints, "not null")
    return FieldDesign(
        name=item.name,
        type=type_name(item),
        required=False,
        nullable=True,
        constraints=constraints,
        description=item.description,
    )


def public_field(item: ResolvedField) -> FieldDesign:
    return FieldDesign(
        name=item.name,
        type=type_name(item),
        required=True,
        nullable=not item.required,
        description=item.description,
    )
