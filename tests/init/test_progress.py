"""Long work shows progress: `review` of a large tree draws a progress bar on a terminal, and
stays quiet when its output is piped, under CI, or for a small tree."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pexpect
import pytest

from fastapi_architect.review.cli import PROGRESS_MIN_FILES
from tests.conftest import write_tree
from tests.init.test_interactive import ANSI, command

MODULE = "import time\n\n\nasync def handler_{n}() -> int:\n    time.sleep(1)\n    return {n}\n"
LARGE = PROGRESS_MIN_FILES + 50


@pytest.fixture(scope="module")
def large_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large")
    return write_tree(root, {f"app/m{n}.py": MODULE.format(n=n) for n in range(LARGE)})


def without_ci(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "COLUMNS": "120", **extra}


def on_terminal(tree: Path, env: dict[str, str]) -> tuple[int, str]:
    child = pexpect.spawn(
        command(),
        ["review", str(tree), "--no-cache", "--jobs", "1"],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -1, ANSI.sub("", child.before)


def test_a_large_tree_shows_a_progress_bar_on_a_terminal(large_tree: Path) -> None:
    code, screen = on_terminal(large_tree, without_ci())
    assert code == 0, screen
    assert "Reviewing: reading files" in screen
    assert re.search(rf"Reviewing: running the rules .*\b{LARGE}/{LARGE} files", screen), screen
    assert f"{LARGE} finding(s): 0 error, {LARGE} warning, 0 info in {LARGE} file(s)" in screen


def test_no_progress_under_ci_when_piped_or_for_a_small_tree(
    large_tree: Path, tmp_path: Path
) -> None:
    code, screen = on_terminal(large_tree, without_ci(CI="true"))
    assert code == 0
    assert "Reviewing" not in screen
    assert f"{LARGE} finding(s)" in screen

    small = write_tree(tmp_path, {f"m{n}.py": MODULE.format(n=n) for n in range(5)})
    code, screen = on_terminal(small, without_ci())
    assert "Reviewing" not in screen
    assert "5 finding(s)" in screen

    piped = subprocess.run(
        [command(), "review", str(large_tree), "--no-cache", "--jobs", "1"],
        env=without_ci(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 0
    assert piped.stderr == ""
    assert "Reviewing" not in piped.stdout
    assert f"{LARGE} finding(s)" in piped.stdout
