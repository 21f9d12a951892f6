"""FA001: an inline suppression that does not say why."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi_architect.review.model import Confidence, Finding, Severity
from fastapi_architect.review.rule import FileContext, Rule, parse_suppressions


class SuppressionWithoutReason(Rule):
    """## What it does
    Reports an `# architect: ignore[...]` comment that gives no reason, or that names no
    rule.

    ## Why is this bad?
    A suppression hides a finding from every later review. Without a reason, the next
    reader cannot tell a considered exception from a silenced bug.

    ## Example
    ```python
    import time

    async def wait() -> None:
        time.sleep(1)  # architect: ignore[FA201]
    ```

    ## Use instead
    ```python
    import time

    async def wait() -> None:
        time.sleep(1)  # architect: ignore[FA201] start-up only, before the loop serves
    ```

    ## Known problems
    None: the rule reads the comment text only.

    ## References
    - [docs/review.md, Suppressing a finding](../docs/review.md)
    """

    id = "FA001"
    slug = "suppression-without-reason"
    severity = Severity.WARNING
    confidence = Confidence.HIGH
    reviews_tests = True

    def check(self, ctx: FileContext) -> Iterator[Finding]:
        for sup in parse_suppressions(ctx.lines).values():
            span = (sup.line, sup.col, sup.line, sup.end_col)
            if not sup.codes:
                yield self.finding(
                    ctx,
                    span,
                    "suppression names no rule",
                    "name the rule: `# architect: ignore[FA104] reason`",
                )
            elif not sup.reason:
                yield self.finding(
                    ctx,
                    span,
                    f"suppression of {', '.join(sup.codes)} gives no reason",
                    "add why the finding does not apply after the brackets",
                )
