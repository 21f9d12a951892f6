"""FA000: a file the review could not read or parse, so no other rule checked it."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_architect.codebase.facts import ParseError
from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule


class UnreadableFile(Rule):
    """## What it does
    Reports a Python file that could not be read (not UTF-8, unreadable) or parsed, at the
    place that stopped the parser. Python 3.8 to 3.14 syntax is read whatever Python runs the
    review, so what is left is code no Python accepts.

    ## Why is this bad?
    Every other rule skipped the file: an authentication dependency or a query in it goes
    unchecked, and a review that passes says nothing about it.

    ## Example
    ```python
    def create_task(payload: dict -> dict:
        return payload
    ```

    ## Use instead
    ```python
    def create_task(payload: dict) -> dict:
        return payload
    ```

    ## Known problems
    A file that is deliberately not Python (a template with a `.py` name) belongs in
    `exclude`.

    ## References
    - [docs/review.md, What is reviewed](../docs/review.md)
    """

    id = "FA000"
    slug = "unreadable-file"
    severity = Severity.ERROR
    confidence = Confidence.HIGH
    reviews_tests = True

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        # A file that reaches the rules was parsed: the engine reports the others.
        return iter(())

    def unreadable(self, error: ParseError) -> Finding:
        """The finding of a file the rules could not check, at the place that stopped it."""
        return Finding(
            rule_id=self.id,
            slug=self.slug,
            severity=self.severity,
            confidence=self.confidence,
            path=error.path,
            line=error.line,
            col=error.col,
            end_line=error.line,
            end_col=error.col + 1,
            message=f"file not reviewed: {error.message}",
            fix="make the file valid Python (3.8 to 3.14 syntax is read), or exclude it",
        )
