"""Golden digests: the generated project and the design document of every example, byte for
byte. A change to either is a change users see; when it is meant, update the digests with
`UPDATE_GOLDEN=1 pytest tests/golden` and review the generated diff it describes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from fastapi_architect import check_text
from fastapi_architect.design import design_from_spec
from fastapi_architect.design.markdown import design_files
from fastapi_architect.generate import render_files
from tests.conftest import EXAMPLES, GENERATED_EXAMPLES

GOLDEN = Path(__file__).resolve().parent


def digests(name: str) -> dict[str, str]:
    """{path: sha256} of the generated project (`project/...`) and the design (`design/...`)."""
    label = f"examples/{name}.yaml"  # where the document says the spec is, wherever it is
    text = (EXAMPLES / f"{name}.yaml").read_text()
    spec = check_text(text, label).spec
    assert spec is not None
    outputs = {f"project/{p}": t for p, t in render_files(spec, text).items()}
    design = design_from_spec(spec, origin=label)
    for output_format in ("markdown", "json"):
        outputs |= {
            f"design/{output_format}/{p}": t for p, t in design_files(design, output_format).items()
        }
    return {
        path: hashlib.sha256(text.encode()).hexdigest() for path, text in sorted(outputs.items())
    }


def read_golden(path: Path) -> dict[str, str]:
    entries = (line.split("  ", 1) for line in path.read_text().splitlines() if line)
    return {name: digest for digest, name in entries}


@pytest.mark.parametrize("name", GENERATED_EXAMPLES)
def test_outputs_match_their_golden_digests(name: str) -> None:
    golden = GOLDEN / f"{name}.sha256"
    found = digests(name)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text("".join(f"{digest}  {path}\n" for path, digest in found.items()))
    expected = read_golden(golden)
    changed = sorted(p for p in found.keys() & expected.keys() if found[p] != expected[p])
    assert (sorted(found.keys() - expected.keys()), sorted(expected.keys() - found.keys())) == (
        [],
        [],
    ), "files added or removed"
    assert changed == [], f"changed (see the module docstring): {changed}"
