"""The labelled api-diff corpus is well formed: documents, labels, citations, holdout share."""

from __future__ import annotations

import ast
import re
from collections import Counter

import pytest

from tests.apidiff.corpus_cases import (
    CASES_DIR,
    MANIFEST,
    SOURCE_PREFIXES,
    Case,
    is_holdout,
    load_cases,
    load_document,
    load_rules,
)

CASES = load_cases()
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# "<owner/repo> <path in the repository> <test function or method>"
UPSTREAM_SOURCE = re.compile(
    r"^(oasdiff/oasdiff|OpenAPITools/openapi-diff) (\S+\.(go|java)) (\w+)$"
)


def _ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


def test_at_least_170_cases() -> None:
    assert len(CASES) >= 170


def test_names_are_unique_kebab_case_and_match_the_folders() -> None:
    names = [c.name for c in CASES]
    assert [n for n, k in Counter(names).items() if k > 1] == []
    assert [n for n in names if not KEBAB.match(n)] == []
    folders = {p.name for p in CASES_DIR.iterdir() if p.is_dir()}
    assert folders == set(names), "every case folder has a manifest entry and back"


def test_holdout_is_the_fixed_rule_and_at_least_30_percent() -> None:
    assert [c.name for c in CASES if c.holdout != is_holdout(c.name)] == []
    assert sum(c.holdout for c in CASES) / len(CASES) >= 0.30


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_both_documents_parse_as_openapi_3(case: Case) -> None:
    assert case.base.is_file(), f"{case.base} is missing"
    assert case.revision.is_file(), f"{case.revision} is missing"
    assert case.base.suffix == case.revision.suffix
    for path in (case.base, case.revision):
        document = load_document(path)
        assert isinstance(document, dict), path
        assert re.match(r"^3\.[01]\.\d+$", str(document.get("openapi", ""))), path
        assert isinstance(document.get("info"), dict), path
        assert isinstance(document.get("paths", {}), dict), path


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_labels_are_consistent(case: Case) -> None:
    rules = load_rules()
    assert [i for i in case.ids if i not in rules] == [], "ids must be oasdiff ids"
    assert len(set(case.ids)) == len(case.ids)
    if case.ids:
        highest = max(("INFO", "WARN", "ERR").index(rules[i].level) for i in case.ids)
        expected = ("INFO", "WARN", "ERR")[highest]
        # An id listed at a lower default level than the case cannot raise it above `level`.
        assert ("none", "INFO", "WARN", "ERR").index(case.level) >= highest + 1, (
            f"level {case.level} is below the {expected} of the listed ids"
        )
    if case.level == "none":
        assert case.ids == ()
    if case.disputed is None:
        assert (case.verdict == "breaking") == (case.level == "ERR"), (
            "a breaking verdict is an ERR unless the case is marked disputed"
        )
    else:
        assert case.origin == "openapi-diff", "only openapi-diff verdicts are disputed"
    assert case.note.strip()
    assert "\n" not in case.note


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_every_case_is_cited(case: Case) -> None:
    assert case.source.startswith(SOURCE_PREFIXES), case.source
    if case.origin == "fastapi":
        assert case.source == "fastapi-app base_app.py revision_app.py"
        assert case.base.suffix == ".json"
        for app in ("base_app.py", "revision_app.py"):
            text = (case.directory / app).read_text(encoding="utf-8")
            tree = ast.parse(text)
            assigned = {
                t.id
                for node in tree.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name)
            }
            assert "app" in assigned, f"{app} defines `app`, the FastAPI application"
    else:
        match = UPSTREAM_SOURCE.match(case.source)
        assert match, f"source must be '<repo> <file> <test>': {case.source}"
        repo, path, _, test = match.groups()
        if repo == "oasdiff/oasdiff":
            assert path.startswith("checker/")
            assert path.endswith("_test.go")
            assert test.startswith("Test")
        else:
            assert path.startswith("core/src/test/java/")
            assert path.endswith("Test.java")


def test_every_source_is_represented() -> None:
    origins = Counter(c.origin for c in CASES)
    assert origins["oasdiff"] > 0
    assert origins["openapi-diff"] > 0
    assert origins["fastapi"] >= 10


def test_every_level_and_verdict_is_represented() -> None:
    assert {c.level for c in CASES} == {"ERR", "WARN", "INFO", "none"}
    assert {c.verdict for c in CASES} == {"breaking", "compatible"}
    assert {c.level for c in CASES if c.holdout} == {"ERR", "WARN", "INFO", "none"}


def test_rules_table() -> None:
    rules = load_rules()
    assert len(rules) >= 400
    for rule in rules.values():
        assert KEBAB.match(rule.id), rule.id
        assert rule.level in ("ERR", "WARN", "INFO"), rule
        assert rule.direction in ("request", "response", "none"), rule
        assert rule.meaning.strip(), rule


def test_manifest_is_readable_by_itself() -> None:
    assert MANIFEST.read_text(encoding="utf-8").startswith("#")
