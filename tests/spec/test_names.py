"""Names derived from resource names: plurals, cases, database identifiers."""

from __future__ import annotations

import pytest

from fastapi_architect.spec.names import constraint_name, pluralize, singularize, snake_case


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("task", "tasks"),
        ("category", "categories"),
        ("box", "boxes"),
        ("address", "addresses"),
        ("order_item", "order_items"),
        ("person", "people"),
        ("day", "days"),
        ("status", "statuses"),
        ("news", "news"),
        ("leaf", "leaves"),
        ("knife", "knives"),
        ("hero", "heroes"),
        ("photo", "photos"),
    ],
)
def test_plural_and_back(singular: str, plural: str) -> None:
    assert pluralize(singular) == plural
    if singular not in {"status", "leaf", "knife", "hero", "address"}:
        assert singularize(plural) == singular


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("Task", "task"),
        ("OrderItem", "order_item"),
        ("HTTPLog", "http_log"),
        ("APIKey2", "api_key2"),
    ],
)
def test_snake_case(name: str, snake: str) -> None:
    assert snake_case(name) == snake


def test_long_constraint_names_stay_unique_within_63_bytes() -> None:
    first = constraint_name(
        "ix", "a_really_long_table_name", "owner_id", "a_long_column_name", "id"
    )
    second = constraint_name(
        "ix", "a_really_long_table_name", "owner_id", "a_long_column_nam2", "id"
    )
    assert len(first) <= 63
    assert len(second) <= 63
    assert first != second
