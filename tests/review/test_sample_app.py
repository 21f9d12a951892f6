"""The flawed sample app: review finds every documented flaw and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi_architect.review import ReviewConfig, review

SAMPLE = Path(__file__).parent / "sample_app"
EXPECT = re.compile(r"#\s*expect(-below)?:\s*(FA\d{3}(?:\s*,\s*FA\d{3})*)")


def documented_flaws() -> set[tuple[str, int, str]]:
    expected = set()
    for file in SAMPLE.rglob("*.py"):
        rel = file.relative_to(SAMPLE).as_posix()
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                target = number + 1 if match.group(1) else number
                for code in match.group(2).split(","):
                    expected.add((rel, target, code.strip()))
    return expected


def test_review_finds_every_documented_flaw_and_nothing_else():
    result = review(SAMPLE, ReviewConfig(cache=False))
    assert not result.errors
    found = {(f.path, f.line, f.rule_id) for f in result.active}
    expected = documented_flaws()
    assert len(expected) >= 30
    assert sorted(found - expected) == [], "findings nobody documented"
    assert sorted(expected - found) == [], "documented flaws the review missed"


def test_suppressions_are_reported_with_their_reason():
    result = review(SAMPLE, ReviewConfig(cache=False))
    reasons = {(f.rule_id, f.suppression_reason) for f in result.suppressed}
    assert ("FA403", "the legacy column is naive UTC") in reasons
    assert ("FA403", None) in reasons
