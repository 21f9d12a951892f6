"""The architecture document as data: what `design` writes, as Markdown or as JSON.

One model serves both sources. From a spec every section is known; from an existing
codebase some are not, and `Design.unknown` says which and why."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, JsonValue


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- API contracts


class FieldDesign(_Frozen):
    """One field of a request or response schema."""

    name: str
    type: str
    # Requests: the client must send it. Responses: always present.
    required: bool
    nullable: bool = False
    # JSON text of the value taken when the field is left out.
    default: str | None = None
    constraints: tuple[str, ...] = ()
    description: str = ""


class SchemaDesign(_Frozen):
    name: str
    description: str
    media_type: str = "application/json"
    fields: tuple[FieldDesign, ...] = ()


class ParameterDesign(_Frozen):
    name: str
    location: Literal["path", "query"]
    type: str
    required: bool
    default: str | None = None
    constraints: tuple[str, ...] = ()
    description: str = ""


class ErrorDesign(_Frozen):
    status: int
    # The `error.code` of the envelope; None when the body is not the error envelope.
    code: str | None
    when: str
    # The schema of the body.
    body: str = "ErrorEnvelope"


class ExampleRequest(_Frozen):
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: JsonValue = None
    form: tuple[tuple[str, str], ...] = ()


class ExampleResponse(_Frozen):
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: JsonValue = None


class EndpointDesign(_Frozen):
    # The router the endpoint belongs to (`tasks`, `auth`, `health`).
    group: str
    method: str
    path: str
    summary: str
    # `none`, `bearer`, `bearer (optional)`, or the dependency found in code.
    auth: str | None
    access: str
    request: str | None = None
    response: str | None = None
    success_status: int | None = None
    errors: tuple[ErrorDesign, ...] = ()
    parameters: tuple[ParameterDesign, ...] = ()
    pagination: str | None = None
    example_request: ExampleRequest | None = None
    example_response: ExampleResponse | None = None
    # From code: the handler and where it is defined.
    handler: str | None = None
    location: str | None = None


# ---------------------------------------------------------------- database


class ColumnDesign(_Frozen):
    name: str
    type: str
    # None when unknown (from code).
    nullable: bool | None
    default: str | None = None
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    comment: str = ""


class ForeignKeyDesign(_Frozen):
    name: str | None
    column: str
    ref_table: str
    ref_column: str
    on_delete: str | None


class IndexDesign(_Frozen):
    name: str
    columns: tuple[str, ...]
    unique: bool
    where: str | None = None
    # The query the index serves.
    purpose: str = ""


class CheckDesign(_Frozen):
    name: str
    sql: str
    purpose: str = ""


class TableDesign(_Frozen):
    name: str
    # resource, association, system (from a spec); model (from code).
    kind: str
    resource: str | None
    columns: tuple[ColumnDesign, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKeyDesign, ...] = ()
    indexes: tuple[IndexDesign, ...] = ()
    checks: tuple[CheckDesign, ...] = ()
    relations: tuple[str, ...] = ()
    location: str | None = None


# ---------------------------------------------------------------- the rest


class ResourceSummary(_Frozen):
    name: str
    path: str
    table: str
    description: str
    traits: tuple[str, ...] = ()


class Decision(_Frozen):
    topic: str
    choice: str


class LayerDesign(_Frozen):
    name: str
    path: str
    responsibility: str
    modules: int | None = None
    # Other layers this one imports (from code: observed; from a spec: allowed).
    imports: tuple[str, ...] = ()


class ServiceDesign(_Frozen):
    resource: str
    endpoints: str
    service: str
    repository: str
    model: str
    owns: tuple[str, ...]


class SecurityControl(_Frozen):
    area: str
    control: str


class AccessRule(_Frozen):
    resource: str
    action: str
    principals: tuple[str, ...]
    meaning: str


class MigrationStep(_Frozen):
    order: int
    operation: str
    target: str
    detail: str
    online_safe: bool
    why: str


class TestCount(_Frozen):
    name: str
    cases: int


class TestFile(_Frozen):
    path: str
    subject: str
    tests: tuple[TestCount, ...]
    total: int


class TestLevel(_Frozen):
    level: str
    what: str


class Risk(_Frozen):
    title: str
    severity: Literal["high", "medium", "low"]
    detail: str
    mitigation: str


class Question(_Frozen):
    location: str
    subject: str
    decision: str


class Adr(_Frozen):
    number: int
    slug: str
    title: str
    status: str = "accepted"
    context: str
    decision: str
    consequences: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.number:04d}-{self.slug}.md"


class UnknownSection(_Frozen):
    section: str
    reason: str


class ToolArgument(_Frozen):
    name: str
    schema_name: str  # the schema it takes: the row id's type, list parameters, Create, Update
    required: bool


class ToolDesign(_Frozen):
    """A tool of the backend's MCP endpoint (`mcp: true`): the REST endpoint it mirrors, and
    what it takes and gives."""

    name: str
    description: str
    endpoint: str  # the REST endpoint calling the same service method: `GET /api/v1/tasks`
    access: str
    arguments: tuple[ToolArgument, ...]
    result: str | None  # the structured result's schema; None: a text confirmation
    read_only: bool
    destructive: bool
    idempotent: bool


class AiFailure(_Frozen):
    """One way an AI call fails: an error status before the answer begins, or (status None)
    an `error` event in a stream already under way."""

    status: int | None
    code: str
    when: str


class AiCost(_Frozen):
    """What one call of an action costs at a provider, at its worst (see `AiDesign.basis`)."""

    provider: str
    model: str
    prompt_tokens: int  # per attempt, estimated
    completion_tokens: int  # per attempt: the action's max_output_tokens
    attempts: int
    # US dollars; None when the provider declares no prices.
    usd: float | None


class AiActionDesign(_Frozen):
    """An AI action on a row: its route, prompt contract, answer, bounds and failures."""

    name: str  # as usage rows record it: `Task.summarize`
    resource: str
    description: str
    endpoint: str  # `POST /api/v1/tasks/{task_id}/ai/summarize`
    access: str  # the resource's read access
    instructions: str  # the system prompt after the fixed guard sentence
    placeholders: tuple[str, ...]  # as written: `title`, `category.name`
    value_chars: int  # each value cut to this many characters
    delimiting: str
    streamed: bool
    result: str | None  # a structured answer's schema; None when streamed
    fields: tuple[FieldDesign, ...] = ()
    max_output_tokens: int
    # The messages at their longest: every value at its cap, nothing to escape.
    prompt_chars: int
    # Tokens held from the caller's daily budget before the call (ASCII prompt at its cap).
    budget_hold: int
    costs: tuple[AiCost, ...]
    failures: tuple[AiFailure, ...]


class AiProviderDesign(_Frozen):
    order: int
    name: str
    model: str
    base_url: str
    timeout_seconds: float
    api_key_env: str
    # US dollars per million tokens; None when not declared.
    prompt_price: float | None
    completion_price: float | None


class AiDesign(_Frozen):
    """The AI actions and the settings they run within (a spec with an `ai` section)."""

    providers: tuple[AiProviderDesign, ...]
    daily_tokens_per_user: int
    cache_seconds: int
    max_input_chars: int
    max_output_tokens: int
    usage_endpoint: str
    # What the cost figures assume, in words.
    basis: str
    actions: tuple[AiActionDesign, ...]


class Design(_Frozen):
    """The whole architecture document."""

    source: Literal["spec", "code"]
    # The spec file or the surveyed directory, as given.
    origin: str
    title: str
    summary: str
    stack: tuple[Decision, ...]
    resources: tuple[ResourceSummary, ...]
    schemas: tuple[SchemaDesign, ...]
    endpoints: tuple[EndpointDesign, ...]
    tables: tuple[TableDesign, ...]
    er_diagram: str
    layers: tuple[LayerDesign, ...]
    services: tuple[ServiceDesign, ...]
    request_flow: str
    security: tuple[SecurityControl, ...]
    access: tuple[AccessRule, ...]
    migration: tuple[MigrationStep, ...]
    test_levels: tuple[TestLevel, ...]
    test_files: tuple[TestFile, ...]
    risks: tuple[Risk, ...]
    open_questions: tuple[Question, ...]
    adrs: tuple[Adr, ...]
    # Sections the source could not tell, with the reason.
    unknown: tuple[UnknownSection, ...] = ()
    # The MCP endpoint's tools, with `mcp: true`.
    tools: tuple[ToolDesign, ...] = ()
    # The AI actions and their providers, with an `ai` section.
    ai: AiDesign | None = None

    @property
    def test_total(self) -> int:
        return sum(item.total for item in self.test_files)

    def endpoint(self, method: str, path: str) -> EndpointDesign:
        for item in self.endpoints:
            if item.method == method and item.path == path:
                return item
        raise KeyError(f"{method} {path}")

    def schema_named(self, name: str) -> SchemaDesign:
        for item in self.schemas:
            if item.name == name:
                return item
        raise KeyError(name)

    def unknown_reason(self, section: str) -> str | None:
        for item in self.unknown:
            if item.section == section:
                return item.reason
        return None
