"""Rule documentation read from the rule docstrings: sections, examples, Markdown."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from fastapi_architect.review.rule import Rule, all_rules

SECTIONS = (
    "What it does",
    "Why is this bad?",
    "Example",
    "Use instead",
    "Known problems",
    "References",
)
_HEADING = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
_CODE = re.compile(r"```python\n(.*?)```", re.DOTALL)
_FILE_MARK = re.compile(r"^# file: (\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation, section by section."""

    id: str
    slug: str
    severity: str
    confidence: str
    cwe: int | None
    sections: tuple[tuple[str, str], ...]

    def section(self, title: str) -> str:
        return dict(self.sections).get(title, "")

    @property
    def summary(self) -> str:
        text = " ".join(self.section("What it does").split())
        return text.split(". ")[0].rstrip(".") + "." if text else ""


def rule_doc(rule: Rule) -> RuleDoc:
    text = inspect.cleandoc(type(rule).__doc__ or "")
    parts = _HEADING.split(text)
    sections = tuple((parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2))
    return RuleDoc(
        rule.id, rule.slug, rule.severity.value, rule.confidence.value, rule.cwe, sections
    )


def example_sources(body: str) -> dict[str, str]:
    """The files of an Example / Use instead section; `# file: path` lines split them."""
    match = _CODE.search(body)
    code = match.group(1) if match else ""
    marks = list(_FILE_MARK.finditer(code))
    if not marks:
        return {"app.py": code}
    files: dict[str, str] = {}
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(code)
        files[mark.group(1)] = code[mark.end() : end].strip("\n") + "\n"
    return files


def render_rule(rule: Rule, *, heading: str = "###") -> str:
    """One rule's documentation as Markdown."""
    doc = rule_doc(rule)
    cwe = f", CWE-{doc.cwe}" if doc.cwe else ""
    lines = [
        f"{heading} {doc.id} `{doc.slug}`",
        "",
        f"*Severity {doc.severity}, confidence {doc.confidence}{cwe}.*",
        "",
    ]
    sub = heading + "#"
    for title, body in doc.sections:
        lines += [f"{sub} {title}", "", body, ""]
    return "\n".join(lines).rstrip() + "\n"


def render_rule_reference() -> str:
    """The rule reference for the README: a summary table, then every rule in full."""
    rules = all_rules()
    lines = [
        "## Rule reference",
        "",
        "| Id | Slug | Severity | What it catches |",
        "| --- | --- | --- | --- |",
    ]
    for rule in rules:
        doc = rule_doc(rule)
        lines.append(f"| {doc.id} | `{doc.slug}` | {doc.severity} | {doc.summary} |")
    lines.append("")
    for rule in rules:
        lines.append(render_rule(rule))
    return "\n".join(lines)
