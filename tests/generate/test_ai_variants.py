"""AI actions beyond the example: only streamed or only structured actions, one provider,
integer ids, rows every signed-in user reads, related rows in prompts, enum and optional
output fields. Each generated project passes ruff, mypy --strict, its AI tests on SQLite,
its migration against its models, and our review."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_architect import check_text
from fastapi_architect.generate import generate_project
from fastapi_architect.review import ReviewConfig, review
from tests.conftest import run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("generated-backends-b")]

STREAMED_ONLY = """\
project: {name: notebook}
api: {ids: integer}
auth: {roles: [reader, editor, admin]}
resources:
  Shelf:
    fields: {label: {type: string, max_length: 40}}
    access: {read: authenticated, create: authenticated}
  Book:
    fields:
      title: {type: string, max_length: 120}
      blurb: {type: text, required: false}
    relations:
      shelf: {to: Shelf, required: false}
    access: {read: authenticated, create: authenticated}
    ai:
      pitch:
        instructions: Write a one-line pitch.
        prompt: "Pitch {title} from the shelf {shelf.label}: {blurb}"
        max_output_tokens: 60
ai:
  providers:
    - {name: only, model: tiny, base_url: "https://models.example.com/v1"}
  cache_seconds: 0
"""

STRUCTURED_ONLY = """\
project: {name: tickets}
auth: {roles: [user, admin]}
resources:
  Ticket:
    owned: true
    soft_delete: true
    fields:
      subject: {type: string, max_length: 200}
      body: text
    ai:
      triage:
        description: Sort a ticket.
        prompt: "Triage this ticket. Subject: {subject}. Body: {body}"
        output:
          queue: {type: enum, values: [billing, bugs, other]}
          urgent: boolean
          summary: {type: string, max_length: 200, required: false}
          effort: {type: float, min: 0, max: 8}
ai:
  providers:
    - {name: primary, model: big, base_url: "https://primary.example.com/v1"}
    - {name: backup, model: small, base_url: "http://127.0.0.1:8080/v1"}
"""


@pytest.fixture(scope="module", params=["streamed-only", "structured-only"])
def ai_project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = STREAMED_ONLY if request.param == "streamed-only" else STRUCTURED_ONLY
    spec = check_text(text, "architect.yaml").spec
    assert spec is not None
    root = tmp_path_factory.mktemp(request.param)
    generate_project(spec, text, root)
    return root


def test_ai_tests_pass(venv: Path, ai_project: Path) -> None:
    result = run(venv, ai_project, "pytest", "-q", "-p", "no:cacheprovider", "tests/test_ai.py")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


def test_lint_and_types_pass(venv: Path, ai_project: Path) -> None:
    lint = run(venv, ai_project, "ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout[-4000:]
    types = run(venv, ai_project, "mypy", "app", "tests")
    assert types.returncode == 0, types.stdout[-4000:]


def test_reviews_clean(ai_project: Path) -> None:
    result = review(ai_project, ReviewConfig(cache=False, jobs=1))
    assert [f"{f.rule_id} {f.path}:{f.line} {f.message}" for f in result.findings] == []
