"""The MCP tools a generated backend serves with `mcp: true`, derived from its routes: one
tool per route of each resource served over MCP, named like the route's handler, calling the
same service method. The MCP template and the design document both read this table."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi_architect.spec.model import Action, ResolvedSpec, Resource
from fastapi_architect.spec.routes import RESOURCE_OPERATIONS, Route, api_resources, routes


@dataclass(frozen=True)
class Hints:
    """MCP tool annotations, from the verb."""

    read_only: bool
    destructive: bool
    idempotent: bool


# Per operation: the argument the tool takes besides the row id (the list parameters, the
# Create or Update schema), and its annotations. An update overwrites values and a delete
# removes a row (destructive); each can be repeated with no further effect (idempotent).
READ = Hints(read_only=True, destructive=False, idempotent=True)
OPERATIONS: dict[str, tuple[str | None, Hints]] = {
    "list": ("query", READ),
    "list_deleted": ("query", READ),
    "get": (None, READ),
    "create": ("data", Hints(read_only=False, destructive=False, idempotent=False)),
    "update": ("changes", Hints(read_only=False, destructive=True, idempotent=True)),
    "delete": (None, Hints(read_only=False, destructive=True, idempotent=True)),
    "restore": (None, Hints(read_only=False, destructive=False, idempotent=True)),
}


@dataclass(frozen=True)
class Tool:
    name: str  # the route's handler name: list_tasks, get_task, create_task, ...
    resource: str
    operation: str
    route: Route  # the REST route doing the same
    description: str
    # The access rules a caller must pass for the tool to be listed to them.
    actions: tuple[Action, ...]
    hints: Hints
    takes_id: bool  # a row id argument, `id`
    argument: str | None  # the other argument's name: query, data or changes
    input_schema: str | None  # its schema: the list parameters, Create or Update
    output_schema: str | None  # the structured result: the Public schema or a list page

    @property
    def arguments(self) -> tuple[str, ...]:
        return (("id",) if self.takes_id else ()) + ((self.argument,) if self.argument else ())


def mcp_tools(spec: ResolvedSpec) -> tuple[Tool, ...]:
    """Every tool of the backend's MCP endpoint, resource by resource, in route order."""
    if not spec.mcp:
        return ()
    served = {resource.name: resource for resource in api_resources(spec) if resource.mcp}
    return tuple(
        _tool(served[route.resource], route)
        for route in routes(spec)
        if route.resource in served and route.operation in OPERATIONS
    )


def _tool(resource: Resource, route: Route) -> Tool:
    argument, hints = OPERATIONS[route.operation]
    what = resource.description or f"{resource.name} records."
    if route.operation in ("list", "list_deleted"):
        schema, output = f"{resource.name}ListParams", f"ListResponse[{resource.name}Public]"
    elif route.operation == "delete":
        schema, output = None, None
    else:
        schema, output = route.request, f"{resource.name}Public"
    return Tool(
        name=route.handler,
        resource=resource.name,
        operation=route.operation,
        route=route,
        description=f"{route.summary}. {resource.name}: {what}",
        actions=RESOURCE_OPERATIONS[route.operation][0],
        hints=hints,
        takes_id="{" in route.router_path,
        argument=argument,
        input_schema=schema,
        output_schema=output,
    )


def offered(spec: ResolvedSpec, tool: Tool, role: str | None) -> bool:
    """Whether a signed-in account of `role` (None: an anonymous caller) is offered `tool`:
    every rule it needs admits everyone, or every signed-in account, owners (of their own
    rows) or the role."""
    resource = spec.resource(tool.resource)
    admitted = {"public"} if role is None else {"public", "authenticated", "owner", role}
    return all(admitted & set(resource.access.for_action(action)) for action in tool.actions)
