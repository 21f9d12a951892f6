"""The engine against the labelled corpus: a case is right when the highest level reported is
the labelled one (no change at all for `none`) and every labelled id is among those reported.
The accuracy over all cases must reach 98 %; the figure on the holdout cases, never used to
tune the engine, is given apart."""

from __future__ import annotations

from functools import cache

import pytest

from fastapi_architect.apidiff import CHECKS, diff, load_document
from tests.apidiff.corpus_cases import Case, load_cases, load_rules

REQUIRED_ACCURACY = 0.98


@cache
def _outcome(case: Case) -> tuple[bool, str]:
    """Whether the engine gets the case right, and what it reported."""
    report = diff(load_document(case.base), load_document(case.revision))
    top = max((c.level for c in report.changes), default=None)
    reported = {c.id for c in report.changes}
    if case.level in ("ERR", "WARN", "INFO", "none"):
        level_right = (top.name if top is not None else "none") == case.level
    else:  # a verdict without a level: breaking when, and only when, something is an ERR
        level_right = (case.verdict == "breaking") == (top is not None and top.name == "ERR")
    missing = [i for i in case.ids if i not in reported]
    shown = ", ".join(sorted(f"{c.id} {c.level.name}" for c in report.changes)) or "nothing"
    summary = f"{case.name}: expected {case.level} {list(case.ids)}, got {shown}"
    return level_right and not missing, summary


def _score(cases: list[Case]) -> tuple[int, list[str]]:
    wrong = [summary for right, summary in map(_outcome, cases) if not right]
    return len(cases) - len(wrong), wrong


def test_corpus_accuracy() -> None:
    cases = load_cases()
    if not cases:
        pytest.skip("the corpus has no cases yet")
    tuning = [c for c in cases if not c.holdout]
    holdout = [c for c in cases if c.holdout]
    right, wrong = _score(cases)
    tuning_right, _ = _score(tuning)
    holdout_right, _ = _score(holdout)
    figures = (
        f"accuracy {right}/{len(cases)} = {right / len(cases):.3f} "
        f"(tuning {tuning_right}/{len(tuning)}, holdout {holdout_right}/{len(holdout)})"
    )
    print(figures)
    assert right / len(cases) >= REQUIRED_ACCURACY, figures + "; wrong:\n" + "\n".join(wrong)


def test_catalogue_agrees_with_oasdiff() -> None:
    """Every check that says it is oasdiff's has oasdiff's id and default level."""
    rules = load_rules()
    if not rules:
        pytest.skip("the corpus has no oasdiff rules list yet")
    disagreements = [
        f"{check.id}: {check.level.name} here, "
        + (rules[check.id].level if check.id in rules else "not an oasdiff id")
        for check in CHECKS.values()
        if check.oasdiff is not None
        and (check.oasdiff not in rules or rules[check.oasdiff].level != check.level.name)
    ]
    assert not disagreements, "\n".join(disagreements)
    own = [check.id for check in CHECKS.values() if check.oasdiff is None and check.id in rules]
    assert not own, f"these are oasdiff's ids: mark them so: {own}"


def test_skipping_equal_operations_changes_no_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every corpus pair gives the same report whether operations equal down to what they
    reach are skipped (as they are) or compared in full."""
    from fastapi_architect.apidiff.unchanged import Unchanged

    pairs = [(load_document(c.base), load_document(c.revision)) for c in load_cases()]
    skipping = [diff(base, revision) for base, revision in pairs]
    monkeypatch.setattr(Unchanged, "same_operation", lambda *_: False)
    assert [diff(base, revision) for base, revision in pairs] == skipping
