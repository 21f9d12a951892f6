"""The tools' work, independent of the protocol: typed arguments in, result models out.

Each function is a thin caller of the same Python API the command line uses. Anything the
caller must fix is raised as `ToolUsageError` with a message that says what to do.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from fastapi_architect.codebase import (
    ModuleFacts,
    ParseError,
    decode,
    discover,
    facts_job,
)
from fastapi_architect.evolve.project import EvolveError, PlanRefused, evolve_project
from fastapi_architect.evolve.render import text as plan_text
from fastapi_architect.generate import (
    GENERATOR_VERSION,
    LOCK_FILE,
    NEW_SUFFIX,
    SPEC_FILE,
    GenerateError,
    UnsupportedSpecError,
    generate_project,
)
from fastapi_architect.generate.render import render_project
from fastapi_architect.mcp.models import (
    CheckSpecResult,
    GenerateResult,
    KeptFile,
    OpenQuestion,
    ResourceSummary,
    ReviewFinding,
    ReviewResult,
    RuleDocumentation,
    RuleSection,
    SkippedFile,
    SourceLocation,
    SpecProblem,
    SurveyColumn,
    SurveyEdge,
    SurveyLayer,
    SurveyModel,
    SurveyRelation,
    SurveyResult,
    SurveyRoute,
)
from fastapi_architect.mcp.paths import OutsideRootError, Root, ToolUsageError
from fastapi_architect.review import (
    ConfigError,
    ProjectIndex,
    ReviewConfig,
    Severity,
    all_rules,
    get_rule,
    load_config,
    render_rule,
    review_files,
    rule_doc,
)
from fastapi_architect.review.engine import unknown_codes
from fastapi_architect.spec import (
    CheckResult,
    Location,
    ResolvedSpec,
    SpecError,
    check_file,
    check_text,
)
from fastapi_architect.spec.source import DocumentError, read_spec_text
from fastapi_architect.survey import Survey, survey_index

FailOn = Literal["info", "warning", "error", "never"]
SPEC_TEXT_LABEL = "architect.yaml"
MAX_SPEC_CHARS = 1_000_000
MAX_PROBLEM_LINES = 40


# -- check_spec ------------------------------------------------------------------------------
def check_spec(root: Root, spec: str | None, path: str | None) -> CheckSpecResult:
    """Check spec text or a spec file under the root."""
    if (spec is None) == (path is None):
        raise ToolUsageError("give exactly one of `spec` (the spec text) or `path` (a spec file)")
    if spec is not None:
        if len(spec) > MAX_SPEC_CHARS:
            raise ToolUsageError(f"the spec text is over {MAX_SPEC_CHARS} characters")
        return _check_result(check_text(spec, SPEC_TEXT_LABEL), SPEC_TEXT_LABEL, root)
    assert path is not None
    file = root.existing(path)
    if file.is_dir():
        raise ToolUsageError(f"{path!r} is a directory; give the spec file (e.g. architect.yaml)")
    try:
        result = check_file(file)
    except OSError as exc:
        raise ToolUsageError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    return _check_result(result, root.relative(file), root)


def _location(location: Location, label: str, root: Root) -> SourceLocation:
    file = location.file
    if Path(file).is_absolute():
        file = root.relative(Path(file))
    return SourceLocation(file=file or label, line=location.line, column=location.column)


def _check_result(result: CheckResult, label: str, root: Root) -> CheckSpecResult:
    problems = [
        SpecProblem(
            location=_location(p.location, label, root), code=p.code, message=p.message, hint=p.hint
        )
        for p in result.problems
    ]
    spec = result.spec
    if spec is None or problems:
        count = len(problems)
        summary = (
            f"{label}: {count} problem{'s' if count != 1 else ''}; fix each one and check again"
        )
        return CheckSpecResult(
            file=label,
            ok=False,
            summary=summary,
            problems=problems,
            open_questions=[],
            resources=[],
            tables=[],
        )
    questions = [
        OpenQuestion(
            location=_location(q.location, label, root), subject=q.subject, decision=q.decision
        )
        for q in spec.open_questions
    ]
    resources = [
        ResourceSummary(
            name=r.name,
            path=f"{spec.api.prefix}{r.path}",
            table=r.table,
            owned=r.owned,
            soft_delete=r.soft_delete,
            audit=r.audit,
            relations=[f"{rel.name} -> {rel.target} ({rel.kind})" for rel in r.relations],
        )
        for r in spec.resources
    ]
    summary = (
        f"{label}: valid. {spec.project.title}: {len(spec.resources)} resources "
        f"({', '.join(r.name for r in spec.resources)}), {len(spec.tables)} tables, "
        f"{spec.auth.mode} auth, {spec.database.engine}; "
        f"{len(questions)} open question{'s' if len(questions) != 1 else ''}"
    )
    return CheckSpecResult(
        file=label,
        ok=True,
        summary=summary,
        problems=[],
        open_questions=questions,
        resources=resources,
        tables=[t.name for t in spec.tables],
    )


# -- generate --------------------------------------------------------------------------------
def generate(
    root: Root, spec: str | None, spec_path: str | None, target: str, *, overwrite: bool
) -> GenerateResult:
    """Write the backend a valid spec describes into `target`, a directory under the root."""
    resolved, text, label = valid_spec(root, spec, spec_path)
    directory = root.target_directory(target, overwrite=overwrite)
    existing = directory.is_dir() and any(directory.iterdir())
    if directory == root.path and not existing:
        # A new project is assembled beside its directory and moved into place, which the
        # root itself cannot be without writing outside it.
        raise ToolUsageError(
            "a new project cannot be written into the server root itself; give a directory "
            "under it (e.g. `target: backend`)"
        )
    revision: str | None = None
    try:
        if existing:
            _refuse_links_out(root, directory, resolved)
        if existing and overwrite and (directory / LOCK_FILE).is_file():
            # A generated project: the spec change becomes a migration, hand edits merge.
            evolved = evolve_project(directory, text, label)
            report, revision = evolved.written, evolved.revision
        else:
            report = generate_project(resolved, text, directory, force=overwrite)
    except PlanRefused as exc:
        raise ToolUsageError(
            "nothing was written: the spec change has refused steps (call plan_change for "
            "the whole plan):\n" + plan_text(exc.plan)
        ) from None
    except (UnsupportedSpecError, SpecError) as exc:
        raise ToolUsageError(f"{label}: {exc}") from None
    except (GenerateError, EvolveError) as exc:
        raise ToolUsageError(str(exc)) from None
    except OSError as exc:
        raise ToolUsageError(f"cannot write {target!r}: {exc.strerror or exc}") from None

    def under_root(relative: str) -> str:
        return root.relative(directory / relative)

    project = root.relative(directory)
    kept = [
        KeptFile(file=under_root(rel), new_version=under_root(rel + NEW_SUFFIX))
        for rel in report.kept
    ]
    next_steps = [
        f"Merge {k.new_version} into the hand-edited {k.file}, then delete it." for k in kept
    ]
    next_steps += [
        f"Resolve the conflict markers in {under_root(rel)} (your edit against the new "
        "generated version)."
        for rel in report.conflicted
    ]
    if revision:
        next_steps.append(
            f"Apply the new migration {under_root(revision)}: `alembic upgrade head` in "
            f"{root.relative(directory)}."
        )
    next_steps += [
        f"Run the generated tests: `make test` in {project} (the first run installs the "
        "project into its own .venv).",
        f"Call `review` with path {project} and fix what it finds; review again after every "
        "change.",
        f"Serve it: `make dev` in {project} migrates the database and serves the API, "
        "with its docs at http://127.0.0.1:8000/docs.",
    ]
    summary = (
        f"{project}: {'regenerated' if existing else 'generated'} {resolved.project.title} "
        f"from {label}: {len(report.written)} written, {len(report.unchanged)} unchanged, "
        f"{len(report.kept)} kept, {len(report.merged)} merged, "
        f"{len(report.conflicted)} with conflicts"
        + (f"; new migration {under_root(revision)}" if revision else "")
    )
    if kept:
        summary += f" (edited by hand; the new versions are beside them as *{NEW_SUFFIX})"
    return GenerateResult(
        project=project,
        spec=label,
        regenerated=existing,
        summary=summary,
        written=[under_root(rel) for rel in report.written],
        unchanged=[under_root(rel) for rel in report.unchanged],
        kept=kept,
        merged=[under_root(rel) for rel in report.merged],
        conflicted=[under_root(rel) for rel in report.conflicted],
        revision=under_root(revision) if revision else None,
        next_steps=next_steps,
    )


def valid_spec(
    root: Root,
    spec: str | None,
    spec_path: str | None,
    *,
    refused: str = "nothing was generated",
    again: str = "generate again",
) -> tuple[ResolvedSpec, str, str]:
    """The resolved spec, its text and how to name it; a spec with problems is refused with
    every problem listed, saying what was `refused` and how to try `again`."""
    if (spec is None) == (spec_path is None):
        raise ToolUsageError(
            "give exactly one of `spec` (the spec text) or `spec_path` (a spec file)"
        )
    if spec is not None:
        if len(spec) > MAX_SPEC_CHARS:
            raise ToolUsageError(f"the spec text is over {MAX_SPEC_CHARS} characters")
        text, label = spec, SPEC_TEXT_LABEL
        result = check_text(text, label)
    else:
        assert spec_path is not None
        file = root.existing(spec_path)
        if file.is_dir():
            raise ToolUsageError(
                f"{spec_path!r} is a directory; give the spec file (e.g. architect.yaml)"
            )
        label = root.relative(file)
        try:
            # Checked under its name relative to the root, so every location the resolved
            # spec carries (its open questions included) reads as the caller named it.
            raw = read_spec_text(file)
            result = check_text(raw, label)
            # The text a generated project records as its architect.yaml: newlines as
            # `fastapi-architect generate` reads them.
            text = raw.replace("\r\n", "\n").replace("\r", "\n")
        except DocumentError as exc:
            text, result = "", CheckResult(file=label, spec=None, problems=(exc.problem,))
        except OSError as exc:
            raise ToolUsageError(f"cannot read {spec_path!r}: {exc.strerror or exc}") from None
    checked = _check_result(result, label, root)
    if result.spec is None or not checked.ok:
        lines = [
            f"{p.location.file}:{p.location.line}:{p.location.column}: {p.message} [{p.code}]"
            + (f" (hint: {p.hint})" if p.hint else "")
            for p in checked.problems
        ]
        more = len(lines) - MAX_PROBLEM_LINES
        tail = [f"... and {more} more (call `check_spec` for all of them)"] if more > 0 else []
        count = len(lines)
        head = (
            f"{label}: {count} problem{'s' if count != 1 else ''} in the spec, so {refused}; "
            f"fix each one (`check_spec` lists them with their locations) and {again}:"
        )
        raise ToolUsageError("\n".join([head, *lines[:MAX_PROBLEM_LINES], *tail]))
    return result.spec, text, label


def _refuse_links_out(root: Root, directory: Path, spec: ResolvedSpec) -> None:
    """Regenerating writes (and first reads) every file the spec produces in place; refuse
    when any of them, or a folder on the way, is a symbolic link that leads out of the root."""
    names = [*render_project(spec, GENERATOR_VERSION), SPEC_FILE, LOCK_FILE]
    for relative in names:
        for path in (directory / relative, directory / (relative + NEW_SUFFIX)):
            if not root.contains(path):
                raise OutsideRootError(
                    f"{root.relative(path)} leads outside the server root {root.path} through "
                    f"a symbolic link (it resolves to {path.resolve()}); regenerating would "
                    "write there. Remove the link, or generate into another directory"
                )


# -- reading a tree --------------------------------------------------------------------------
def _read_tree(
    root: Root, target: Path, exclude: Sequence[str]
) -> tuple[dict[str, str], list[SkippedFile]]:
    """The Python sources under `target` keyed by relative path; links out of the root skipped."""
    base = target.parent if target.is_file() else target
    sources: dict[str, str] = {}
    skipped: list[SkippedFile] = []
    for file in discover(target, exclude):
        rel = file.relative_to(base).as_posix()
        if not root.contains(file):
            skipped.append(SkippedFile(file=rel, line=1, message="links outside the server root"))
            continue
        try:
            sources[rel] = decode(file.read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
            skipped.append(SkippedFile(file=rel, line=1, message=f"cannot read: {exc}"))
    return sources, skipped


def _skipped(errors: Sequence[ParseError]) -> list[SkippedFile]:
    return [SkippedFile(file=e.path, line=e.line, message=e.message) for e in errors]


def _config(root: Root, target: Path) -> ReviewConfig:
    """`[tool.fastapi-architect]` from the nearest pyproject.toml at or above `target`,
    looking no higher than the root."""
    start = target if target.is_dir() else target.parent
    for directory in (start, *start.parents):
        if not directory.is_relative_to(root.path):
            break
        candidate = directory / "pyproject.toml"
        if candidate.is_file() and root.contains(candidate):
            try:
                return load_config(start, candidate)
            except ConfigError as exc:
                raise ToolUsageError(str(exc)) from None
    return ReviewConfig()


# -- review ----------------------------------------------------------------------------------
def review(
    root: Root,
    path: str,
    select: list[str] | None,
    ignore: list[str] | None,
    exclude: list[str] | None,
    fail_on: FailOn | None,
) -> ReviewResult:
    """Review the Python code under `path` with the selected rules."""
    target = root.existing(path)
    config = _config(root, target)
    unknown = unknown_codes([*(select or ()), *(ignore or ()), *config.select, *config.ignore])
    if unknown:
        raise ToolUsageError(
            f"unknown rule code(s): {', '.join(unknown)}; use a rule id (FA104), an id "
            "prefix (FA1), a slug (sql-injection) or ALL"
        )
    config = config.merged(
        select=tuple(select) if select else None,
        ignore=tuple(ignore) if ignore else None,
        exclude=(*config.exclude, *exclude) if exclude else None,
        fail_on=Severity(fail_on) if fail_on and fail_on != "never" else None,
        # No cache file (it would be written outside the root) and no worker processes.
        cache=False,
        jobs=1,
    )
    threshold = "never" if fail_on == "never" else config.fail_on.value
    sources, skipped = _read_tree(root, target, config.exclude)
    result = review_files(sources, config, root=root.relative(target))
    active = result.active
    counts = Counter(f.severity.value for f in active)
    findings = [
        ReviewFinding(
            rule_id=f.rule_id,
            slug=f.slug,
            severity=f.severity.value,
            confidence=f.confidence.value,
            location=SourceLocation(file=_joined(root, target, f.path), line=f.line, column=f.col),
            end_line=f.end_line,
            end_column=f.end_col,
            message=f.message,
            fix=f.fix,
            cwe=f.cwe,
        )
        for f in active
    ]
    passed = threshold == "never" or not result.fails(config.fail_on)
    by_severity = ", ".join(f"{counts[s.value]} {s.value}" for s in reversed(Severity))
    summary = (
        f"{root.relative(target)}: {len(findings)} finding{'s' if len(findings) != 1 else ''} "
        f"({by_severity}) in {result.files} file{'s' if result.files != 1 else ''}; "
        f"{'passed' if passed else 'failed'} (fail on {threshold})"
    )
    if result.suppressed:
        summary += f"; {len(result.suppressed)} suppressed inline"
    return ReviewResult(
        path=root.relative(target),
        files=result.files,
        passed=passed,
        fail_on=threshold,
        summary=summary,
        counts={s.value: counts[s.value] for s in Severity},
        findings=findings,
        suppressed=len(result.suppressed),
        skipped=skipped + _skipped(result.errors),
        rules=list(result.rules),
    )


def _joined(root: Root, target: Path, rel: str) -> str:
    """A path the engine reports relative to the reviewed tree, made relative to the root."""
    base = target.parent if target.is_file() else target
    return root.relative(base / rel)


# -- survey ----------------------------------------------------------------------------------
def surveyed(
    root: Root, target: Path, exclude: Sequence[str] | None
) -> tuple[Survey, list[SkippedFile]]:
    """The survey of the code under `target`, read only under the root, and what was skipped."""
    config = _config(root, target)
    sources, skipped = _read_tree(root, target, (*config.exclude, *(exclude or ())))
    modules: list[ModuleFacts] = []
    for item in sorted(sources.items()):
        facts = facts_job(item)
        if isinstance(facts, ParseError):
            skipped.append(SkippedFile(file=facts.path, line=facts.line, message=facts.message))
        else:
            modules.append(facts)
    return survey_index(ProjectIndex(modules), root.relative(target)), skipped


def survey(root: Root, path: str, exclude: list[str] | None) -> SurveyResult:
    """Routes, table models and layering of the code under `path`."""
    target = root.existing(path)
    found, skipped = surveyed(root, target, exclude)

    def where(location: str) -> SourceLocation:
        rel, _, line = location.rpartition(":")
        return SourceLocation(
            file=_joined(root, target, rel), line=int(line) if line.isdigit() else 1, column=1
        )

    routes = [
        SurveyRoute(
            method=r.method,
            path=r.path,
            handler=r.handler,
            location=where(r.location),
            auth=r.auth,
            response_model=r.response_model,
            status_code=r.status_code,
        )
        for r in found.routes
    ]
    models = [
        SurveyModel(
            name=m.name,
            table=m.table,
            location=where(m.location),
            columns=[
                SurveyColumn(
                    name=c.name,
                    type=c.type,
                    primary_key=c.primary_key,
                    foreign_key=c.foreign_key,
                    index=c.index,
                    unique=c.unique,
                )
                for c in m.columns
            ],
            relations=[
                SurveyRelation(name=r.name, target=r.target, many=r.many) for r in m.relations
            ],
        )
        for m in found.models
    ]
    layers = [SurveyLayer(name=name, files=count) for name, count in found.layers]
    protected = sum(1 for r in routes if r.auth)
    summary = (
        f"{root.relative(target)}: {len(routes)} route{'s' if len(routes) != 1 else ''} "
        f"({protected} authenticated), {len(models)} table model"
        f"{'s' if len(models) != 1 else ''}, layers: "
        f"{', '.join(layer.name for layer in layers) or 'none recognised'}"
    )
    return SurveyResult(
        path=root.relative(target),
        files=found.files,
        summary=summary,
        routes=routes,
        models=models,
        layers=layers,
        edges=[
            SurveyEdge(source=e.source, target=e.target, imports=e.imports) for e in found.edges
        ],
        skipped=skipped,
    )


# -- explain_rule ----------------------------------------------------------------------------
def explain_rule(rule: str) -> RuleDocumentation:
    """A rule's documentation by id (FA104) or slug (sql-injection)."""
    found = get_rule(rule)
    if found is None:
        names = [name for r in all_rules() for name in (r.id, r.slug)]
        close = difflib.get_close_matches(rule.strip(), names, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ToolUsageError(
            f"no rule {rule!r}{hint} (rule ids run FA001 to "
            f"{all_rules()[-1].id}; the resources under fastapi-architect://rules/ list them)"
        )
    doc = rule_doc(found)
    return RuleDocumentation(
        id=doc.id,
        slug=doc.slug,
        severity=doc.severity,
        confidence=doc.confidence,
        cwe=doc.cwe,
        summary=doc.summary,
        sections=[RuleSection(title=title, body=body) for title, body in doc.sections],
        markdown=render_rule(found, heading="#"),
    )
