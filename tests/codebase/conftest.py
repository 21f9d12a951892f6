"""Helpers for the code model tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from tests.conftest import write_tree


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write `{relative path: text}` (dedented) under a fresh project folder."""

    def make(files: dict[str, str]) -> Path:
        texts = {rel: dedent(text).lstrip("\n") for rel, text in files.items()}
        return write_tree(tmp_path / "project", texts)

    return make
