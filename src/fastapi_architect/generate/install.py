"""Install a generated project into its own virtualenv, as its Makefile's first step does, so
that `make test` and `make dev` start at once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

# The virtualenv and the stamp the generated Makefile looks for (`$(VENV)/.installed`).
VENV = ".venv"
STAMP = "installed"
# Lines of pip's output kept for the error message when it fails.
TAIL_LINES = 15


class InstallError(RuntimeError):
    """Creating the virtualenv or installing the project failed; the message ends with what
    the failing command printed last."""


def install_project(
    root: Path, *, python: str = sys.executable, on_step: Callable[[str], None] | None = None
) -> Path:
    """Create `root/.venv` and install the project with its `dev` extras into it (editable).
    `on_step` hears each step as it starts: the virtualenv, then each package pip collects.
    Returns the virtualenv's directory."""
    report = on_step or (lambda _step: None)
    venv = root / VENV
    report("creating the virtualenv")
    _run("python -m venv .venv", [python, "-m", "venv", str(venv)], root, report)
    command = [str(venv / "bin" / "python"), "-m", "pip", "install", "--progress-bar", "off"]
    report("installing the project")
    command += ["--disable-pip-version-check", "-e", ".[dev]"]
    _run("pip install -e '.[dev]'", command, root, report)
    # Newer than pyproject.toml, so that make does not install it again.
    (venv / f".{STAMP}").touch()
    return venv


def _run(what: str, command: list[str], cwd: Path, report: Callable[[str], None]) -> None:
    output: list[str] = []
    try:
        with subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                output.append(line.rstrip())
                if line.startswith(("Collecting ", "Installing collected")):
                    report(line.strip())
            code = process.wait()
    except OSError as exc:
        raise InstallError(f"{what}: {exc.strerror or exc}") from None
    if code != 0:
        tail = "\n".join(output[-TAIL_LINES:])
        raise InstallError(f"{what} failed (exit status {code}):\n{tail}")
