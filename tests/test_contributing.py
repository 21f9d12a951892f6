"""The contributor guide stays true: every file it names exists, and the rule recipe's
numbering matches the rules that exist."""

from __future__ import annotations

import re

from fastapi_architect.review import all_rules
from fastapi_architect.spec.types import FIELD_TYPES, FieldType
from tests.conftest import ROOT

GUIDE = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")


def test_every_file_the_guide_names_exists() -> None:
    named = set(re.findall(r"`((?:src|tests|docs)/[\w/.-]+)`", GUIDE))
    assert len(named) > 15
    missing = sorted(path for path in named if not (ROOT / path).exists())
    assert missing == []


def test_every_field_type_is_registered_once() -> None:
    assert sorted(FIELD_TYPES) == sorted(FieldType.__args__)  # type: ignore[attr-defined]


def test_rule_modules_follow_the_recipe_naming() -> None:
    for rule in all_rules():
        module = rule.__module__.rsplit(".", 1)[-1]
        assert module == f"{rule.id.lower()}_{rule.slug.replace('-', '_')}", module
