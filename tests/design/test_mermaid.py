"""Every Mermaid block of every document parses with the real Mermaid parser (npm
`mermaid` under Node with jsdom), and a malformed diagram is caught."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from textwrap import dedent

import pytest

from fastapi_architect import load_spec
from fastapi_architect.design import design_from_code, design_from_spec, render_markdown
from fastapi_architect.design.mermaid import _attribute_type, er_diagram
from fastapi_architect.design.model import ColumnDesign, ForeignKeyDesign, TableDesign
from tests.conftest import EXAMPLE_NAMES, EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_APP = ROOT / "tests" / "review" / "sample_app"
SCRIPT = Path(__file__).with_name("mermaid_parse.mjs")
PACKAGES = ["mermaid@11", "jsdom@26"]

# One worker installs the parser once.
pytestmark = [pytest.mark.xdist_group("mermaid")]


def mermaid_blocks(markdown: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


@pytest.fixture(scope="session")
def mermaid_parser(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with `mermaid` and `jsdom` installed from npm, and the parse script."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        message = "Node.js and npm are needed to parse Mermaid diagrams"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run every test", pytrace=False)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("mermaid")
    (root / "package.json").write_text('{"name": "mermaid-check", "private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *PACKAGES],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=600,
    )
    shutil.copy(SCRIPT, root / "parse.mjs")
    return root


def parse(parser: Path, diagrams: list[str]) -> list[dict[str, object]]:
    result = subprocess.run(
        ["node", "parse.mjs"],
        cwd=parser,
        input=json.dumps(diagrams),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    parsed: list[dict[str, object]] = json.loads(result.stdout)
    return parsed


def all_documents() -> dict[str, str]:
    documents = {
        name: render_markdown(design_from_spec(load_spec(EXAMPLES / f"{name}.yaml")))
        for name in EXAMPLE_NAMES
    }
    documents["sample_app"] = render_markdown(design_from_code(SAMPLE_APP))
    return documents


# Types as code declares them, which the ER diagram has to turn into one Mermaid word.
AWKWARD = TableDesign(
    name="line-items",
    kind="model",
    resource="LineItem",
    columns=(
        ColumnDesign(name="id", type="int", nullable=None, primary_key=True),
        ColumnDesign(name="price", type="NUMERIC(10, 2)", nullable=False),
        ColumnDesign(name="note", type="str | None", nullable=True),
        ColumnDesign(name="tags", type="list[str]", nullable=None),
        ColumnDesign(name="at", type="TIMESTAMP WITH TIME ZONE", nullable=None),
        ColumnDesign(name="2nd", type="Mapped[Optional[int]]", nullable=None, unique=True),
        ColumnDesign(name="order_id", type="uuid.UUID", nullable=False),
    ),
    primary_key=("id",),
    foreign_keys=(
        ForeignKeyDesign(
            name=None, column="order_id", ref_table="line-items", ref_column="id", on_delete=None
        ),
    ),
)


def test_every_document_has_an_er_diagram_and_a_flowchart() -> None:
    for name, markdown in all_documents().items():
        blocks = mermaid_blocks(markdown)
        assert [b.split("\n", 1)[0] for b in blocks] == ["erDiagram", "flowchart LR"], name


def test_awkward_column_types_become_single_words() -> None:
    assert _attribute_type("NUMERIC(10, 2)") == "NUMERIC(10_2)"
    assert _attribute_type("TIMESTAMP WITH TIME ZONE") == "TIMESTAMPTZ"
    assert " " not in _attribute_type("str | None")


@pytest.mark.slow
def test_every_mermaid_block_parses(mermaid_parser: Path) -> None:
    labelled = [
        (name, block)
        for name, markdown in all_documents().items()
        for block in mermaid_blocks(markdown)
    ]
    labelled.append(("awkward types", er_diagram([AWKWARD])))
    results = parse(mermaid_parser, [block for _, block in labelled])
    assert [
        (name, r["ok"], r.get("error")) for (name, _), r in zip(labelled, results, strict=True)
    ] == [(name, True, None) for name, _ in labelled]
    assert {r["type"] for r in results} == {"er", "flowchart-v2"}


@pytest.mark.slow
def test_a_malformed_diagram_fails_the_check(mermaid_parser: Path) -> None:
    good = design_from_spec(load_spec(EXAMPLES / "taskflow.yaml"))
    broken = [
        # An unclosed entity block.
        good.er_diagram.replace("    }\n", "\n", 1),
        # A column type with a space in it (what the diagram must never emit).
        good.er_diagram.replace("UUID id PK", "TIMESTAMP WITH TIME ZONE id PK", 1),
        # A dangling arrow.
        good.request_flow + "    service -->\n",
        dedent(
            """
            flowchart LR
                a["unclosed label] --> b
            """
        ).lstrip(),
    ]
    assert good.er_diagram != broken[0]
    assert good.er_diagram != broken[1]
    results = parse(mermaid_parser, broken)
    assert [r["ok"] for r in results] == [False, False, False, False]
    assert all(
        "Parse error" in str(r["error"]) or "error" in str(r["error"]).lower() for r in results
    )
