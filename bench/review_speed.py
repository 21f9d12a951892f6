"""Review speed on a large real FastAPI application: files per second, cold and warm
(content-hash cache) through the Python API, the command in a new process, and bandit over
the same files.

Usage: python bench/review_speed.py [PATH]

Without PATH the script downloads `ethyca-fides` (a FastAPI application of about 950
Python files) with `pip download --no-deps` into a temporary directory and unpacks it;
when that is not possible it generates a tree of 600 modules instead. It prints figures
and asserts nothing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from textwrap import dedent

from fastapi_architect.codebase.files import discover
from fastapi_architect.review import ReviewConfig, review

PACKAGE = "ethyca-fides==2.78.2"
GENERATED_FILES = 600


def download(workdir: Path) -> Path | None:
    """Download and unpack the package; None when there is no network or no wheel."""
    target = workdir / "download"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", PACKAGE, "-d"]
    try:
        subprocess.run([*command, str(target)], check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError):
        return None
    wheels = sorted(target.glob("*.whl"))
    if not wheels:
        return None
    tree = workdir / "tree"
    with zipfile.ZipFile(wheels[0]) as archive:
        archive.extractall(tree)
    return tree


def generate(workdir: Path) -> Path:
    """A synthetic layered application of GENERATED_FILES modules."""
    tree = workdir / "generated"
    for i in range(GENERATED_FILES):
        layer = ("api", "services", "models", "schemas")[i % 4]
        path = tree / "app" / layer / f"module_{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            dedent(
                f"""
                from datetime import UTC, datetime
                from fastapi import APIRouter, Depends
                from sqlmodel import Field, SQLModel

                router = APIRouter(prefix="/things{i}")

                class Thing{i}(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    name: str = Field(max_length=100)
                    owner_id: int = Field(foreign_key="user.id", index=True)

                def get_current_user() -> dict[str, int]: ...

                @router.get("/{{thing_id}}")
                async def read_thing(thing_id: int, user=Depends(get_current_user)) -> dict:
                    started = datetime.now(UTC)
                    return {{"id": thing_id, "at": started.isoformat()}}
                """
            )
            * 3
        )
    return tree


def timed_review(tree: Path, cache_dir: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    result = review(tree, ReviewConfig(cache_dir=cache_dir))
    return time.perf_counter() - start, result.files, len(result.findings)


def timed_cli(tree: Path) -> float:
    """The command, as a user runs it: a new process, no cache."""
    command = Path(sys.executable).parent / "fastapi-architect"
    start = time.perf_counter()
    subprocess.run(
        [str(command), "review", str(tree), "--no-cache", "--fail-on", "never", "-f", "json"],
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def timed_bandit(files: list[Path]) -> float | None:
    """bandit over the very files the review reads (not the migrations it skips)."""
    bandit = shutil.which("bandit") or str(Path(sys.executable).parent / "bandit")
    if not Path(bandit).exists():
        return None
    start = time.perf_counter()
    subprocess.run(
        [bandit, "-q", "-f", "json", "-o", "/dev/null", *map(str, files)],
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        workdir = Path(tmp)
        if len(sys.argv) > 1:
            tree, source = Path(sys.argv[1]), sys.argv[1]
        else:
            downloaded = download(workdir)
            tree = downloaded or generate(workdir)
            source = PACKAGE if downloaded else f"generated tree of {GENERATED_FILES} modules"
        files = discover(tree)
        cache_dir = workdir / "cache"
        cold, reviewed, findings = timed_review(tree, cache_dir)
        warm, _, _ = timed_review(tree, cache_dir)
        command = timed_cli(tree)
        bandit = timed_bandit(files)
        print(f"tree: {source} ({len(files)} Python files reviewed, {findings} findings)")
        print(f"review cold: {cold:7.2f} s  {reviewed / cold:8.1f} files/s")
        print(f"review warm: {warm:7.2f} s  {reviewed / warm:8.1f} files/s (cache)")
        print(f"command:     {command:7.2f} s  {reviewed / command:8.1f} files/s (a new process)")
        if bandit is None:
            print("bandit: not installed")
        else:
            print(
                f"bandit:      {bandit:7.2f} s  {len(files) / bandit:8.1f} files/s (the same files)"
            )
            print(
                f"review cold is {bandit / cold:.1f}x bandit's speed; "
                f"the command, start-up included, {bandit / command:.1f}x"
            )


if __name__ == "__main__":
    main()
