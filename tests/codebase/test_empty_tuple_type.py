"""A class field typed `tuple[()]` (the empty tuple) is indexed like any other field."""

from __future__ import annotations

from textwrap import dedent

from fastapi_architect.review import ReviewConfig, review_files

SOURCE = dedent(
    """
    from pydantic import BaseModel

    class Limits(BaseModel):
        supported_tools: tuple[()] = ()
        name: str
    """
)


def test_the_file_is_read_and_reviewed() -> None:
    result = review_files({"app/limits.py": SOURCE}, ReviewConfig(cache=False))
    assert result.errors == ()
    assert [f.rule_id for f in result.findings if f.rule_id == "FA000"] == []
