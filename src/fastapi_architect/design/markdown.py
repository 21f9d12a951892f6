"""The design as files: one Markdown document plus one file per ADR, or one JSON file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from pydantic import JsonValue

from fastapi_architect.design.model import (
    Adr,
    Design,
    EndpointDesign,
    ExampleRequest,
    ExampleResponse,
    FieldDesign,
    SchemaDesign,
    TableDesign,
)

DOCUMENT = "architecture.md"
JSON_DOCUMENT = "architecture.json"
ADR_DIR = "adr"

SECTIONS = (
    "Overview",
    "API contracts",
    "Database schema",
    "Service boundaries",
    "Security controls",
    "Migration plan",
    "Testing strategy",
    "Risks and mitigations",
    "Open questions",
    "Decisions",
)

# The reason phrase of each status the documents show.
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def design_files(design: Design, output: str = "markdown") -> dict[str, str]:
    """{relative path: text} of the design in `output` format (`markdown` or `json`)."""
    if output == "json":
        return {JSON_DOCUMENT: render_json(design)}
    files = {DOCUMENT: render_markdown(design)}
    for adr in design.adrs:
        files[f"{ADR_DIR}/{adr.filename}"] = render_adr(adr)
    return files


def render_json(design: Design) -> str:
    # Without an MCP endpoint the document says nothing of one.
    return design.model_dump_json(indent=2, exclude=None if design.tools else {"tools"}) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ")
    return text.replace("|", "\\|")


def _code(value: str) -> str:
    return f"`{value}`" if value else ""


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A Markdown table and the blank line that ends it."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return [*out, ""]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _constraints(items: Sequence[str]) -> str:
    return "; ".join(
        f"pattern `{item.removeprefix('pattern ')}`" if item.startswith("pattern ") else item
        for item in items
    )


def _unknown(design: Design, section: str) -> list[str]:
    reason = design.unknown_reason(section)
    return [f"_Not known from the code: {reason}_", ""] if reason else []


def _section(design: Design, number: int, title: str) -> list[str]:
    """A numbered section's heading, then why the code could not tell its content, if so."""
    return [f"## {number}. {title}", "", *_unknown(design, title.lower())]


def render_markdown(design: Design) -> str:
    out: list[str] = [f"# {design.title}: architecture", ""]
    source = "spec" if design.source == "spec" else "code under"
    out += [f"Designed from the {source} `{design.origin}`.", ""]
    out += ["## Contents", ""]
    out += [
        f"{number}. [{name}](#{number}-{name.lower().replace(' ', '-')})"
        for number, name in enumerate(SECTIONS, 1)
    ]
    out.append("")
    out += _overview(design)
    out += _contracts(design)
    out += _database(design)
    out += _services(design)
    out += _security(design)
    out += _migration(design)
    out += _testing(design)
    out += _risks(design)
    out += _questions(design)
    out += _decisions(design)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _overview(design: Design) -> list[str]:
    out = ["## 1. Overview", "", design.summary, ""]
    out += _unknown(design, "overview")
    if design.stack:
        out += ["### Stack and decisions", ""]
        out += _table(("Topic", "Choice"), ((d.topic, d.choice) for d in design.stack))
    if design.resources:
        out += ["### Resources", ""]
        out += _table(
            ("Resource", "Path", "Table", "Traits", "What it is"),
            (
                (r.name, _code(r.path), _code(r.table), ", ".join(r.traits), r.description)
                for r in design.resources
            ),
        )
    return out


# ---------------------------------------------------------------- contracts


def _errors_cell(endpoint: EndpointDesign) -> str:
    return ", ".join(str(e.status) for e in endpoint.errors)


