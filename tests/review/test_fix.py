"""`review --fix` and `--diff`: edits land where the parser placed them (byte columns, any line
ending), overlapping fixes wait for the next run, files keep their permissions."""

from __future__ import annotations

import ast
import stat
from pathlib import Path

from tests.review.test_cli import run

from fastapi_architect.review.fix import plan_fixes, write_fixes
from fastapi_architect.review.model import Confidence, Edit, Finding, Severity


def finding(path: str, line: int, *edits: Edit, suppressed: bool = False) -> Finding:
    return Finding(
        rule_id="FA999",
        slug="example",
        severity=Severity.WARNING,
        confidence=Confidence.HIGH,
        path=path,
        line=line,
        col=1,
        end_line=line,
        end_col=1,
        message="m",
        fix="f",
        suppressed=suppressed,
        edits=edits,
    )


def test_edits_use_byte_columns_and_keep_line_endings(tmp_path: Path) -> None:
    source = 'title = "naïve"; when = now()\r\nother = now()\r\n'
    (tmp_path / "m.py").write_bytes(source.encode())
    # `now()` on line 1 starts at byte 25 ("ï" is two bytes), on line 2 at byte 8.
    first = finding("m.py", 1, Edit(1, 25, 1, 30, "now(UTC)"))
    second = finding("m.py", 2, Edit(2, 8, 2, 13, "now(UTC)"))
    (fix,) = plan_fixes(tmp_path, [second, first])
    assert fix.after.decode() == 'title = "naïve"; when = now(UTC)\r\nother = now(UTC)\r\n'
    assert fix.fixed == (first, second)
    assert "-other = now()" in fix.diff()
    assert "+other = now(UTC)" in fix.diff()


def test_overlapping_and_suppressed_findings_are_left(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = f(1)\n")
    wide = finding("m.py", 1, Edit(1, 4, 1, 8, "g(2)"))
    inner = finding("m.py", 1, Edit(1, 6, 1, 7, "3"))
    hidden = finding("m.py", 1, Edit(1, 0, 1, 1, "y"), suppressed=True)
    (fix,) = plan_fixes(tmp_path, [wide, inner, hidden])
    assert fix.after == b"x = g(2)\n"
    assert fix.fixed == (wide,)


def test_insertions_at_one_place_and_edits_past_the_end(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("a = 1\n")
    beyond = finding("m.py", 9, Edit(9, 0, 9, 0, "x"))
    assert plan_fixes(tmp_path, [beyond]) == []
    first = finding("m.py", 1, Edit(1, 5, 1, 5, "0"))
    again = finding("m.py", 1, Edit(1, 5, 1, 5, "0"))
    (fix,) = plan_fixes(tmp_path, [first, again])
    assert fix.after == b"a = 10\n"


def test_written_files_keep_their_permissions(tmp_path: Path) -> None:
    script = tmp_path / "run.py"
    script.write_text("a = 1\n")
    script.chmod(0o750)
    fixes = plan_fixes(tmp_path, [finding("run.py", 1, Edit(1, 4, 1, 5, "2"))])
    write_fixes(tmp_path, fixes)
    assert script.read_text() == "a = 2\n"
    assert stat.S_IMODE(script.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["run.py"]


APP = """\
from fastapi import APIRouter
from sqlmodel import Field, SQLModel, select

router = APIRouter()


class Player(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(
        foreign_key="team.id",
    )


@router.post("/players/", response_model=None)
def create_player(team_id: int) -> None:
    return None


@router.post("/teams", status_code=201)
def create_team() -> None:
    return None


@router.get("/players")
def list_players(team_id: int, session=None) -> list[Player]:
    return session.exec(select(Player).where(Player.team_id == team_id)).all()
"""


def test_diff_shows_the_fixes_and_fix_applies_them(tmp_path: Path) -> None:
    app = tmp_path / "app" / "main.py"
    app.parent.mkdir()
    app.write_text(APP)
    rules = ("--select", "FA301,FA401", "--no-cache")

    shown = run("review", str(tmp_path), *rules, "--diff")
    assert shown.exit_code == 1
    assert '-@router.post("/players/", response_model=None)' in shown.stdout
    assert '+@router.post("/players/", response_model=None, status_code=201)' in shown.stdout
    assert '+        foreign_key="team.id", index=True,' in shown.stdout
    assert app.read_text() == APP

    before = run("review", str(tmp_path), *rules)
    assert before.stdout.count("(`--fix` applies it)") == 2

    fixed = run("review", str(tmp_path), *rules, "--fix")
    assert fixed.exit_code == 0
    assert "fixed 2 finding(s) in 1 file(s)" in fixed.stderr
    assert "0 finding(s)" in fixed.stdout
    ast.parse(app.read_text())
    assert run("review", str(tmp_path), *rules, "--diff").exit_code == 0
