"""Long work shows progress: `review` of a large tree and `new --install` draw their progress
on a terminal, and stay quiet when their output is piped, under CI, or for a small tree."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pexpect
import pytest

from fastapi_architect.generate.install import InstallError, install_project
from fastapi_architect.review.cli import PROGRESS_MIN_FILES
from tests.conftest import write_tree
from tests.init.test_interactive import ANSI, command
from tests.small_project import SPEC

MODULE = "import time\n\n\nasync def handler_{n}() -> int:\n    time.sleep(1)\n    return {n}\n"
LARGE = PROGRESS_MIN_FILES + 50


@pytest.fixture(scope="module")
def large_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("large")
    return write_tree(root, {f"app/m{n}.py": MODULE.format(n=n) for n in range(LARGE)})


def without_ci(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return {**env, "COLUMNS": "120", **extra}


def on_terminal(tree: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    child = pexpect.spawn(
        command(),
        list(args or ("review", str(tree), "--no-cache", "--jobs", "1")),
        env=env,
        encoding="utf-8",
        timeout=600,
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


@pytest.mark.slow
def test_new_install_shows_pip_s_steps_on_a_terminal_and_leaves_a_working_project(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "architect.yaml"
    spec.write_text(SPEC)
    project = tmp_path / "backend"
    code, screen = on_terminal(
        tmp_path, without_ci(), "new", str(spec), "-o", str(project), "--install"
    )
    assert code == 0, screen
    assert re.search(r"installing: Collecting \S+", screen), screen
    assert f"installed into {project / '.venv'}" in screen
    # make's first step is done: the project's tests run at once.
    assert (
        subprocess.run(["make", "-q", ".venv/.installed"], cwd=project, check=False).returncode == 0
    )
    tests = subprocess.run(
        [
            str(project / ".venv" / "bin" / "pytest"),
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_platform.py",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr

    piped = subprocess.run(
        [command(), "new", str(spec), "-o", str(tmp_path / "again"), "--install"],
        env=without_ci(CI="true"),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    assert "installing" not in piped.stdout
    assert f"installed into {tmp_path / 'again' / '.venv'}" in piped.stdout


def test_a_failed_install_says_which_step_failed(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match=r"^python -m venv \.venv: No such file"):
        install_project(tmp_path, python=str(tmp_path / "no-python"))
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["no-such-package-anywhere==0"]\n'
    )
    with pytest.raises(
        InstallError,
        match=r"(?s)^pip install -e '\.\[dev\]' failed \(exit status 1\):\n.*no-such-package-anywhere",
    ):
        install_project(tmp_path)
    assert not (tmp_path / ".venv" / ".installed").exists()