def _contracts(design: Design) -> list[str]:
    out = _section(design, 2, "API contracts")
    if design.source == "spec":
        out += [
            'Successful responses carry `{"data": ...}` (lists add `"meta"` with the '
            'cursor); every error is `{"error": {"code", "message", "details", '
            '"request_id"}}` with the code below.',
            "",
        ]
    out += [f"{len(design.endpoints)} endpoints.", ""]
    out += _table(
        ("Method", "Path", "Auth", "Access", "Request", "Response", "Success", "Errors"),
        (
            (
                e.method,
                _code(e.path),
                e.auth or "none found",
                e.access,
                _code(e.request or ""),
                _code(e.response or ""),
                e.success_status,
                _errors_cell(e),
            )
            for e in design.endpoints
        ),
    )
    if design.source == "code":
        return out
    group = None
    for endpoint in design.endpoints:
        if endpoint.group != group:
            group = endpoint.group
            out += [f"### {group}", ""]
        out += _endpoint(endpoint)
    if design.tools:
        out += _tools(design)
    if design.schemas:
        out += ["### Schemas", ""]
        for schema in design.schemas:
            out += _schema(schema)
    return out


def _tools(design: Design) -> list[str]:
    out = [
        "### MCP tools",
        "",
        "`/mcp` (Streamable HTTP) serves these tools to AI agents. Each calls the service "
        "method of the endpoint it mirrors, never the API over HTTP, with the same bearer token, "
        "access rules, isolation and rate limit; audited changes record the channel, `mcp`. "
        "A caller is offered only the tools its access rules allow; a refused call is a tool "
        "error whose text names the tool, then the error envelope. The arguments take the "
        "schemas named (`query` "
        "takes the endpoint's query parameters); a result is the structured `data` of the "
        "endpoint's response.",
        "",
    ]
    rows = []
    for tool in design.tools:
        arguments = ", ".join(
            f"`{a.name}`: `{a.schema_name}`" + ("" if a.required else " (optional)")
            for a in tool.arguments
        )
        hints = [
            name
            for name, flag in (
                ("readOnlyHint", tool.read_only),
                ("destructiveHint", tool.destructive),
                ("idempotentHint", tool.idempotent),
            )
            if flag
        ]
        rows.append(
            (
                _code(tool.name),
                tool.description,
                arguments,
                _code(tool.result) if tool.result else "text",
                ", ".join(hints),
                _code(tool.endpoint),
                tool.access,
            )
        )
    out += _table(
        ("Tool", "Description", "Arguments", "Result", "Hints", "Endpoint", "Access"), rows
    )
    return out


def _endpoint(endpoint: EndpointDesign) -> list[str]:
    out = [f"#### `{endpoint.method} {endpoint.path}`", "", endpoint.summary + ".", ""]
    out.append(f"- Auth: {endpoint.auth}; access: {endpoint.access}")
    if endpoint.request:
        out.append(f"- Request body: `{endpoint.request}`")
    success = f"{endpoint.success_status} {REASONS.get(endpoint.success_status or 0, '')}"
    out.append(
        f"- Success: {success.strip()}" + (f", `{endpoint.response}`" if endpoint.response else "")
    )
    if endpoint.pagination:
        out.append(f"- Pagination: {endpoint.pagination}")
    out.append("")
    if endpoint.parameters:
        out += _table(
            ("Parameter", "In", "Type", "Required", "Default", "Constraints", "Meaning"),
            (
                (
                    _code(p.name),
                    p.location,
                    p.type,
                    _yes(p.required),
                    p.default,
                    _constraints(p.constraints),
                    p.description,
                )
                for p in endpoint.parameters
            ),
        )
    if endpoint.errors:
        out += _table(
            ("Status", "`error.code`", "When"),
            (
                (e.status, _code(e.code) if e.code else f"(body: {e.body})", e.when)
                for e in endpoint.errors
            ),
        )
    if endpoint.example_request is not None:
        out += ["Example:", "", "```http", *_request_lines(endpoint.example_request), "```", ""]
    if endpoint.example_response is not None:
        out += ["```http", *_response_lines(endpoint.example_response), "```", ""]
    return out


def _body_lines(body: JsonValue) -> list[str]:
    return json.dumps(body, indent=2, ensure_ascii=False).splitlines()


