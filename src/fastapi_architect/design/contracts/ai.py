"""The contracts of the AI routes: each action on a row, and the usage report."""

from __future__ import annotations

from pydantic import JsonValue

from fastapi_architect.design.contracts.base import ContractsBase
from fastapi_architect.design.contracts.fields import example_id, last_page
from fastapi_architect.design.model import (
    ErrorDesign,
    ExampleRequest,
    ExampleResponse,
    FieldDesign,
    SchemaDesign,
)
from fastapi_architect.spec.model import AiAction, AiOutputField
from fastapi_architect.spec.routes import ai_result_schema, words
from fastapi_architect.spec.types import EXAMPLE_TIME

OUTPUT_TYPES = {"string": "string", "text": "string", "integer": "integer", "float": "number"}


class AiContracts(ContractsBase):
    def _ai(self) -> None:
        for action in self.spec.ai_actions:
            self._ai_action(action)
        self._ai_usage()

    def _ai_action(self, action: AiAction) -> None:
        resource = self.spec.resource(action.resource)
        route = self.routes["ai", f"{action.name}_{resource.singular}"]
        hidden = " or it belongs to another user" if resource.owner_scoped else ""
        when: dict[int, str | ErrorDesign] = {
            401: "no valid access token",
            403: "the caller's role may not read this resource",
            404: f"no such {words(resource.singular)}{hidden} (as for GET)",
            422: "the id is not valid",
            429: f"more than {self.spec.rate_limits.default} requests from the caller, or the "
            "caller's AI tokens for the day are spent (`Retry-After`: seconds to midnight UTC)",
            502: "the provider refused the request (400, 413 or 422)"
            + ("" if action.output is None else ", or the answer lacked the declared shape twice"),
            503: "no AI provider answered (each skipped on timeout, 429 or 5xx)",
        }
        if action.output is None:
            body: JsonValue = (
                'event: token\ndata: {"text": "The task "}\n\n'
                'event: token\ndata: {"text": "is on track."}\n\n'
                'event: done\ndata: {"cache_hit": false}\n\n'
            )
        else:
            body = {"data": {field.name: _example(field) for field in action.output}}
            self._schema(
                SchemaDesign(
                    name=ai_result_schema(action),
                    description=action.description or f"The answer of {action.name}.",
                    fields=tuple(_field(field) for field in action.output),
                )
            )
        self._endpoint(
            "ai",
            route.operation,
            when,
            ExampleRequest(
                method="POST",
                path=route.path.replace(
                    f"{{{resource.singular}_id}}", str(example_id(self.spec, 1))
                ),
                headers=self._bearer_headers("bearer"),
            ),
            ExampleResponse(status=200, body=body),
            parameters=(self._path_param(f"{resource.singular}_id", f"The {resource.singular}."),),
        )

    def _ai_usage(self) -> None:
        count = FieldDesign(name="prompt_tokens", type="integer", required=True)
        self._schema(
            SchemaDesign(
                name="AiUsagePublic",
                description="One AI call: who, which action on which row, tokens and outcome.",
                fields=(
                    self._id("id"),
                    self._id("user_id"),
                    FieldDesign(name="action", type="string", required=True),
                    FieldDesign(name="resource_id", type="string", required=True),
                    FieldDesign(name="provider", type="string", required=True, nullable=True),
                    FieldDesign(name="model", type="string", required=True, nullable=True),
                    count,
                    count.model_copy(update={"name": "completion_tokens"}),
                    count.model_copy(update={"name": "latency_ms"}),
                    FieldDesign(name="cache_hit", type="boolean", required=True),
                    FieldDesign(name="outcome", type="string", required=True),
                    self._time("created_at"),
                ),
            )
        )
        api = self.spec.api
        route = self.routes["ai", "usage"]
        self._endpoint(
            "ai",
            "usage",
            {
                401: "no valid access token",
                422: "a query parameter is not valid",
                429: self._rate_limited().when,
            },
            ExampleRequest(method="GET", path=route.path, headers=self._bearer_headers("bearer")),
            ExampleResponse(
                status=200,
                body=last_page(
                    [
                        {
                            "id": example_id(self.spec, 3),
                            "user_id": example_id(self.spec, 1),
                            "action": "Task.summarize",
                            "resource_id": str(example_id(self.spec, 2)),
                            "provider": "openai",
                            "model": "gpt-4o-mini",
                            "prompt_tokens": 180,
                            "completion_tokens": 42,
                            "latency_ms": 950,
                            "cache_hit": False,
                            "outcome": "ok",
                            "created_at": EXAMPLE_TIME,
                        }
                    ],
                    api.default_page_size,
                ),
            ),
            parameters=self._page_params(),
            pagination=(
                f"cursor (keyset), newest first: `limit` 1-{api.max_page_size} "
                f"(default {api.default_page_size}); a user's own calls, an administrator's "
                "everyone's"
            ),
        )


def _field(field: AiOutputField) -> FieldDesign:
    constraints: list[str] = []
    if field.min_length is not None:
        constraints.append(f"min length {field.min_length}")
    if field.max_length is not None:
        constraints.append(f"max length {field.max_length}")
    if field.min is not None:
        constraints.append(f">= {field.min}")
    if field.max is not None:
        constraints.append(f"<= {field.max}")
    if field.values:
        constraints.append("one of " + ", ".join(field.values))
    return FieldDesign(
        name=field.name,
        type="enum" if field.values else OUTPUT_TYPES.get(field.type, field.type),
        required=field.required,
        nullable=not field.required,
        constraints=tuple(constraints),
        description=field.description,
    )


def _example(field: AiOutputField) -> JsonValue:
    if field.values:
        return field.values[0]
    if field.type == "boolean":
        return True
    if field.type in ("integer", "float"):
        return field.min if field.min is not None else 1
    return "Due tomorrow and blocks two other tasks."
