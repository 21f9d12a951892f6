"""Wheel build hook: the example specs (examples/*.yaml) ship inside the package as
`fastapi_architect/examples/`, so that an installed `fastapi-architect` has them
(`init --example`, the MCP server's examples resource). An editable install reads
examples/ in the source tree instead, so nothing is copied for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ExampleSpecs(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        examples = sorted(Path(self.root, "examples").glob("*.yaml"))
        if not examples:
            raise RuntimeError("examples/*.yaml not found: the wheel must ship the example specs")
        for path in examples:
            build_data["force_include"][str(path)] = f"fastapi_architect/examples/{path.name}"
