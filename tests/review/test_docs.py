"""The rule reference rendered for the README covers every rule."""

from __future__ import annotations

from fastapi_architect.review import all_rules, render_rule_reference


def test_rule_reference_covers_every_rule():
    reference = render_rule_reference()
    for rule in all_rules():
        assert f"| {rule.id} | `{rule.slug}` |" in reference
        assert f"### {rule.id} `{rule.slug}`" in reference
    assert reference.count("#### Example") == len(all_rules())
