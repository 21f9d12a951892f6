"""Helpers for the review tests."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest


def build_file_tree(root: Path, files: dict[str, str]) -> Path:
    """Write `{relative path: text}` under `root` (text is dedented)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def tree(tmp_path: Path):
    def make(files: dict[str, str]) -> Path:
        return build_file_tree(tmp_path / "project", files)

    return make
