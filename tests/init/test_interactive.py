"""`fastapi-architect init` on a terminal, driven through a pseudo-terminal as a person would
type: each question with its default on Enter, a refused answer explained and asked again,
and a spec at the end that passes `check`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
from pathlib import Path

import pexpect
import pytest

from fastapi_architect import check_file, load_spec
from fastapi_architect.init import SCHEMA_LINE

TIMEOUT = 30
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def command() -> str:
    script = Path(sys.executable).parent / "fastapi-architect"
    found = str(script) if script.exists() else shutil.which("fastapi-architect")
    if found is None:
        pytest.fail("the fastapi-architect console script is not installed (pip install -e .)")
    return found


class Terminal:
    """`fastapi-architect init ARGS` on a pseudo-terminal; `answer` waits for a question and
    types a line."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.child = pexpect.spawn(
            command(),
            ["init", *args],
            cwd=str(cwd),
            env={**os.environ, "COLUMNS": "200"},
            encoding="utf-8",
            timeout=TIMEOUT,
            dimensions=(50, 200),
        )
        self.transcript = ""

    def answer(self, question: str, line: str = "") -> str:
        """Wait for `question`; type `line` (Enter alone when empty); what the screen showed
        since the last answer, the question included."""
        seen = ""
        for text in (question, ": "):
            self.child.expect_exact(text)
            seen += ANSI.sub("", str(self.child.before) + str(self.child.after))
        self.transcript += seen
        self.child.sendline(line)
        return seen

    def finish(self) -> tuple[int, str]:
        self.child.expect(pexpect.EOF)
        self.transcript += ANSI.sub("", str(self.child.before))
        self.child.close()
        assert self.child.exitstatus is not None, self.transcript
        return self.child.exitstatus, self.transcript


def test_enter_to_every_question_writes_the_default_spec(tmp_path: Path) -> None:
    project = tmp_path / "reading-list"
    term = Terminal(tmp_path, "reading-list")
    assert "(reading-list)" in term.answer("Project name")
    assert "[builtin/jwks/none] (builtin)" in term.answer("Auth")
    assert "[postgresql/sqlite] (postgresql)" in term.answer("Production database")
    assert "(Note)" in term.answer("Resource 1")
    assert "(title, body:text?)" in term.answer("Fields of Note")
    assert "[y/n] (y)" in term.answer("Does each Note belong to the user who creates it")
    term.answer("Resource 2 (Enter to finish)")
    code, screen = term.finish()
    assert code == 0, screen
    spec_file = project / "architect.yaml"
    assert f"wrote {Path('reading-list') / 'architect.yaml'}" in screen
    assert "next:\r\n  fastapi-architect check reading-list/architect.yaml\r\n" in screen
    assert "  fastapi-architect new reading-list/architect.yaml -o reading-list/backend" in screen
    result = check_file(spec_file)
    assert result.ok, [p.render() for p in result.problems]
    assert spec_file.read_text().startswith(SCHEMA_LINE + "\n")
    assert (project / "architect.schema.json").is_file()
    spec = load_spec(spec_file)
    assert spec.project.name == "reading-list"
    note = next(r for r in spec.resources if r.name == "Note")
    assert note.owned
    assert [(f.name, f.type, f.required) for f in note.fields if not f.implicit] == [
        ("title", "string", True),
        ("body", "text", False),
    ]


