"""Every rule: unique id and slug, valid severity, documented, and its examples behave."""

from __future__ import annotations

import ast
import re

import pytest

from fastapi_architect.review import ReviewConfig, all_rules, review_files, rule_doc
from fastapi_architect.review.docs import SECTIONS, example_sources
from fastapi_architect.review.model import Confidence, Severity

RULES = all_rules()


def _ids(rules):
    return [r.id for r in rules]


def test_there_are_at_least_thirty_rules():
    assert len(RULES) >= 30


def test_ids_and_slugs_are_unique_and_well_formed():
    ids = _ids(RULES)
    slugs = [r.slug for r in RULES]
    assert len(set(ids)) == len(ids)
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"FA\d{3}", i) for i in ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_rule_is_documented(rule):
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.confidence, Confidence)
    doc = rule_doc(rule)
    titles = [title for title, _ in doc.sections]
    for required in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert required in titles, f"{rule.id} lacks '{required}'"
    assert all(t in SECTIONS for t in titles)
    assert rule.__module__.rsplit(".", 1)[-1].startswith(rule.id.lower())


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_example_fires_and_fix_is_silent(rule):
    doc = rule_doc(rule)
    config = ReviewConfig(select=(rule.id,), cache=False)
    bad = example_sources(doc.section("Example"))
    good = example_sources(doc.section("Use instead"))
    # FA000's example is a file no Python parses: that is what it reports.
    unparsable = rule.id == "FA000"
    for files in (good,) if unparsable else (bad, good):
        for text in files.values():
            ast.parse(text)
    result = review_files(bad, config)
    assert bool(result.errors) == unparsable
    fired = result.active
    assert [f.rule_id for f in fired if f.rule_id == rule.id], f"{rule.id} silent on Example"
    result = review_files(good, config)
    assert not result.errors
    silent = result.active
    assert not [f for f in silent if f.rule_id == rule.id], [f.message for f in silent]
