"""What the AI templates read: each action with its resource, route, prompt parts and
structured answer's fields, as Python source pieces."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi_architect.spec.model import (
    Action,
    AiAction,
    AiOutputField,
    AiPlaceholder,
    Resource,
)
from fastapi_architect.spec.routes import Route, ai_result_schema, routes

if TYPE_CHECKING:
    from fastapi_architect.generate.context import ProjectView, RelationView, ResourceView

OUTPUT_ANNOTATIONS = {
    "string": "str",
    "text": "str",
    "integer": "int",
    "float": "float",
    "boolean": "bool",
}


@dataclass(frozen=True)
class AiActionView:
    action: AiAction
    resource: Resource
    r: ResourceView
    route: Route
    # The related rows its prompt reads (many_to_one relations), in order.
    related: list[RelationView]

    @property
    def name(self) -> str:
        """As usage rows record it: `Task.summarize`."""
        return f"{self.action.resource}.{self.action.name}"

    @property
    def handler(self) -> str:
        return self.route.handler

    @property
    def result(self) -> str:
        return ai_result_schema(self.action)

    @property
    def path(self) -> str:
        """The route's path, with the row-id convertor soft-deleted resources use."""
        convertor = ":row_id" if self.r.soft_delete else ""
        return self.route.router_path.replace("_id}", f"_id{convertor}}}")

    @property
    def parts(self) -> list[str]:
        """The user message's pieces as Python expressions: literals and delimited values."""
        count = max(len(self.action.placeholders), 1)
        out: list[str] = []
        for part in self.action.parts:
            if isinstance(part, AiPlaceholder):
                out.append(f"value({part.text!r}, {self._value(part)}, limit // {count})")
            else:
                out.append(_literal(part))
        return out

    def _value(self, part: AiPlaceholder) -> str:
        if part.relation is None:
            return f"{self.r.var}.{part.field}"
        return f"{part.relation}.{part.field} if {part.relation} is not None else None"

    @property
    def own_placeholders(self) -> list[str]:
        """The row's own fields the prompt reads."""
        found = (p.field for p in self.action.placeholders if p.relation is None)
        return list(dict.fromkeys(found))

    @property
    def text_placeholder(self) -> tuple[str, int] | None:
        """A free-text field of the row the prompt reads (name, longest value), if any."""
        for name in self.own_placeholders:
            field = self.resource.field(name)
            free = field.pattern is None and not field.read_only and (field.min_length or 0) <= 10
            if field.type in ("string", "text") and free:
                return name, field.max_length or 255
        return None

    def creator_may(self, action: Action) -> bool:
        """Whether the account that made a row (the tests' reader) may also `action` it."""
        rule = self.resource.access.for_action(action)
        owner = self.resource.owned and "owner" in rule
        return (
            owner
            or "authenticated" in rule
            or "public" in rule
            or (self.r.creator_role is not None and self.r.creator_role in rule)
        )

    @property
    def example(self) -> dict[str, object]:
        """A valid structured answer, for the tests' provider to give."""
        return {field.name: _example(field) for field in self.action.output or ()}

    @property
    def example_json(self) -> str:
        return json.dumps(self.example)

    @property
    def fields(self) -> list[str]:
        """The structured answer's field declarations."""
        return [_declaration(field) for field in self.action.output or ()]


def ai_action_views(project: ProjectView) -> list[AiActionView]:
    by_handler = {route.handler: route for route in routes(project.spec) if route.group == "ai"}
    resources = {r.name: r for r in project.resources}
    views: list[AiActionView] = []
    for action in project.spec.ai_actions:
        resource = resources[action.resource]
        relations = {relation.name: relation for relation in resource.relations}
        used = dict.fromkeys(p.relation for p in action.placeholders if p.relation is not None)
        views.append(
            AiActionView(
                action=action,
                resource=project.spec.resource(action.resource),
                r=resource,
                route=by_handler[f"{action.name}_{resource.var}"],
                related=[relations[name] for name in used],
            )
        )
    return views


def _literal(text: str) -> str:
    """A literal, split after each newline and at spaces so that lines stay short."""
    from fastapi_architect.generate.context import long_literal

    pieces = [long_literal(line) for line in text.splitlines(keepends=True)]
    return pieces[0] if len(pieces) == 1 else "(" + " ".join(pieces) + ")"


def _declaration(field: AiOutputField) -> str:
    if field.type == "enum":
        annotation = "Literal[" + ", ".join(repr(v) for v in field.values) + "]"
    else:
        annotation = OUTPUT_ANNOTATIONS[field.type]
    bounds: list[str] = []
    for key, value in (
        ("min_length", field.min_length),
        ("max_length", field.max_length),
        ("ge", field.min),
        ("le", field.max),
    ):
        if value is not None:
            bounds.append(f"{key}={value!r}")
    if field.description:
        bounds.append(f"description={field.description!r}")
    if not field.required:
        annotation += " | None"
        bounds.insert(0, "None")
    arguments = ", ".join(bounds)
    return (
        f"{field.name}: {annotation} = Field({arguments})"
        if bounds
        else (f"{field.name}: {annotation}")
    )


def _example(field: AiOutputField) -> object:
    if field.type == "enum":
        return field.values[0]
    if field.type == "boolean":
        return True
    if field.type in ("integer", "float"):
        low = field.min if field.min is not None else 0
        high = field.max if field.max is not None else low + 10
        middle = (low + high) / 2
        return int(middle) if field.type == "integer" and int(middle) >= low else middle
    text = "A reason"
    if field.max_length is not None:
        text = text[: field.max_length]
    return text.ljust(field.min_length or 0, "x")