def _request_lines(example: ExampleRequest) -> list[str]:
    lines = [f"{example.method} {example.path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in example.headers]
    if example.form:
        lines.append("Content-Type: application/x-www-form-urlencoded")
        lines += ["", "&".join(f"{name}={value}" for name, value in example.form)]
    elif example.body is not None:
        lines.append("Content-Type: application/json")
        lines += ["", *_body_lines(example.body)]
    return lines


def _response_lines(example: ExampleResponse) -> list[str]:
    lines = [f"HTTP/1.1 {example.status} {REASONS.get(example.status, '')}".rstrip()]
    lines += [f"{name}: {value}" for name, value in example.headers]
    if example.body is not None:
        lines.append("Content-Type: application/json")
        lines += ["", *_body_lines(example.body)]
    return lines


def _field_row(item: FieldDesign) -> tuple[object, ...]:
    return (
        _code(item.name),
        item.type,
        _yes(item.required),
        _yes(item.nullable),
        _code(item.default or ""),
        _constraints(item.constraints),
        item.description,
    )


def _schema(schema: SchemaDesign) -> list[str]:
    out = [f"#### `{schema.name}`", "", schema.description, ""]
    if schema.media_type != "application/json":
        out += [f"Sent as `{schema.media_type}`.", ""]
    if schema.fields:
        out += _table(
            ("Field", "Type", "Required", "Nullable", "Default", "Constraints", "Meaning"),
            (_field_row(f) for f in schema.fields),
        )
    return out


# ---------------------------------------------------------------- database


def _keys(table: TableDesign, column: str) -> str:
    parts = []
    if column in table.primary_key:
        parts.append("PK")
    for key in table.foreign_keys:
        if key.column == column:
            parts.append(
                f"FK -> {key.ref_table}.{key.ref_column}"
                + (f" ON DELETE {key.on_delete}" if key.on_delete else "")
            )
    return ", ".join(parts)


def _database(design: Design) -> list[str]:
    out = _section(design, 3, "Database schema")
    out += [f"{len(design.tables)} tables.", ""]
    for table in design.tables:
        heading = f"### `{table.name}`"
        what = table.kind + (f", {table.resource}" if table.resource else "")
        out += [
            heading,
            "",
            f"{what}" + (f" ({table.location})" if table.location else "") + ".",
            "",
        ]
        out += _table(
            ("Column", "Type", "Null", "Default", "Keys", "Notes"),
            (
                (
                    _code(c.name),
                    c.type,
                    "?" if c.nullable is None else _yes(c.nullable),
                    c.default,
                    _keys(table, c.name),
                    "; ".join(
                        part
                        for part in (
                            "unique" if c.unique else "",
                            "indexed" if c.index else "",
                            c.comment,
                        )
                        if part
                    ),
                )
                for c in table.columns
            ),
        )
        out += [f"Primary key: ({', '.join(table.primary_key) or 'none found'}).", ""]
        if table.indexes:
            out += _table(
                ("Index", "Columns", "Unique", "Where", "Serves"),
                (
                    (
                        _code(i.name),
                        ", ".join(i.columns),
                        _yes(i.unique),
                        _code(i.where or ""),
                        i.purpose,
                    )
                    for i in table.indexes
                ),
            )
        if table.checks:
            out += _table(
                ("Check", "SQL", "Holds"),
                ((_code(c.name), _code(c.sql), c.purpose) for c in table.checks),
            )
        if table.relations:
            out += ["Relations: " + ", ".join(table.relations) + ".", ""]
    out += ["### ER diagram", "", "```mermaid", design.er_diagram.rstrip(), "```", ""]
    return out


# ---------------------------------------------------------------- the rest


def _services(design: Design) -> list[str]:
    out = _section(design, 4, "Service boundaries")
    out += _table(
        ("Layer", "Where", "Responsibility", "Imports"),
        (
            (
                layer.name,
                _code(layer.path),
                layer.responsibility
                + (f" ({layer.modules} modules)" if layer.modules is not None else ""),
                ", ".join(layer.imports),
            )
            for layer in design.layers
        ),
    )
    out += ["One request through the layers:", "", "```mermaid", design.request_flow.rstrip()]
    out += ["```", ""]
    for service in design.services:
        out += [f"### {service.resource}", ""]
        out += [
            f"- Endpoints: `{service.endpoints}`",
            f"- Service: `{service.service}`",
            f"- Repository: `{service.repository}`",
            f"- Model: {service.model}",
            "- Owns:",
        ]
        out += [f"  - {item}" for item in service.owns]
        out.append("")
    return out


def _security(design: Design) -> list[str]:
    out = _section(design, 5, "Security controls")
    if design.security:
        out += _table(("Area", "Control"), ((c.area, c.control) for c in design.security))
    if design.access:
        out += ["### Access rules", ""]
        out += _table(
            ("Resource", "Action", "Who", "Meaning"),
            (
                (a.resource, a.action, ", ".join(a.principals) or "nobody", a.meaning)
                for a in design.access
            ),
        )
    return out


def _migration(design: Design) -> list[str]:
    out = _section(design, 6, "Migration plan")
    if design.migration:
        out += [
            "The initial migration (`migrations/versions/0001_initial.py`), in order:",
            "",
        ]
        out += _table(
            ("#", "Operation", "Target", "Detail", "Safe online", "Why"),
            (
                (
                    s.order,
                    s.operation,
                    s.target,
                    s.detail,
                    "yes" if s.online_safe else "**no**",
                    s.why,
                )
                for s in design.migration
            ),
        )
        out += [
            "Later schema changes come from `fastapi-architect diff` between two specs, which "
            "flags what is not safe online: NOT NULL columns without a default, drops, renames, "
            "type changes and index builds that lock a populated table.",
            "",
        ]
    return out


def _testing(design: Design) -> list[str]:
    out = _section(design, 7, "Testing strategy")
    if design.test_levels:
        out += _table(("Level", "What is tested"), ((t.level, t.what) for t in design.test_levels))
    reason = design.unknown_reason("test counts")
    if reason:
        out += [f"_Test counts: {reason}_", ""]
    if design.test_files:
        out += [f"{design.test_total} tests in {len(design.test_files)} files.", ""]
        out += _table(
            ("File", "Subject", "Test functions", "Tests"),
            ((_code(f.path), f.subject, len(f.tests), f.total) for f in design.test_files),
        )
        for item in design.test_files:
            out += [f"<details><summary>{item.path}</summary>", ""]
            out += _table(("Test", "Cases"), ((_code(t.name), t.cases) for t in item.tests))
            out += ["</details>", ""]
    return out


def _risks(design: Design) -> list[str]:
    out = _section(design, 8, "Risks and mitigations")
    for number, risk in enumerate(design.risks, 1):
        out += [
            f"{number}. **{risk.title}** ({risk.severity}). {risk.detail}",
            f"   Mitigation: {risk.mitigation}",
        ]
    if design.risks:
        out.append("")
    return out


def _questions(design: Design) -> list[str]:
    out = _section(design, 9, "Open questions")
    if design.open_questions:
        out += ["Decisions the spec left open, and the default taken:", ""]
        out += _table(
            ("Where", "Subject", "Default taken"),
            ((_code(q.location), q.subject, q.decision) for q in design.open_questions),
        )
    elif design.source == "spec":
        out += ["None: the spec decides everything.", ""]
    return out


def _decisions(design: Design) -> list[str]:
    out = _section(design, 10, "Decisions")
    out += [f"- [ADR {a.number:04d}: {a.title}]({ADR_DIR}/{a.filename})" for a in design.adrs]
    if design.adrs:
        out.append("")
    return out


def render_adr(adr: Adr) -> str:
    out = [
        f"# ADR {adr.number:04d}: {adr.title}",
        "",
        f"Status: {adr.status}",
        "",
        "## Context",
        "",
        adr.context,
        "",
        "## Decision",
        "",
        adr.decision,
        "",
        "## Consequences",
        "",
    ]
    out += [f"- {item}" for item in adr.consequences]
    return "\n".join(out) + "\n"
