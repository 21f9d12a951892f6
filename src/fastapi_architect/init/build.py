"""From answers to a spec that passes `check`, or the checker's problems, each told against
the answer that caused it; the example specs shipped with the package."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.init.answers import SpecAnswers
from fastapi_architect.init.render import SCHEMA_LINE, SPEC_FILE, Rendered, render_spec
from fastapi_architect.spec import Problem, check_text, spec_json_schema

_PACKAGE = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Checked:
    """A rendered spec and its problems by section (`project`, `auth`, `database`,
    `resources.<Name>`, or `""` for the rest); no problems means `check` accepts it."""

    rendered: Rendered
    problems: dict[str, tuple[Problem, ...]]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_answers(answers: SpecAnswers) -> Checked:
    """Render `answers` and check the text exactly as `fastapi-architect check` would."""
    rendered = render_spec(answers)
    result = check_text(rendered.text, SPEC_FILE)
    found: dict[str, list[Problem]] = {}
    for problem in result.problems:
        found.setdefault(rendered.section_at(problem.location.line) or "", []).append(problem)
    return Checked(rendered, {section: tuple(items) for section, items in found.items()})


def schema_text() -> str:
    """`architect.schema.json`: the JSON Schema of the spec, as `fastapi-architect schema`
    prints it."""
    return json.dumps(spec_json_schema(), indent=2) + "\n"


def examples_dir() -> Path | None:
    """The example specs: shipped inside the package, or beside it in a source checkout."""
    for candidate in (_PACKAGE / "examples", _PACKAGE.parent.parent / "examples"):
        if candidate.is_dir() and any(candidate.glob("*.yaml")):
            return candidate
    return None


# The examples `init --example` offers: the README's three, and taskflow with an external issuer.
EXAMPLES = ("taskflow", "blog", "shop", "taskflow-jwks")


def example_text(name: str) -> str:
    """The example spec `name` with the editor's schema line first.

    Raises LookupError when it is not installed (a broken installation)."""
    folder = examples_dir()
    path = folder / f"{name}.yaml" if folder is not None else None
    if path is None or not path.is_file():
        raise LookupError(
            f"the example spec {name}.yaml is not installed with fastapi-architect "
            f"(looked in {_PACKAGE / 'examples'}); reinstall the package"
        )
    text = path.read_text(encoding="utf-8")
    return text if text.startswith(SCHEMA_LINE) else f"{SCHEMA_LINE}\n{text}"
