"""The package as users get it: the sdist and wheel built from this tree once per test run,
and installed where no source tree is around."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

BUILD_TIMEOUT = 300


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without this checkout on any path: no virtualenv of ours on PATH,
    no PYTHONPATH, so that only what was installed can be found."""
    ours = str(ROOT)
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if not p.startswith(ours)]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSTARTUP"}
    }
    return {**env, "PATH": os.pathsep.join(path), **extra}


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`python -m build`: the sdist, then the wheel built from the unpacked sdist (so the
    sdist is known to be complete)."""
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (wheel,) = out.glob("fastapi_architect-*.whl")
    (sdist,) = out.glob("fastapi_architect-*.tar.gz")
    return Dist(wheel, sdist)


@pytest.fixture(scope="session")
def installed(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed from the package index; its bin/."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    uv = Path(sys.executable).parent / "uv"
    env = clean_env()
    for command in (
        [str(uv), "venv", "--quiet", "--python", sys.executable, str(venv)],
        [
            str(uv),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(venv / "bin" / "python"),
            str(dist.wheel),
        ],
    ):
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT, check=False
        )
        assert done.returncode == 0, done.stderr[-3000:]
    return venv / "bin"
