"""What the tools return: typed results, published to clients as output schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceLocation(_Out):
    """A 1-based line and column in a file (the file relative to the server root)."""

    file: str
    line: int
    column: int


class SpecProblem(_Out):
    """One thing wrong with a spec, and how to fix it."""

    location: SourceLocation
    code: str
    message: str
    hint: str | None = None


class OpenQuestion(_Out):
    """A decision the spec left open, with the default that was taken."""

    location: SourceLocation
    subject: str
    decision: str


class ResourceSummary(_Out):
    """A resource of a valid spec: where it is served and how it behaves."""

    name: str
    path: str = Field(description="The collection path, API prefix included.")
    table: str
    owned: bool
    soft_delete: bool
    audit: bool
    relations: list[str] = Field(description="`name -> Target (kind)` for each relation.")


class CheckSpecResult(_Out):
    """The outcome of checking a spec: every problem, or the resolved summary."""

    file: str
    ok: bool = Field(description="True when the spec is valid (no problems).")
    summary: str
    problems: list[SpecProblem]
    open_questions: list[OpenQuestion]
    resources: list[ResourceSummary]
    tables: list[str]


class ReviewFinding(_Out):
    """A problem found at one place in the code, with the way to fix it."""

    rule_id: str
    slug: str
    severity: str = Field(description="info, warning or error.")
    confidence: str = Field(description="low, medium or high.")
    location: SourceLocation
    end_line: int
    end_column: int
    message: str
    fix: str
    cwe: int | None = None


class SkippedFile(_Out):
    """A file the tool could not use; the rest of the tree was still processed."""

    file: str
    line: int
    message: str


class ReviewResult(_Out):
    """Every active finding in a tree, most severe first within each file."""

    path: str
    files: int
    passed: bool = Field(description="True when no active finding is at or above `fail_on`.")
    fail_on: str
    summary: str
    counts: dict[str, int] = Field(description="Active findings per severity.")
    findings: list[ReviewFinding]
    suppressed: int = Field(description="Findings silenced by inline `architect: ignore` comments.")
    skipped: list[SkippedFile]
    rules: list[str] = Field(description="The ids of the rules that ran.")


class SurveyRoute(_Out):
    """One endpoint: what it serves, who may call it, and what it returns."""

    method: str = Field(description="The HTTP method(s), `/`-separated.")
    path: str = Field(description="The full path, router and app prefixes included.")
    handler: str
    location: SourceLocation
    auth: str | None = Field(description="The dependency that authenticates; null when none.")
    response_model: str | None
    status_code: int | None


class SurveyColumn(_Out):
    name: str
    type: str
    primary_key: bool
    foreign_key: str | None
    index: bool
    unique: bool


class SurveyRelation(_Out):
    name: str
    target: str
    many: bool


class SurveyModel(_Out):
    """A table model with its columns and relations."""

    name: str
    table: str
    location: SourceLocation
    columns: list[SurveyColumn]
    relations: list[SurveyRelation]


class SurveyLayer(_Out):
    """An architectural layer (api, services, repositories, models, schemas, core)."""

    name: str
    files: int


class SurveyEdge(_Out):
    """Files in `source` that import from `target`."""

    source: str
    target: str
    imports: int


class SurveyResult(_Out):
    """What a codebase is: its routes, its models and its layering."""

    path: str
    files: int
    summary: str
    routes: list[SurveyRoute]
    models: list[SurveyModel]
    layers: list[SurveyLayer]
    edges: list[SurveyEdge] = Field(description="Imports between layers.")
    skipped: list[SkippedFile]


class RuleSection(_Out):
    title: str
    body: str


class RuleDocumentation(_Out):
    """A review rule's documentation: what it catches, why, and what to write instead."""

    id: str
    slug: str
    severity: str
    confidence: str
    cwe: int | None
    summary: str
    sections: list[RuleSection]
    markdown: str


class KeptFile(_Out):
    """A file edited by hand since it was generated: left as it is, the new version beside it."""

    file: str
    new_version: str = Field(description="Where the regenerated version was written instead.")


class GenerateResult(_Out):
    """What generating a project wrote; every path is relative to the server root."""

    project: str = Field(description="The project directory.")
    spec: str = Field(description="The spec file used (architect.yaml when given as text).")
    regenerated: bool = Field(description="True when an existing project was written over.")
    summary: str
    written: list[str] = Field(description="Files created or replaced.")
    unchanged: list[str] = Field(description="Files that already had the generated content.")
    kept: list[KeptFile]
    merged: list[str] = Field(
        default_factory=list,
        description="Files edited by hand whose edits and the generator's changes merged.",
    )
    conflicted: list[str] = Field(
        default_factory=list,
        description="Files edited by hand where both changed the same lines: written with "
        "<<<<<<< ======= >>>>>>> markers to resolve.",
    )
    revision: str | None = Field(
        None, description="The migration the spec change added, when it needed one."
    )
    next_steps: list[str]


class DesignResult(_Out):
    """The architecture document: its sections in summary, what was written, and its Markdown.

    Paths are relative to the server root."""

    source: str = Field(description="spec or code: what the document was designed from.")
    origin: str = Field(description="The spec file (architect.yaml for text) or code directory.")
    title: str
    summary: str
    endpoints: int = Field(description="Endpoints in the API contracts.")
    tables: int = Field(description="Tables in the database schema.")
    risks: int = Field(description="Risks with their mitigations.")
    open_questions: list[OpenQuestion] = Field(
        description="The decisions the spec left open, with the default taken."
    )
    adrs: list[str] = Field(description="The ADR titles, in order (adr/0001-... first).")
    unknown: list[str] = Field(
        description="Sections the source cannot tell (from code), each as `section: reason`."
    )
    output: str | None = Field(
        description="The directory the document was written into; null when nothing was written."
    )
    written: list[str] = Field(description="The files written: architecture.md and the ADRs.")
    document: str | None = Field(description="The written architecture.md; null when not written.")
    markdown: str = Field(
        description="The document in Markdown: all of it, or only its beginning when `excerpt` "
        "is true (the whole document is then the file `document`)."
    )
    excerpt: bool = Field(
        description="True when `markdown` is only the beginning of a written document too large "
        "to return whole; false when it is the whole document."
    )
    characters: int = Field(description="The length of the whole document.")
    skipped: list[SkippedFile] = Field(description="Files of the code that could not be read.")
