"""The spec format (`architect.yaml`) as written: every key, its type, default and meaning.

These models are the single source of the format: the loader validates with them, the
JSON Schema is exported from them and the README's spec reference is rendered from their
descriptions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from fastapi_architect.spec.types import FieldType

RelationKind = Literal["many_to_one", "one_to_many", "many_to_many"]
OnDelete = Literal["cascade", "set_null", "restrict"]
AuthMode = Literal["builtin", "jwks", "none"]
JwtAlgorithm = Literal[
    "EdDSA", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"
]


def _listify(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _field_shorthand(value: object) -> object:
    return {"type": value} if isinstance(value, str) else value


def _relation_shorthand(value: object) -> object:
    return {"to": value} if isinstance(value, str) else value


Principals = Annotated[list[str], BeforeValidator(_listify, json_schema_input_type=str | list[str])]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ProjectSpec(_Strict):
    """What the backend is called."""

    name: str = Field(
        description="Machine name: lowercase letters, digits, `-` and `_` (e.g. `taskflow`). "
        "Names the generated package and its database."
    )
    title: str | None = Field(
        None, description="Human title for the docs; default: the name, titled."
    )
    description: str = Field("", description="One or two sentences on what the backend is for.")
    version: str = Field("0.1.0", description="Version of the API the backend serves.")


class ApiSpec(_Strict):
    """How the HTTP API is shaped."""

    prefix: str = Field("/api/v1", description="Path prefix of every resource route.")
    pagination: Literal["cursor"] = Field(
        "cursor",
        description="List pagination: `cursor` (keyset; stable under concurrent inserts, "
        "no COUNT per request).",
    )
    default_page_size: int = Field(20, ge=1, description="Rows per page when `limit` is absent.")
    max_page_size: int = Field(100, ge=1, le=1000, description="Upper bound of `limit`.")
    ids: Literal["uuid", "integer"] = Field(
        "uuid", description="Primary key type of every table: `uuid` (v4) or `integer` (identity)."
    )


class DatabaseSpec(_Strict):
    """The database the backend is deployed on (development and tests always work on SQLite)."""

    engine: Literal["postgresql", "sqlite"] = Field(
        "postgresql",
        description="Production database: `postgresql` (asyncpg) or `sqlite` (aiosqlite).",
    )
    pooler: bool = Field(
        False,
        description="Connections go through a transaction-mode pooler (PgBouncer, Neon's "
        "`-pooler` host): disables prepared-statement caching.",
    )


class JwksSpec(_Strict):
    """An external token issuer (Better Auth, Auth0, any OIDC provider)."""

    url: str = Field(description="URL of the issuer's JSON Web Key Set.")
    issuer: str = Field(description="Expected `iss` claim.")
    audience: str = Field(description="Expected `aud` claim.")
    algorithms: list[JwtAlgorithm] = Field(
        default=["EdDSA"],
        min_length=1,
        description="Accepted signing algorithms (asymmetric only).",
    )
    cache_minutes: int = Field(10, ge=1, le=1440, description="How long fetched keys are trusted.")


class AuthSpec(_Strict):
    """Who the callers are and how they prove it."""

    mode: AuthMode = Field(
        "builtin",
        description="`builtin` (register, login, JWTs issued by the backend), `jwks` (tokens "
        "from an external issuer) or `none` (a public API).",
    )
    access_token_minutes: int = Field(15, ge=1, le=1440, description="Access token lifetime.")
    refresh_token_days: int = Field(
        7, ge=1, le=365, description="Refresh token lifetime; refresh tokens rotate on use."
    )
    roles: list[str] = Field(
        default=["user", "admin"],
        min_length=1,
        description="Role names, lowest privilege first.",
    )
    default_role: str | None = Field(
        None, description="Role of a new user; default: the first role."
    )
    admin_role: str | None = Field(
        None,
        description="Role that may manage every row (deleted rows, the audit log); default: "
        "`admin` when declared.",
    )
    jwks: JwksSpec | None = Field(
        None, description="The external issuer; required when mode is `jwks`."
    )


class RateLimitsSpec(_Strict):
    """Request limits, in the `limits` notation (`5/minute`, `100 per hour`)."""

    login: str = Field("5/minute", description="Login attempts per client IP and per account.")
    default: str = Field("120/minute", description="Requests per user (per IP when anonymous).")


class FieldSpec(_Strict):
    """One column of a resource. Shorthand: `name: string` means `name: {type: string}`."""

    type: FieldType = Field(description="Value type.")
    description: str = Field("", description="What the field holds; shown in the API docs.")
    required: bool = Field(
        True, description="The value may not be null. With a `default`, clients may omit it."
    )
    default: Any = Field(
        None, description="Value taken when a client omits the field; `now` for dates."
    )
    unique: bool = Field(False, description="No two live rows share the value.")
    index: bool = Field(False, description="Add a database index on the column.")
    min_length: int | None = Field(None, ge=0, description="Minimum length (string types).")
    max_length: int | None = Field(
        None, ge=1, description="Maximum length (string types; string default 255)."
    )
    pattern: str | None = Field(None, description="Regular expression the value must match.")
    min: float | None = Field(None, description="Minimum value (numeric types).")
    max: float | None = Field(None, description="Maximum value (numeric types).")
    values: list[str] | None = Field(None, description="Allowed values (`enum`; required there).")
    precision: int | None = Field(
        None, ge=1, le=38, description="Total digits (`decimal`; default 12)."
    )
    scale: int | None = Field(
        None, ge=0, le=38, description="Digits after the point (`decimal`; default 2)."
    )
    sensitive: bool = Field(False, description="Write-only: accepted on input, never returned.")
    read_only: bool = Field(
        False, description="Set by the server: returned, never accepted on input."
    )
    example: Any = Field(None, description="Example value for the API docs.")
    renamed_from: str | None = Field(
        None,
        description="The field's previous name: a spec change renames the column, keeping "
        "its values.",
    )
    backfill: Any = Field(
        None,
        description="Value given to existing rows when the field is added as required, or "
        "becomes required, in a spec change (default: the field's `default`).",
    )


class RelationSpec(_Strict):
    """A link to another resource. Shorthand: `author: User` means `{to: User}`."""

    to: str = Field(description="Target resource name.")
    kind: RelationKind = Field(
        "many_to_one",
        description="`many_to_one` (a foreign key here), `one_to_many` (the inverse of a "
        "many_to_one declared on the target) or `many_to_many` (an association table).",
    )
    required: bool | None = Field(
        None, description="many_to_one: the link may not be empty (default true)."
    )
    on_delete: OnDelete | None = Field(
        None,
        description="many_to_one: what deleting the target does here: `cascade`, `set_null` "
        "(optional links only) or `restrict`. Default: `set_null` when optional, `restrict` "
        "otherwise.",
    )
    inverse: str | None = Field(
        None,
        description="Name of the inverse relation on the target; default: this resource's plural.",
    )
    description: str = Field("", description="What the link means.")


FieldEntry = Annotated[
    FieldSpec, BeforeValidator(_field_shorthand, json_schema_input_type=FieldSpec | FieldType)
]
RelationEntry = Annotated[
    RelationSpec, BeforeValidator(_relation_shorthand, json_schema_input_type=RelationSpec | str)
]


class AiOutputFieldSpec(_Strict):
    """One field of a structured AI output. Shorthand: `reason: text`."""

    type: FieldType = Field(
        description="`string`, `text`, `integer`, `float`, `boolean` or `enum`."
    )
    description: str = Field("", description="What the model should put there.")
    required: bool = Field(True, description="The model must give a value.")
    min_length: int | None = Field(None, ge=0, description="Minimum length (string, text).")
    max_length: int | None = Field(None, ge=1, description="Maximum length (string, text).")
    min: float | None = Field(None, description="Minimum value (integer, float).")
    max: float | None = Field(None, description="Maximum value (integer, float).")
    values: list[str] | None = Field(None, description="Allowed values (`enum`; required there).")


AiOutputFieldEntry = Annotated[
    AiOutputFieldSpec,
    BeforeValidator(_field_shorthand, json_schema_input_type=AiOutputFieldSpec | FieldType),
]


def _text_output(value: object) -> object:
    """`output: text` is a streamed answer (None); anything else must be the fields."""
    if value == "text":
        return None
    if isinstance(value, str):
        raise ValueError(f"{value!r} is not an output: use `text` or a mapping of fields")
    return value


AiOutput = Annotated[
    dict[str, AiOutputFieldEntry] | None,
    BeforeValidator(
        _text_output, json_schema_input_type=Literal["text"] | dict[str, AiOutputFieldEntry]
    ),
]


class AiActionSpec(_Strict):
    """An AI action on a row the caller may read: `POST /<plural>/{id}/ai/<name>`."""

    description: str = Field("", description="What the action gives; shown in the API docs.")
    instructions: str = Field(
        "",
        description="The system prompt: fixed text, no placeholders (the row's values go in "
        "`prompt`, between delimiters).",
    )
    prompt: str = Field(
        description="The user message: text with `{field}` placeholders for the row's fields "
        "and `{relation.field}` for a related row's (`{{` and `}}` for braces)."
    )
    output: AiOutput = Field(
        None,
        description="`text` (streamed as Server-Sent Events) or the fields of a structured "
        "answer, declared like resource fields (string, text, integer, float, boolean, enum).",
    )
    max_output_tokens: int | None = Field(
        None, description="Upper bound of the answer's tokens; default: `ai.max_output_tokens`."
    )


class AccessSpec(_Strict):
    """Who may do what: `public`, `authenticated`, `owner` or role names, one or a list."""

    read: Principals | None = Field(None, description="List and get.")
    create: Principals | None = Field(
        None, description="Create (`owner`: any signed-in user, who owns the row)."
    )
    update: Principals | None = Field(None, description="Partial update.")
    delete: Principals | None = Field(None, description="Delete (and restore, with soft delete).")


class ResourceSpec(_Strict):
    """A resource: a table, its REST endpoints and its rules."""

    description: str = Field("", description="What the resource is.")
    plural: str | None = Field(
        None, description="snake_case plural for paths and tables; default derived."
    )
    table: str | None = Field(None, description="Table name; default: the plural.")
    renamed_from: str | None = Field(
        None,
        description="The resource's previous name: a spec change renames its table, keeping "
        "its rows.",
    )
    owned: bool = Field(
        False, description="Rows belong to the user who created them; others never see them."
    )
    soft_delete: bool = Field(False, description="Delete marks rows deleted; they can be restored.")
    audit: bool = Field(False, description="Every change is written to the audit log.")
    mcp: bool = Field(
        True,
        description="Served as tools by the backend's MCP endpoint (with `mcp: true` at the "
        "top level); `false` leaves the resource out.",
    )
    fields: dict[str, FieldEntry] = Field(
        default_factory=dict, description="Columns, by snake_case name."
    )
    relations: dict[str, RelationEntry] = Field(default_factory=dict, description="Links, by name.")
    unique: list[list[str]] = Field(
        default_factory=list,
        description="Unique combinations of fields, relations and `owner`, e.g. `[[owner, name]]`.",
    )
    indexes: list[list[str]] = Field(default_factory=list, description="Extra composite indexes.")
    filters: list[str] = Field(
        default_factory=list, description="Fields and relations the list can filter on."
    )
    sort: list[str] | None = Field(
        None, description="Fields the list can sort on; default `[created_at]`."
    )
    default_sort: str | None = Field(
        None,
        description="Default order, a sort key with `-` for descending; default `-created_at`.",
    )
    search: list[str] = Field(default_factory=list, description="Text fields searched by `q`.")
    access: AccessSpec = Field(
        default_factory=AccessSpec,
        description="Access per action. Default: owner-only for owned resources; otherwise "
        "authenticated read and admin write.",
    )
    ai: dict[str, AiActionSpec] = Field(
        default_factory=dict,
        description="AI actions on a row, by snake_case name; the providers and budgets are "
        "in the top-level `ai` section.",
    )


class AiProviderSpec(_Strict):
    """A language-model provider with an OpenAI-compatible chat completions API."""

    name: str = Field(
        description="snake_case name; its settings are `AI_<NAME>_BASE_URL`, `AI_<NAME>_MODEL`."
    )
    kind: Literal["openai"] = Field(
        "openai", description="The API spoken: `openai` (chat completions, any compatible server)."
    )
    model: str = Field(description="Model name as the provider knows it.")
    base_url: str = Field(description="The API's base URL, e.g. `https://api.openai.com/v1`.")
    api_key_env: str | None = Field(
        None,
        description="Environment variable holding the key; default `AI_<NAME>_API_KEY`.",
    )
    timeout_seconds: float = Field(
        30, description="Longest wait for the provider's answer (or its next token)."
    )
    prompt_price: float | None = Field(
        None, description="US dollars per million prompt tokens (for the design's cost figures)."
    )
    completion_price: float | None = Field(
        None, description="US dollars per million completion tokens."
    )


class AiSpec(_Strict):
    """Language-model providers and the bounds every AI action runs within."""

    providers: list[AiProviderSpec] = Field(
        default_factory=list, description="Providers in fallback order: the first that answers."
    )
    daily_tokens_per_user: int = Field(
        100_000, description="Tokens (prompt and completion) each user may spend per UTC day."
    )
    cache_seconds: int = Field(
        3600,
        description="How long an answer is reused for the same user, action and row version "
        "(0: never).",
    )
    max_input_chars: int = Field(
        12_000, description="Longest prompt, in characters, sent to a provider."
    )
    max_output_tokens: int = Field(1024, description="Default upper bound of an answer's tokens.")


class SpecDocument(_Strict):
    """An `architect.yaml` document."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="fastapi-architect spec",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    project: ProjectSpec = Field(description="What the backend is called.")
    api: ApiSpec = Field(default_factory=ApiSpec, description="HTTP API shape.")
    database: DatabaseSpec = Field(default_factory=DatabaseSpec, description="Database target.")
    auth: AuthSpec = Field(default_factory=AuthSpec, description="Authentication and roles.")
    rate_limits: RateLimitsSpec = Field(
        default_factory=RateLimitsSpec, description="Request limits."
    )
    resources: dict[str, ResourceSpec] = Field(
        description="Resources by PascalCase name. `User` extends the built-in user (fields only)."
    )
    mcp: bool = Field(
        False,
        description="Serve an MCP endpoint at `/mcp` beside the REST API: tools per resource and "
        "action, with the same authentication, access rules, rate limits and audit.",
    )
    ai: AiSpec | None = Field(
        None,
        description="Language-model providers, budgets and bounds for the resources' AI actions.",
    )


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema of the spec format, for editors and validators."""
    schema = SpecDocument.model_json_schema()
    schema["$id"] = "https://fastapi-architect.dev/schema/architect.schema.json"
    return schema
