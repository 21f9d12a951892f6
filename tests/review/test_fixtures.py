"""Annotated fixtures: `# ruleid: FAxxx` lines must be reported, `# ok: FAxxx` lines not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fastapi_architect.review import ReviewConfig, review_files

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("fa*.py"))
MARK = re.compile(r"#\s*(ruleid|ok):\s*(FA\d{3})")


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_fixture(fixture: Path):
    rule_id = fixture.stem.split("_")[0].upper()
    text = fixture.read_text()
    expected, allowed = set(), set()
    for number, line in enumerate(text.splitlines(), start=1):
        for kind, code in MARK.findall(line):
            assert code == rule_id, f"{fixture.name}:{number} names another rule"
            (expected if kind == "ruleid" else allowed).add(number)
    assert expected, "a fixture needs at least one `# ruleid:` line"
    assert allowed, "a fixture needs at least one `# ok:` line"
    result = review_files({"app.py": text}, ReviewConfig(select=(rule_id,), cache=False))
    assert not result.errors
    found = {f.line for f in result.active if f.rule_id == rule_id}
    assert sorted(expected - found) == [], "expected findings missing"
    assert sorted(found - expected) == [], "unexpected findings"
