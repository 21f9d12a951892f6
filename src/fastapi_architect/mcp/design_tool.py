"""The design tool's work: the architecture document of a spec or of code, returned and,
when asked, written under the root."""

from __future__ import annotations

from pathlib import Path

from fastapi_architect.design import (
    Design,
    DesignExistsError,
    design_files,
    design_from_spec,
    design_from_survey,
    write_design,
)
from fastapi_architect.design.markdown import DOCUMENT
from fastapi_architect.mcp.models import DesignResult, OpenQuestion, SkippedFile, SourceLocation
from fastapi_architect.mcp.paths import OutsideRootError, Root, ToolUsageError
from fastapi_architect.mcp.tools import surveyed, valid_spec

# A written document longer than this is returned as its beginning; the file holds all of it.
MAX_DOCUMENT_CHARS = 16_000


# -- design ----------------------------------------------------------------------------------
def design(
    root: Root,
    spec: str | None,
    spec_path: str | None,
    from_code: str | None,
    output: str | None,
    *,
    overwrite: bool,
) -> DesignResult:
    """The architecture document of a valid spec or of the code under `from_code`; written
    with its ADRs into `output` (a directory under the root) when one is given."""
    given = [spec, spec_path, from_code]
    if sum(value is not None for value in given) != 1:
        raise ToolUsageError(
            "give exactly one of `spec_path` (a spec file), `spec` (the spec text) or "
            "`from_code` (a directory of FastAPI code)"
        )
    directory = _design_directory(root, output) if output is not None else None
    skipped: list[SkippedFile] = []
    if from_code is not None:
        found, skipped = surveyed(root, root.existing(from_code), None)
        document = design_from_survey(found)
    else:
        resolved, _, label = valid_spec(
            root, spec, spec_path, refused="nothing was designed", again="call `design` again"
        )
        document = design_from_spec(resolved, label)
    files = design_files(document)
    markdown = files[DOCUMENT]
    written = [] if directory is None else _write_design(root, directory, document, overwrite)
    excerpt = bool(written) and len(markdown) > MAX_DOCUMENT_CHARS
    shown = _excerpt(markdown, MAX_DOCUMENT_CHARS) if excerpt else markdown
    where = root.relative(directory / DOCUMENT) if directory is not None else None
    questions = [_question(q.location, q.subject, q.decision) for q in document.open_questions]
    counts = (
        f"{_count(len(document.endpoints), 'endpoint')}, {_count(len(document.tables), 'table')}, "
        f"{_count(len(document.risks), 'risk')}, {_count(len(questions), 'open question')}, "
        f"{_count(len(document.adrs), 'ADR')}"
    )
    summary = f"{document.origin}: designed {document.title} from the {document.source}: {counts}"
    if directory is None:
        summary += (
            f"; nothing written (give `output` to write it); `markdown` holds the whole "
            f"document ({len(markdown):,} characters)"
        )
    else:
        summary += f"; wrote {_count(len(written), 'file')} to {root.relative(directory)}"
        summary += (
            f"; `markdown` holds the first {len(shown):,} of {len(markdown):,} characters, "
            f"the whole document is {where}"
            if excerpt
            else f"; `markdown` holds the whole document ({len(markdown):,} characters)"
        )
    return DesignResult(
        source=document.source,
        origin=document.origin,
        title=document.title,
        summary=summary,
        endpoints=len(document.endpoints),
        tables=len(document.tables),
        risks=len(document.risks),
        open_questions=questions,
        adrs=[adr.title for adr in document.adrs],
        unknown=[f"{item.section}: {item.reason}" for item in document.unknown],
        output=root.relative(directory) if directory is not None else None,
        written=[root.relative(path) for path in written],
        document=where,
        markdown=shown,
        excerpt=excerpt,
        characters=len(markdown),
        skipped=skipped,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _question(location: str, subject: str, decision: str) -> OpenQuestion:
    """An open question of the document, whose location reads `file:line:column`."""
    file, line, column = location, "1", "1"
    head, _, last = location.rpartition(":")
    if last.isdigit() and head:
        first, _, middle = head.rpartition(":")
        if middle.isdigit() and first:
            file, line, column = first, middle, last
    return OpenQuestion(
        location=SourceLocation(file=file, line=int(line), column=int(column)),
        subject=subject,
        decision=decision,
    )


def _design_directory(root: Root, output: str) -> Path:
    """The directory to write a design into: under the root, and not a file."""
    directory = root.resolve(output)
    if directory.exists() and not directory.is_dir():
        raise ToolUsageError(f"{output!r} exists and is not a directory; give a directory")
    return directory


def _write_design(root: Root, directory: Path, document: Design, overwrite: bool) -> list[Path]:
    """Write the document and its ADRs: all or none, never through a link out of the root,
    and over existing design files only with `overwrite`."""
    for relative in design_files(document):
        path = directory / relative
        if not root.contains(path):
            raise OutsideRootError(
                f"{root.relative(path)} leads outside the server root {root.path} through a "
                f"symbolic link (it resolves to {path.resolve()}); writing the design would "
                "write there. Remove the link, or give another `output`"
            )
    try:
        return write_design(document, directory, "markdown", force=overwrite)
    except DesignExistsError as exc:
        names = [root.relative(path) for path in exc.existing]
        listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise ToolUsageError(
            f"{listed} already exist{'s' if len(names) == 1 else ''}, so nothing was written; "
            "pass overwrite=true to replace the design files (other files in "
            f"{root.relative(directory)} are never touched), or give another `output`"
        ) from None
    except OSError as exc:
        raise ToolUsageError(
            f"cannot write the design into {root.relative(directory)}: {exc.strerror or exc}"
        ) from None


def _excerpt(markdown: str, limit: int) -> str:
    """The beginning of `markdown`, whole lines up to `limit` characters, fences closed."""
    cut = markdown.rfind("\n", 0, limit)
    head = markdown[: cut + 1 if cut > 0 else limit]
    if sum(1 for line in head.splitlines() if line.startswith("```")) % 2:
        head += "```\n"
    return head
