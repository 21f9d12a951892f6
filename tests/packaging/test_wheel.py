"""Installed from the wheel, with no source tree around, fastapi-architect does a newcomer's
first ten minutes: `init --example taskflow`, `check`, `new`, `design`, `review`, and an MCP
session over stdio whose examples resource comes from inside the package. The README's
install commands are the ones tested here (pipx's, in the tutorial's test)."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from tests.conftest import EXAMPLES, ROOT
from tests.packaging.conftest import Dist, clean_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]
TIMEOUT = 120
SHIPPED = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


def run(bin_dir: Path, cwd: Path, *args: str, code: int = 0) -> str:
    done = subprocess.run(
        [str(bin_dir / args[0]), *args[1:]],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == code, output
    assert "Traceback" not in output
    return output


def test_the_wheel_ships_the_example_specs_and_the_sdist_the_hooks(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = set(wheel.namelist())
        for name in SHIPPED:
            shipped = wheel.read(f"fastapi_architect/examples/{name}").decode()
            assert shipped == (EXAMPLES / name).read_text()
    assert "fastapi_architect/init/cli.py" in names
    assert not any(n.startswith(("tests/", "examples/")) for n in names)
    with tarfile.open(dist.sdist) as sdist:
        members = {m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name}
    for needed in (".pre-commit-hooks.yaml", "hatch_build.py", "docs/tutorial.md", "docs/ci.md"):
        assert needed in members
    assert {f"examples/{name}" for name in SHIPPED} <= members


def test_from_the_installed_wheel_init_check_new_design_review(
    installed: Path, tmp_path: Path
) -> None:
    where = run(
        installed, tmp_path, "python", "-c", "import fastapi_architect as f; print(f.__file__)"
    )
    assert str(ROOT) not in where
    assert "site-packages/fastapi_architect/__init__.py" in where

    out = run(installed, tmp_path, "fastapi-architect", "init", "--example", "taskflow")
    assert "wrote architect.yaml (the taskflow example) and architect.schema.json" in out
    assert "  fastapi-architect check architect.yaml" in out
    spec = (tmp_path / "architect.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=./architect.schema.json\n")
    run(installed, tmp_path, "fastapi-architect", "init", "--example", "taskflow", code=2)

    out = run(installed, tmp_path, "fastapi-architect", "check", "architect.yaml")
    assert "architect.yaml: valid" in out
    schema = run(installed, tmp_path, "fastapi-architect", "schema")
    assert schema == (tmp_path / "architect.schema.json").read_text()

    out = run(installed, tmp_path, "fastapi-architect", "new", "architect.yaml", "-o", "backend")
    assert "next: cd backend && make test && make dev" in out
    assert (tmp_path / "backend" / "app" / "main.py").is_file()
    assert (tmp_path / "backend" / "migrations" / "versions" / "0001_initial.py").is_file()

    out = run(installed, tmp_path, "fastapi-architect", "design", "architect.yaml", "-o", "docs")
    assert (tmp_path / "docs" / "architecture.md").read_text().startswith("# Taskflow API")

    out = run(installed, tmp_path, "fastapi-architect", "review", "backend")
    assert re.search(r"^0 finding\(s\): 0 error, 0 warning, 0 info in \d+ file\(s\)$", out, re.M)


def test_an_mcp_session_over_stdio_from_the_installed_wheel(
    installed: Path, tmp_path: Path
) -> None:
    params = StdioServerParameters(
        command=str(installed / "fastapi-architect"), args=["mcp"], cwd=tmp_path, env=clean_env()
    )
    (tmp_path / "architect.yaml").write_text((EXAMPLES / "blog.yaml").read_text())

    async def session() -> None:
        with anyio.fail_after(TIMEOUT):
            async with Client(params) as client:
                resources = {str(r.uri) for r in (await client.list_resources()).resources}
                for name in SHIPPED:
                    assert f"fastapi-architect://examples/{name}" in resources
                read = await client.read_resource("fastapi-architect://examples/shop.yaml")
                text = getattr(read.contents[0], "text", "")
                assert text == (EXAMPLES / "shop.yaml").read_text()
                checked = await client.call_tool("check_spec", {"path": "architect.yaml"})
                assert not checked.is_error, checked.content
                assert checked.structured_content is not None
                assert checked.structured_content["ok"] is True

    anyio.run(session)


def test_uvx_and_uv_tool_install_run_it(dist: Dist, tmp_path: Path) -> None:
    uv = Path(sys.executable).parent
    tools = tmp_path / "tools"
    env = clean_env(UV_TOOL_DIR=str(tools / "envs"), UV_TOOL_BIN_DIR=str(tools / "bin"))

    def succeed(program: Path, *args: str) -> str:
        done = subprocess.run(
            [str(program), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    out = succeed(
        uv / "uvx", "--from", str(dist.wheel), "fastapi-architect", "init", "--example", "shop"
    )
    assert "the shop example" in out
    succeed(uv / "uv", "tool", "install", "--quiet", str(dist.wheel))
    checked = succeed(tools / "bin" / "fastapi-architect", "check", "architect.yaml")
    assert "Shop API (shop 0.1.0)" in checked


def test_the_readme_install_section_is_what_these_tests_run() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Install", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```console\n(.*?)```", section.split("### Quick start")[0], re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == [
        "pipx install fastapi-architect",  # the tutorial's first command, run by its test
        "uv tool install fastapi-architect",  # test_uvx_and_uv_tool_install_run_it
        "uvx fastapi-architect init",  # test_uvx_and_uv_tool_install_run_it
        "pip install fastapi-architect",  # pipx installs with pip into its own virtualenv
    ]
