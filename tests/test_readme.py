"""The README stays true: its spec reference is current and its commands exist."""

from __future__ import annotations

import re

from fastapi_architect.cli import app
from fastapi_architect.spec.reference import update_readme
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_spec_reference_is_current() -> None:
    assert update_readme(README) == README, "run `make docs`"


def test_every_command_is_documented_and_every_documented_command_exists() -> None:
    registered = {
        command.name or getattr(command.callback, "__name__", "").replace("_", "-")
        for command in app.registered_commands
    }
    documented = set(re.findall(r"^\| `fastapi-architect ([a-z][a-z-]*)", README, re.MULTILINE))
    assert registered - documented == set()
    assert documented - registered == set()


def test_readme_examples_check_clean() -> None:
    from fastapi_architect import check_text

    blocks = re.findall(r"```yaml\n(.*?)```", README, re.DOTALL)
    specs = [block for block in blocks if block.startswith("project:")]
    assert len(specs) == 2
    for block in specs:
        result = check_text(block, "README.md")
        assert result.ok, result.problems


def test_make_targets_named_in_readme_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in re.findall(r"`make ([a-z-]+)`", README):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
