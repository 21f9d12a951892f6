"""The server root: what resolves inside it, what is refused, and where a writing tool may write."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_architect.mcp import OutsideRootError, Root, ToolUsageError


@pytest.fixture
def root(tmp_path: Path) -> Root:
    (tmp_path / "outside").mkdir()
    (tmp_path / "project" / "src").mkdir(parents=True)
    return Root(tmp_path / "project")


def test_relative_absolute_and_not_yet_existing_paths_resolve_inside(root: Root):
    assert root.resolve("src") == root.path / "src"
    assert root.resolve(str(root.path / "src")) == root.path / "src"
    assert root.resolve("src/../new/dir") == root.path / "new" / "dir"
    assert root.resolve(".") == root.path
    assert root.relative(root.resolve("src/app.py")) == "src/app.py"


@pytest.mark.parametrize("raw", ["..", "../outside", "src/../../outside", "/etc/passwd"])
def test_paths_outside_are_refused(root: Root, raw: str):
    with pytest.raises(OutsideRootError, match="is outside the server root"):
        root.resolve(raw)


def test_a_symlink_out_is_refused_even_for_a_path_below_it(root: Root):
    (root.path / "escape").symlink_to(root.path.parent / "outside", target_is_directory=True)
    for raw in ["escape", "escape/new-file.py"]:
        with pytest.raises(OutsideRootError, match="through a symbolic link"):
            root.resolve(raw)


def test_empty_and_nul_paths_are_refused(root: Root):
    with pytest.raises(ToolUsageError, match="the path is empty"):
        root.resolve("  ")
    with pytest.raises(OutsideRootError, match="NUL"):
        root.resolve("src/\x00x")


def test_a_target_directory_must_be_empty_unless_overwrite(root: Root):
    assert root.target_directory("fresh", overwrite=False) == root.path / "fresh"
    (root.path / "src" / "main.py").write_text("")
    with pytest.raises(ToolUsageError, match="'src' is not empty"):
        root.target_directory("src", overwrite=False)
    assert root.target_directory("src", overwrite=True) == root.path / "src"
    with pytest.raises(ToolUsageError, match="exists and is not a directory"):
        root.target_directory("src/main.py", overwrite=True)
    with pytest.raises(OutsideRootError):
        root.target_directory("../outside", overwrite=True)


def test_the_root_must_be_an_existing_directory(tmp_path: Path):
    with pytest.raises(FileNotFoundError):
        Root(tmp_path / "missing")
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError):
        Root(tmp_path / "file")
