"""The architecture document of a spec: the sections under `sections/`, assembled."""

from __future__ import annotations

from fastapi_architect.design.contracts import contracts
from fastapi_architect.design.mermaid import er_diagram
from fastapi_architect.design.model import Design, Question, ToolArgument, ToolDesign
from fastapi_architect.design.sections.adrs import adrs
from fastapi_architect.design.sections.ai import ai_design
from fastapi_architect.design.sections.migration import migration
from fastapi_architect.design.sections.overview import resource_summary, stack, summary
from fastapi_architect.design.sections.risks import risks
from fastapi_architect.design.sections.security import access, security
from fastapi_architect.design.sections.services import (
    layers,
    platform_services,
    request_flow,
    service,
)
from fastapi_architect.design.sections.tables import table_design
from fastapi_architect.design.sections.testing import (
    count_tests,
    generated_test_files,
    testing_levels,
)
from fastapi_architect.spec.model import ResolvedSpec
from fastapi_architect.spec.routes import api_resources
from fastapi_architect.spec.tools import Tool, mcp_tools

__all__ = ["count_tests", "design_from_spec", "table_design"]


def design_from_spec(spec: ResolvedSpec, origin: str = "architect.yaml") -> Design:
    """The whole architecture document of `spec` (`origin` names the spec file)."""
    found = contracts(spec)
    tables = tuple(table_design(table) for table in spec.tables)
    test_files, unknown = generated_test_files(spec)
    return Design(
        source="spec",
        origin=origin,
        title=spec.project.title,
        summary=summary(spec, len(found.endpoints)),
        stack=stack(spec),
        resources=tuple(resource_summary(spec, r) for r in spec.resources),
        schemas=found.schemas,
        endpoints=found.endpoints,
        tables=tables,
        er_diagram=er_diagram(tables),
        layers=layers(spec),
        services=tuple(service(spec, r) for r in api_resources(spec)) + platform_services(spec),
        request_flow=request_flow(spec),
        security=security(spec),
        access=access(spec),
        migration=migration(spec),
        test_levels=testing_levels(spec),
        test_files=test_files,
        risks=risks(spec),
        open_questions=tuple(
            Question(location=str(q.location), subject=q.subject, decision=q.decision)
            for q in spec.open_questions
        ),
        adrs=adrs(spec),
        unknown=unknown,
        tools=tuple(tool_design(spec, tool) for tool in mcp_tools(spec)),
        ai=ai_design(spec, found.schemas),
    )


def tool_design(spec: ResolvedSpec, tool: Tool) -> ToolDesign:
    """What the design says of one MCP tool: its REST twin, arguments, result and hints."""
    id_type = "uuid" if spec.api.ids == "uuid" else "integer"
    arguments = (
        [ToolArgument(name="id", schema_name=id_type, required=True)] if tool.takes_id else []
    )
    if tool.argument is not None and tool.input_schema is not None:
        listing = tool.argument == "query"
        arguments.append(
            ToolArgument(name=tool.argument, schema_name=tool.input_schema, required=not listing)
        )
    return ToolDesign(
        name=tool.name,
        description=tool.description,
        endpoint=f"{tool.route.method} {tool.route.path}",
        access=", ".join(tool.route.access) or "nobody",
        arguments=tuple(arguments),
        result=tool.output_schema,
        read_only=tool.hints.read_only,
        destructive=tool.hints.destructive,
        idempotent=tool.hints.idempotent,
    )
