"""The MCP server: the architect's tools, resources and workflow prompt, over stdio or HTTP."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.resources import FunctionResource, TextResource
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from fastapi_architect import __version__
from fastapi_architect.generate import NEW_SUFFIX
from fastapi_architect.mcp import design_tool, tools
from fastapi_architect.mcp.api_diff_tool import ApiDiffFailOn, ApiDiffResult, run_api_diff
from fastapi_architect.mcp.models import (
    CheckSpecResult,
    DesignResult,
    GenerateResult,
    ReviewResult,
    RuleDocumentation,
    SurveyResult,
)
from fastapi_architect.mcp.paths import Root, ToolUsageError
from fastapi_architect.mcp.plan_change_tool import PlanChangeResult, run_plan_change
from fastapi_architect.mcp.workflow import workflow_text
from fastapi_architect.review import all_rules, render_rule, rule_doc
from fastapi_architect.spec import spec_json_schema

M = TypeVar("M", bound=BaseModel)
logger = logging.getLogger("fastapi_architect.mcp")

URI = "fastapi-architect://"
SCHEMA_URI = f"{URI}spec/schema.json"
TEXT_LINES = 40
READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
# Tool annotations are fixed per tool, so a writing tool declares what it may do at worst.
# `generate`: with `overwrite` it replaces generated files in place (never files edited by
# hand); without it, it only creates a new project, refusing any directory that has content.
# `design`: without `output` it writes nothing, yet one call may write, so it cannot claim
# read-only; with `output` and `overwrite` it replaces the design files already there
# (architecture.md and the ADRs, never other files), and without `overwrite` it refuses them.
# Both are idempotent: the same call again gives the same files, or the same refusal.
WRITES = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)
INSTRUCTIONS = (
    "fastapi-architect checks backend specs (architect.yaml), designs the architecture "
    "document of a spec or of existing code, generates the backend a spec describes, reviews "
    "FastAPI code against a quality and security checklist, surveys what a codebase "
    "contains, and finds breaking changes between two OpenAPI documents. Paths are relative "
    "to the server root. Start with the `architect-workflow` prompt; read the spec schema at "
    f"{SCHEMA_URI} and the examples under {URI}examples/."
)


def _respond(name: str, work: Callable[[], M], text: Callable[[M], str]) -> CallToolResult:
    """Run a tool's work: its model as structured content and a text summary, or an error
    result whose text says what went wrong. Nothing escapes, so the server keeps serving."""
    try:
        result = work()
    except ToolUsageError as exc:
        return _error(str(exc))
    except Exception as exc:  # a bug must cost one call, not the server
        logger.error("%s failed: %s: %s", name, type(exc).__name__, exc)
        return _error(f"{name} failed unexpectedly: {type(exc).__name__}: {exc}")
    return CallToolResult(
        content=[TextContent(type="text", text=text(result))],
        structured_content=result.model_dump(mode="json"),
    )


def _error(message: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def _capped(head: str, lines: list[str]) -> str:
    shown = lines[:TEXT_LINES]
    more = len(lines) - len(shown)
    tail = [f"... and {more} more in the structured result"] if more else []
    return "\n".join([head, *shown, *tail])


def _check_text(result: CheckSpecResult) -> str:
    lines: list[str] = []
    for p in result.problems:
        where = f"{p.location.file}:{p.location.line}:{p.location.column}"
        lines.append(f"{where}: {p.message} [{p.code}]" + (f" (hint: {p.hint})" if p.hint else ""))
    for q in result.open_questions:
        where = f"{q.location.file}:{q.location.line}:{q.location.column}"
        lines.append(f"open question at {where}: {q.subject}: {q.decision}")
    return _capped(result.summary, lines)


def _generate_text(result: GenerateResult) -> str:
    return _capped(result.summary, [f"next: {step}" for step in result.next_steps])


def _design_text(result: DesignResult) -> str:
    lines = [
        f"open question at {q.location.file}:{q.location.line}:{q.location.column}: "
        f"{q.subject}: {q.decision}"
        for q in result.open_questions
    ]
    lines += [f"ADR {number:04d}: {title}" for number, title in enumerate(result.adrs, start=1)]
    if result.unknown:
        sections = ", ".join(item.partition(":")[0] for item in result.unknown)
        lines.append(f"not known from the code (see `unknown`): {sections}")
    return _capped(result.summary, lines)


def _review_text(result: ReviewResult) -> str:
    lines = [
        f"{f.location.file}:{f.location.line}:{f.location.column}: {f.rule_id} "
        f"[{f.severity}] {f.message}"
        for f in result.findings
    ]
    return _capped(result.summary, lines)


def _api_diff_text(result: ApiDiffResult) -> str:
    lines = [f"{c.level} {c.operation} {c.id}: {c.message}" for c in result.changes]
    return _capped(result.summary, lines)


def _plan_change_text(result: PlanChangeResult) -> str:
    # What needs attention: the steps refused or not safe online, then the breaking changes.
    lines: list[str] = []
    for number, step in enumerate(result.plan.steps, start=1):
        if step.refused:
            hint = f" (hint: {step.hint})" if step.hint else ""
            lines.append(f"step {number} {step.id} {step.subject}: refused: {step.refused}{hint}")
        elif step.safety != "safe":
            lines.append(f"step {number} {step.id} {step.subject}: {step.safety_description}")
    lines += [f"ERR {c.operation} {c.id}: {c.message}" for c in result.plan.api if c.level == "ERR"]
    return _capped(result.summary, lines)


def _survey_text(result: SurveyResult) -> str:
    lines = [
        f"{r.method} {r.path} -> {r.handler}"
        f"{'' if r.auth else ' (no auth)'}"
        f"{f' returns {r.response_model}' if r.response_model else ''}"
        for r in result.routes
    ]
    lines += [f"model {m.name} (table {m.table or '?'})" for m in result.models]
    return _capped(result.summary, lines)


def examples_dir() -> Path | None:
    """The example specs: shipped in the package, or beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "examples", package.parent.parent / "examples"):
        if candidate.is_dir():
            return candidate
    return None


