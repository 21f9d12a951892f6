"""The design as files: one Markdown document plus one file per ADR, or one JSON file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from pydantic import JsonValue

from fastapi_architect.design.model import (
    Adr,
    AiActionDesign,
    AiDesign,
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
    # Without an MCP endpoint or AI actions the document says nothing of them.
    exclude = {
        name for name, empty in (("tools", not design.tools), ("ai", design.ai is None)) if empty
    }
    return design.model_dump_json(indent=2, exclude=exclude or None) + "\n"


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
    if design.ai is not None:
        out += _ai(design.ai)
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


def _price(value: float | None) -> str:
    return "" if value is None else f"${value:g}"


def _usd(value: float | None) -> str:
    return "not priced" if value is None else f"${value:.6f}"


def _ai(ai: AiDesign) -> list[str]:
    out = [
        "### AI actions",
        "",
        "Each action runs on one row the caller may read, at "
        "`POST /<plural>/{id}/ai/<action>`. Before any provider is called, the most the call "
        "can spend is held from the caller's daily token budget (`ai_budgets`) by one "
        "conditional UPDATE, so concurrent calls never overspend; it is settled to the tokens "
        "reported once the call ends. Answers are cached per user, action, row version and "
        f"prompt for {ai.cache_seconds} seconds (in memory, or Redis with `REDIS_URL`). Every "
        "call writes an `ai_usage` row (user, action, row, provider, model, tokens, latency, "
        "cache hit, outcome: ok, cached, invalid_output, unavailable or cancelled); "
        f"`{ai.usage_endpoint}` shows a user their own, an administrator everyone's.",
        "",
        "#### Providers and bounds",
        "",
        "Providers are tried in this order, each through the official `openai` SDK at its "
        "base URL with its own timeout and no retries; one is skipped on a timeout, a "
        "connection error, 429 or 5xx. Prices are US dollars per million tokens.",
        "",
    ]
    out += _table(
        ("#", "Provider", "Model", "Base URL", "Timeout", "Key variable", "Prompt", "Completion"),
        (
            (
                p.order,
                _code(p.name),
                _code(p.model),
                _code(p.base_url),
                f"{p.timeout_seconds:g} s",
                _code(p.api_key_env),
                _price(p.prompt_price),
                _price(p.completion_price),
            )
            for p in ai.providers
        ),
    )
    out += [
        f"- Daily tokens per user: {ai.daily_tokens_per_user:,} (prompt and completion, "
        "renewed at midnight UTC)",
        f"- Cache: {ai.cache_seconds} seconds" + (" (off)" if ai.cache_seconds == 0 else ""),
        f"- Longest prompt input: {ai.max_input_chars:,} characters of row values, shared "
        "equally by an action's placeholders",
        f"- Default max output tokens: {ai.max_output_tokens:,}",
        "",
        f"Costs: {ai.basis}",
        "",
    ]
    for action in ai.actions:
        out += _ai_action(action, ai.daily_tokens_per_user)
    return out


def _ai_action(action: AiActionDesign, daily: int) -> list[str]:
    out = [f"#### `{action.name}`", ""]
    if action.description:
        out += [action.description, ""]
    if action.streamed:
        output = (
            'streamed text as Server-Sent Events: `token` events (`{"text": ...}`), then '
            '`done` (`{"cache_hit": ...}`), or an `error` event (the error envelope) midway; '
            "the provider's stream is closed when the client disconnects"
        )
    else:
        output = (
            f'`{{"data": {action.result}}}`, validated against the fields below; asked '
            "again once when invalid"
        )
    placeholders = ", ".join(f"`{{{name}}}`" for name in action.placeholders) or "none"
    out += [
        f"- Route: `{action.endpoint}`; access: {action.access} (the read access of "
        f"{action.resource})",
        f"- System prompt: the guard sentence, then: {action.instructions or '(none)'}",
        f"- Reads: {placeholders}; each value at most {action.value_chars:,} characters",
        f"- Delimiting: {action.delimiting}",
        f"- Output: {output}",
        f"- Max output tokens: {action.max_output_tokens:,}",
        f"- Budget hold: {action.budget_hold:,} tokens at most (prompt at its cap, "
        f"{action.prompt_chars:,} characters); {daily // action.budget_hold:,} such holds "
        "fit in a user's daily tokens at once",
        "",
    ]
    if action.fields:
        out += _table(
            ("Field", "Type", "Required", "Constraints", "Meaning"),
            (
                (
                    _code(f.name),
                    f.type,
                    _yes(f.required),
                    _constraints(f.constraints),
                    f.description,
                )
                for f in action.fields
            ),
        )
    out += _table(
        ("Provider", "Model", "Prompt tokens", "Completion tokens", "Attempts", "Cost per call"),
        (
            (
                _code(c.provider),
                _code(c.model),
                f"{c.prompt_tokens:,}",
                f"{c.completion_tokens:,}",
                c.attempts,
                _usd(c.usd),
            )
            for c in action.costs
        ),
    )
    out += _table(
        ("Status", "`error.code`", "When"),
        (
            (
                "`error` event" if f.status is None else f.status,
                _code(f.code),
                f.when,
            )
            for f in action.failures
        ),
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