# With the Enter-only session above (builtin, postgresql), every auth mode and database.
@pytest.mark.parametrize(
    ("auth", "database"), [("builtin", "sqlite"), ("jwks", "postgresql"), ("none", "sqlite")]
)
def test_each_auth_mode_and_database_makes_a_spec_that_passes_check(
    tmp_path: Path, auth: str, database: str
) -> None:
    term = Terminal(tmp_path)
    term.answer("Project name", "library")
    term.answer("Auth", auth)
    if auth == "jwks":
        term.answer("The issuer's JWKS URL", "https://login.example.org/jwks")
        term.answer("Its issuer", "https://login.example.org")
        term.answer("Your API's audience", "library-api")
    term.answer("Production database", database)
    term.answer("Resource 1", "Book")
    term.answer("Fields of Book", "title, isbn:string?, pages:integer?, read:boolean")
    if auth != "none":
        term.answer("Does each Book belong to the user who creates it", "y")
    term.answer("Resource 2", "Loan")
    term.answer("Fields of Loan", "book:Book, due:date, status:enum(open|returned)")
    if auth != "none":
        term.answer("Does each Loan belong to the user who creates it", "n")
    term.answer("Resource 3")
    code, screen = term.finish()
    assert code == 0, screen
    result = check_file(tmp_path / "architect.yaml")
    assert result.ok, [p.render() for p in result.problems]
    spec = load_spec(tmp_path / "architect.yaml")
    assert (spec.auth.mode, spec.database.engine) == (auth, database)
    owned = {r.name: r.owned for r in spec.resources if not r.builtin}
    assert owned == {"Book": auth != "none", "Loan": False}
    if auth == "jwks":
        assert spec.auth.jwks is not None
        assert spec.auth.jwks.url == "https://login.example.org/jwks"
        assert spec.auth.jwks.audience == "library-api"
    loan = next(r for r in spec.resources if r.name == "Loan")
    assert [r.target for r in loan.relations] == ["Book"]


def test_a_refused_answer_is_explained_and_asked_again(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    term.answer("Project name", "My Library")
    # The checker's own words, and its suggestion as the next default.
    screen = term.answer("Project name")
    assert "problem: project name 'My Library' must be lowercase letters" in screen
    assert "hint: use 'my-library'" in screen
    assert "(my-library)" in screen
    screen = term.answer("Auth", "oauth")
    term.answer("Auth")
    term.answer("Production database")
    term.answer("Resource 1", "book")
    term.answer("Fields of book", "title:strin")
    screen = term.answer("Fields of book", "title, from")
    assert "problem: field 'title': unknown type 'strin'" in screen
    term.answer("Does each book belong", "y")
    screen = term.answer("Resource 1")
    assert "problem: resource name 'book' must be PascalCase" in screen
    assert "(Book)" in screen
    screen = term.answer("Fields of Book")
    assert "(title, from)" in screen
    term.answer("Does each Book belong")
    screen = term.answer("Resource 1")
    assert "problem: 'from', a field of Book, is a Python keyword" in screen
    assert "hint: use 'from_' or another word" in screen
    term.answer("Fields of Book", "title, author")
    term.answer("Does each Book belong", "")
    term.answer("Resource 2", "Book")
    screen = term.answer("Resource 2", "Review")
    assert "problem: Book is declared already" in screen
    term.answer("Fields of Review", "text, book:Book, score:Integer")
    screen = term.answer("Resource 2", "Review")
    assert "field 'score': unknown type 'Integer' (did you mean 'integer'?)" in screen
    term.answer("Fields of Review", "text, book:Book, score:integer")
    term.answer("Does each Review belong", "n")
    term.answer("Resource 3")
    code, screen = term.finish()
    assert code == 0, screen
    assert "Please select one of the available options" in screen
    spec = load_spec(tmp_path / "architect.yaml")
    assert spec.project.name == "my-library"
    assert [r.name for r in spec.resources if not r.builtin] == ["Book", "Review"]


def test_an_existing_spec_is_refused_before_any_question(tmp_path: Path) -> None:
    (tmp_path / "architect.yaml").write_text("# mine\n")
    term = Terminal(tmp_path)
    code, screen = term.finish()
    assert code == 2
    assert "error: architect.yaml already exists: nothing written (--force replaces)" in screen
    assert "Project name" not in screen
    assert (tmp_path / "architect.yaml").read_text() == "# mine\n"


def test_ctrl_c_and_end_of_input_leave_nothing_behind(tmp_path: Path) -> None:
    term = Terminal(tmp_path, "app")
    term.answer("Project name", "library")
    term.child.expect_exact("Auth")
    term.child.kill(signal.SIGINT)
    code, screen = term.finish()
    assert code == 130
    assert "init cancelled: nothing written" in screen
    assert "Traceback" not in screen

    term = Terminal(tmp_path, "app")
    term.answer("Project name", "library")
    term.child.expect_exact("Auth")
    term.child.sendeof()
    code, screen = term.finish()
    assert code == 1
    assert "the input ended before every question was answered: nothing written" in screen
    assert not (tmp_path / "app").exists()