def build_server(root: Path | str = ".") -> MCPServer:
    """A server whose tools read only under `root`."""
    base = Root(root)
    server: MCPServer = MCPServer(
        name="fastapi-architect",
        title="fastapi-architect",
        version=__version__,
        instructions=INSTRUCTIONS,
        log_level="WARNING",
    )

    @server.tool(name="check_spec", title="Check a spec", annotations=READ_ONLY)
    def check_spec(
        spec: Annotated[
            str | None, Field(description="The spec text (YAML or JSON); or give `path`.")
        ] = None,
        path: Annotated[
            str | None,
            Field(description="A spec file, relative to the server root; or give `spec`."),
        ] = None,
    ) -> Annotated[CallToolResult, CheckSpecResult]:
        """Check an architect.yaml spec: every problem with file:line:column, what is wrong
        and how to fix it; for a valid spec, its resources, tables and open questions (the
        decisions left open and the default taken)."""
        return _respond("check_spec", lambda: tools.check_spec(base, spec, path), _check_text)

    @server.tool(name="generate", title="Generate a backend", annotations=WRITES)
    def generate(
        target: Annotated[
            str,
            Field(
                description="The project directory, relative to the server root: created when "
                "missing, and it must be empty unless `overwrite` is true."
            ),
        ],
        spec_path: Annotated[
            str | None,
            Field(description="A spec file, relative to the server root; or give `spec`."),
        ] = None,
        spec: Annotated[
            str | None, Field(description="The spec text (YAML or JSON); or give `spec_path`.")
        ] = None,
        overwrite: Annotated[
            bool,
            Field(
                description="Write into a non-empty directory. A project generated before "
                "is brought to the spec: the spec change becomes one new migration (steps "
                "that lose data or have no safe recipe are refused; see plan_change), files "
                "edited by hand are merged with the new version, conflicts marked "
                f"<<<<<<< ======= >>>>>>>. Other files edited by hand are kept with the new "
                f"version beside each as <file>{NEW_SUFFIX}."
            ),
        ] = False,
    ) -> Annotated[CallToolResult, GenerateResult]:
        """Generate the complete backend a valid spec describes: a FastAPI + SQLModel +
        Alembic project in layers (endpoints, services, repositories, models, schemas, core),
        with its migrations and its own tests (`make test` in the project). A spec with
        problems is refused with the problems listed: check it with `check_spec` first."""
        return _respond(
            "generate",
            lambda: tools.generate(base, spec, spec_path, target, overwrite=overwrite),
            _generate_text,
        )

    @server.tool(name="design", title="Design the architecture", annotations=WRITES)
    def design(
        spec_path: Annotated[
            str | None,
            Field(
                description="A spec file, relative to the server root; or give `spec` or "
                "`from_code`."
            ),
        ] = None,
        spec: Annotated[
            str | None,
            Field(description="The spec text (YAML or JSON); or give `spec_path` or `from_code`."),
        ] = None,
        from_code: Annotated[
            str | None,
            Field(
                description="A directory (or Python file) of existing FastAPI code, relative to "
                "the server root, to design from instead of a spec."
            ),
        ] = None,
        output: Annotated[
            str | None,
            Field(
                description="A directory under the server root to write architecture.md and "
                "adr/NNNN-title.md into (created when missing). Without it nothing is written "
                "and the result holds the whole document."
            ),
        ] = None,
        overwrite: Annotated[
            bool,
            Field(
                description="Replace design files already in `output` (architecture.md and the "
                "ADRs; other files there are never touched). Without it they are refused."
            ),
        ] = False,
    ) -> Annotated[CallToolResult, DesignResult]:
        """Design the architecture document of a valid spec: API contracts (method, path,
        auth, schemas, statuses, errors), database schema with an ER diagram, service
        boundaries, security controls, migration plan, testing strategy, risks with
        mitigations, open questions, and ADRs for the decisions. From existing code
        (`from_code`), what the code tells. Returns the document's Markdown (only its
        beginning when a large document was written to `output`: `excerpt` says so). A spec
        with problems is refused with the problems listed: check it with `check_spec` first."""
        return _respond(
            "design",
            lambda: design_tool.design(
                base, spec, spec_path, from_code, output, overwrite=overwrite
            ),
            _design_text,
        )

    @server.tool(name="review", title="Review code", annotations=READ_ONLY)
    def review(
        path: Annotated[
            str, Field(description="A directory or Python file, relative to the server root.")
        ] = ".",
        select: Annotated[
            list[str] | None,
            Field(description="Rules to run: ids (FA104), id prefixes (FA1), slugs, or ALL."),
        ] = None,
        ignore: Annotated[
            list[str] | None, Field(description="Rules to leave out, in the same forms.")
        ] = None,
        exclude: Annotated[
            list[str] | None, Field(description="Glob patterns of files or folders to skip.")
        ] = None,
        fail_on: Annotated[
            tools.FailOn | None,
            Field(
                description="The severity at which `passed` turns false: info, warning, "
                "error (the default, or the project's fail-on setting) or never."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, ReviewResult]:
        """Review FastAPI / SQLModel / SQLAlchemy code without running it: auth coverage,
        user isolation, SQL injection, secrets, blocking calls in async code, N+1 queries,
        pagination, REST conventions and more. Each finding has a rule id, severity,
        location, message and fix. Settings in pyproject.toml [tool.fastapi-architect] apply."""
        return _respond(
            "review",
            lambda: tools.review(base, path, select, ignore, exclude, fail_on),
            _review_text,
        )

    @server.tool(name="survey", title="Survey a codebase", annotations=READ_ONLY)
    def survey(
        path: Annotated[
            str, Field(description="A directory or Python file, relative to the server root.")
        ] = ".",
        exclude: Annotated[
            list[str] | None, Field(description="Glob patterns of files or folders to skip.")
        ] = None,
    ) -> Annotated[CallToolResult, SurveyResult]:
        """Say what a FastAPI codebase is: its routes (method, full path, handler, auth,
        response model), its table models with columns and relations, and its layering."""
        return _respond("survey", lambda: tools.survey(base, path, exclude), _survey_text)

    # The tool's own `base` argument (the base document) hides the root's name inside it.
    base_root = base

    @server.tool(name="api_diff", title="Find breaking API changes", annotations=READ_ONLY)
    def api_diff(
        base: Annotated[
            str,
            Field(
                description="The base: an OpenAPI file relative to the server root, "
                "git:REF:path, or git:REF with `app`."
            ),
        ],
        revision: Annotated[
            str | None,
            Field(
                description="The revision: an OpenAPI file or git:REF:path; leave it out with "
                "`app` to take the app as it is now."
            ),
        ] = None,
        app: Annotated[
            str | None,
            Field(description="A FastAPI app, module:attr (or a factory), to take documents from."),
        ] = None,
        app_dir: Annotated[
            str, Field(description="The directory the app is imported from, under the root.")
        ] = ".",
        ignore: Annotated[
            str | None, Field(description="A file of accepted changes, one per line.")
        ] = None,
        fail_on: Annotated[
            ApiDiffFailOn,
            Field(description="The level at which `passed` turns false (default ERR)."),
        ] = "ERR",
    ) -> Annotated[CallToolResult, ApiDiffResult]:
        """Compare two OpenAPI 3.0/3.1 documents, or a FastAPI app against a git revision of
        itself, and classify every change: ERR breaks clients for certain, WARN may break
        them, INFO is compatible. Each change has a stable id, the operation, JSON pointers
        into both documents and a sentence saying what changed."""
        return _respond(
            "api_diff",
            lambda: run_api_diff(base_root, base, revision, app, app_dir, ignore, fail_on),
            _api_diff_text,
        )

    @server.tool(name="plan_change", title="Plan a spec change", annotations=READ_ONLY)
    def plan_change(
        old_spec: Annotated[
            str | None,
            Field(description="The spec before the change, as text; or give `old_path`."),
        ] = None,
        old_path: Annotated[
            str | None,
            Field(
                description="The spec before the change: a file relative to the server root, "
                "or git:REF:path (the file at a git revision); or give `old_spec`."
            ),
        ] = None,
        new_spec: Annotated[
            str | None,
            Field(description="The spec after the change, as text; or give `new_path`."),
        ] = None,
        new_path: Annotated[
            str | None,
            Field(
                description="The spec after the change: a file relative to the server root, "
                "or git:REF:path; or give `new_spec`."
            ),
        ] = None,
    ) -> Annotated[CallToolResult, PlanChangeResult]:
        """Plan a change from one spec to the next before anything is generated: every
        migration step in the order it runs, each with its safety class (safe online, needs
        a backfill, takes a blocking lock, loses data, breaks API clients), the reason, the
        recipe, the spec change behind it (file:line:column), and for a step `generate`
        refuses, why and the hint that lifts it; then the API changes (ERR breaks clients).
        `safe` is true when nothing is refused, unsafe or breaking. Specs with problems are
        refused with the problems listed."""
        return _respond(
            "plan_change",
            lambda: run_plan_change(base_root, old_spec, old_path, new_spec, new_path),
            _plan_change_text,
        )

    @server.tool(name="explain_rule", title="Explain a review rule", annotations=READ_ONLY)
    def explain_rule(
        rule: Annotated[str, Field(description="A rule id (FA104) or slug (sql-injection).")],
    ) -> Annotated[CallToolResult, RuleDocumentation]:
        """A review rule's documentation: what it catches, why it matters, an example, what
        to write instead, and what it cannot see."""
        return _respond("explain_rule", lambda: tools.explain_rule(rule), lambda r: r.markdown)

    _add_resources(server)

    @server.prompt(
        name="architect-workflow",
        title="Design, build and verify a FastAPI backend",
        description="The architect's workflow: write the spec, check it until clean, design, "
        "generate, run the tests, review.",
    )
    async def architect_workflow(requirements: str = "", spec_path: str = "architect.yaml") -> str:
        offered = {tool.name for tool in await server.list_tools()}
        return workflow_text(offered, requirements, spec_path)

    return server


def _add_resources(server: MCPServer) -> None:
    server.add_resource(
        FunctionResource.from_function(
            fn=lambda: _json(spec_json_schema()),
            uri=SCHEMA_URI,
            name="spec-schema",
            title="Spec JSON Schema",
            description="The JSON Schema of architect.yaml: every key, its type and default.",
            mime_type="application/json",
        )
    )
    for rule in all_rules():
        doc = rule_doc(rule)
        server.add_resource(
            TextResource(
                uri=f"{URI}rules/{rule.id}",
                name=f"{rule.id} {rule.slug}",
                title=f"Rule {rule.id} ({rule.slug})",
                description=doc.summary,
                mime_type="text/markdown",
                text=render_rule(rule, heading="#"),
            )
        )
    examples = examples_dir()
    for example in sorted(examples.glob("*.yaml")) if examples else ():
        server.add_resource(
            TextResource(
                uri=f"{URI}examples/{example.name}",
                name=f"example {example.stem}",
                title=f"Example spec: {example.stem}",
                description=_first_comment(example) or f"The {example.stem} example spec.",
                mime_type="application/yaml",
                text=example.read_text(encoding="utf-8"),
            )
        )


def _json(value: object) -> str:
    return json.dumps(value, indent=2) + "\n"


def _first_comment(path: Path) -> str:
    first = path.read_text(encoding="utf-8").partition("\n")[0]
    return first.removeprefix("#").strip() if first.startswith("#") else ""


# -- transports ------------------------------------------------------------------------------
def serve_stdio(server: MCPServer) -> None:
    """Serve over stdin/stdout until the client closes stdin; stdout carries only protocol."""
    anyio.run(server.run_stdio_async)


def serve_http(
    server: MCPServer, host: str, port: int, announce: Callable[[str], None] = logger.warning
) -> None:
    """Serve streamable HTTP at http://host:port/mcp; `announce` gets the URL once the port
    accepts connections (port 0 picks a free one)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    bound_port = listener.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    app = server.streamable_http_app(host=host)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    announce(f"http://{shown}:{bound_port}/mcp")
    anyio.run(uvicorn.Server(config).serve, [listener])
