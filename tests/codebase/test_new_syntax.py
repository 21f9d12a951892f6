"""Python 3.12 to 3.14 syntax is read whatever interpreter runs the review: findings in such a
file are reported where they are in the file, `survey` sees its routes, and a file that is not
Python at all is an error finding at its syntax error."""

from __future__ import annotations

import ast
import json
from textwrap import dedent

import pytest
import typer
from typer.testing import CliRunner

from fastapi_architect.codebase import build_index, parse
from fastapi_architect.codebase.facts import ParseError
from fastapi_architect.codebase.parse import parse_source
from fastapi_architect.review import ReviewConfig, review, review_files
from fastapi_architect.review.cli import register
from fastapi_architect.survey.cli import register as register_survey

HEAD = "from sqlalchemy import text\n\n\n"
# Each: a file in one newer syntax, and the text of the `text(...)` call that FA104 must
# report, at its own line and column (the first one in the file after the marker `@@`).
CASES = {
    "pep695-function": """
        def find[T](session, name: str) -> T: return session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep695-class": """
        class Repo[T: (int, str), *Ts, **P](object):
            def find[K](self, session, name: str) -> K:
                return session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep695-multiline": """
        def find[
            T,  # the row
            U = int,
        ](session, name: str) -> T: return session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep695-type-alias": """
        type Rows[T] = list[tuple[T, ...]]; rows = lambda session, name: session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep701-same-quotes": """
        def find(session, d: dict) -> None:
            session.execute(@@text(f"SELECT * FROM t WHERE name = '{d["name"]}' AND {d["k"]} = 1"))
    """,
    "pep701-backslash": """
        def find(session, cols: list[str], name: str) -> None:
            session.execute(@@text(f"SELECT {',\\n'.join(cols)} FROM t WHERE name = '{name}'"))
    """,
    "pep701-comment-and-lines": """
        def find(session, name: str) -> None:
            session.execute(@@text(f"SELECT * FROM t WHERE name = '{
                name  # the caller's, unchecked
            }'"))
    """,
    "pep701-multiline-expression": """
        def find(session, name: str, suffix: str) -> None:
            session.execute(@@text(f"SELECT * FROM t WHERE name = '{name +
                suffix}'"))
    """,
    "pep701-nested": """
        def find(session, schema: str, table: str, item_id: int) -> None:
            session.execute(@@text(f"SELECT * FROM {f"{schema}.{f"{table}"}"} WHERE id = {item_id}"))
    """,
    "pep696-default": """
        class Page[T = int, *Ts = *tuple[int], **P = [int]]: ...
        def find[T = str](session, name: str) -> T: return session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep758-except": """
        def find(session, name: str) -> None:
            try:
                pass
            except ValueError, KeyError: session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep758-except-star": """
        def find(session, name: str) -> None:
            try:
                pass
            except* ValueError, KeyError: session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "pep750-template": """
        def find(session, name: str) -> None:
            audit = t"looked up {name!r:>10}"; session.execute(@@text(f"SELECT * FROM t WHERE name = '{name}'"))
    """,
    "non-ascii-before-a-shifted-column": """
        def find(session, name: str) -> None:
            try:
                pass
            except ValueError, KeyError: session.execute(@@text(f"SELECT 'é' FROM t WHERE name = '{name}'"))
    """,
}


def _source(case: str) -> tuple[str, int, int]:
    """The file's text, and the 1-based line and (byte) column of the marked call."""
    marked = HEAD + dedent(CASES[case]).lstrip("\n")
    at = marked.index("@@")
    text = marked.replace("@@", "", 1)
    line = text.count("\n", 0, at) + 1
    start = text.rfind("\n", 0, at) + 1
    return text, line, len(text[start:at].encode("utf-8")) + 1


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_finding_in_newer_syntax_is_reported_where_it_is(case):
    text, line, col = _source(case)
    result = review_files({"app/db.py": text}, ReviewConfig(select=("FA104",), cache=False))
    assert result.errors == ()
    assert [(f.rule_id, f.line, f.col) for f in result.active] == [("FA104", line, col)]
    finding = result.active[0]
    source_line = text.splitlines()[line - 1].encode("utf-8")
    assert source_line[finding.col - 1 :].startswith(b"text(")
    assert source_line[: finding.end_col - 1].endswith(b")") or finding.end_line > line


def test_a_t_string_is_a_template_not_a_formatted_string():
    text = HEAD + 'def q(session, name):\n    session.execute(text(t"SELECT 1 WHERE n = {name}"))\n'
    result = review_files({"app.py": text}, ReviewConfig(select=("FA104",), cache=False))
    assert (result.errors, result.active) == ((), ())
    tree = parse("app.py", text)
    assert not isinstance(tree, ParseError)
    template = next(n for n in ast.walk(tree) if type(n).__name__ == "TemplateStr")
    values = template.values  # type: ignore[attr-defined]
    assert [type(v).__name__ for v in values] == ["Constant", "Interpolation"]
    assert values[0].value == "SELECT 1 WHERE n = "
    assert values[1].str == "name"
    assert (values[1].value.lineno, values[1].value.col_offset) == (5, 47)


ROUTES = """
    from typing import Annotated
    from fastapi import APIRouter, Depends

    def require_admin_key() -> str: ...

    type AdminKey[T = str] = Annotated[T, Depends(require_admin_key)]

    router = APIRouter(prefix="/payments")

    @router.get("/")
    def list_payments(key: AdminKey) -> list[str]: return [f"{key!r:{"<"}10}"]

    @router.post("/", status_code=201)
    def create_payment(key: AdminKey) -> str:
        try:
            return t"{key}".strings[0]
        except ValueError, TypeError:
            raise

    @router.delete("/{payment_id}", status_code=204)
    def delete_payment[T](payment_id: str, key: AdminKey) -> None: ...

    @router.get("/{payment_id}")
    def read_payment[T](payment_id: str) -> str: ...
"""


def test_routes_and_auth_through_a_type_alias_are_seen(tree):
    root = tree({"app/payments.py": ROUTES})
    index = build_index(root)
    assert sorted((r.fact.methods[0], r.full_path) for r in index.routes) == [
        ("DELETE", "/payments/{payment_id}"),
        ("GET", "/payments/"),
        ("GET", "/payments/{payment_id}"),
        ("POST", "/payments/"),
    ]
    result = review(root, ReviewConfig(select=("FA101",), cache=False))
    assert result.errors == ()
    # The only route without the alias' auth dependency, at its `def`.
    assert [(f.rule_id, f.line, f.col) for f in result.active] == [("FA101", 24, 1)]


def _survey(*args: str):
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(lambda: None)
    register_survey(app)
    return CliRunner().invoke(app, list(args))


def test_survey_lists_the_routes_of_a_file_in_newer_syntax(tree):
    root = tree({"app/payments.py": ROUTES})
    data = json.loads(_survey("survey", str(root), "-f", "json").stdout)
    assert sorted(r["path"] for r in data["routes"]) == [
        "/payments/",
        "/payments/",
        "/payments/{payment_id}",
        "/payments/{payment_id}",
    ]


def _review(*args: str):
    app = typer.Typer(pretty_exceptions_enable=False)
    app.callback()(lambda: None)
    register(app)
    return CliRunner().invoke(app, list(args))


BROKEN = {
    # newer syntax before the error: the position is that of the original file
    "app/broken.py": "def first[T](items: list[T]) -> T:\n    return items[0] +\n",
    # an f-string that never ends
    "app/unterminated.py": 'x = 1\nname = f"{x!r} and {\n',
    # an error after a shifted column
    "app/shifted.py": "try:\n    pass\nexcept ValueError, KeyError: x = (]\n",
}


def test_an_unreadable_file_is_a_located_error_finding(tree):
    root = tree({**BROKEN, "app/ok.py": "x = 1\n"})
    result = review(root, ReviewConfig(cache=False))
    assert [(f.rule_id, f.path, f.line, f.col) for f in result.active] == [
        ("FA000", "app/broken.py", 2, 22),
        ("FA000", "app/shifted.py", 3, 35),
        ("FA000", "app/unterminated.py", 2, 20),
    ]
    assert all(f.severity.value == "error" for f in result.active)
    assert {e.path for e in result.errors} == set(BROKEN)

    failed = _review("review", str(root), "--no-cache", "--fail-on", "error")
    assert failed.exit_code == 1
    assert "2:22  error  FA000 unreadable-file" in failed.output
    assert "3:35  error  FA000 unreadable-file" in failed.output
    report = json.loads(_review("review", str(root), "--no-cache", "-f", "json").stdout)
    assert [(f["rule_id"], f["path"], f["line"], f["col"]) for f in report["findings"]] == [
        ("FA000", "app/broken.py", 2, 22),
        ("FA000", "app/shifted.py", 3, 35),
        ("FA000", "app/unterminated.py", 2, 20),
    ]


def test_each_file_is_parsed_once(tree, monkeypatch):
    plain = ROUTES.replace("type AdminKey[T = str] =", "AdminKey =").replace("[T](", "(")
    plain = plain.replace('{"<"}', "{'<'}").replace('t"{key}"', 'f"{key}"')
    plain = plain.replace("except ValueError, TypeError:", "except (ValueError, TypeError):")
    files = {f"app/m{i:02}.py": plain for i in range(3)}
    files["app/new.py"] = "def f[T](x: T) -> T: return x\n"
    root = tree(files)
    parsed: list[str] = []
    real = ast.parse

    def counting(source, filename="<unknown>", *args, **kwargs):
        if filename.startswith("app/"):
            parsed.append(filename)
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", counting)
    review(root, ReviewConfig(cache=False, jobs=1))
    # A file in newer syntax is read twice by `ast`: as it is (refused), then lowered.
    assert sorted(parsed) == sorted([*files, "app/new.py"] if _needs_lowering() else files)


def test_worker_processes_read_newer_syntax_alike(tree):
    files = {f"app/m{i:02}.py": ROUTES.replace("/payments", f"/p{i:02}") for i in range(50)}
    root = tree(files)
    serial = review(root, ReviewConfig(cache=False, jobs=1))
    parallel = review(root, ReviewConfig(cache=False, jobs=2))
    assert serial.errors == parallel.errors == ()
    assert serial.findings == parallel.findings
    assert [(f.rule_id, f.line) for f in serial.findings if f.rule_id == "FA101"] == [
        ("FA101", 24)
    ] * 50


def _needs_lowering() -> bool:
    try:
        ast.parse("def f[T](x: T) -> T: return x\n")
    except SyntaxError:
        return True
    return False


def test_positions_inside_a_lowered_f_string_are_those_python_3_12_gives():
    text = 'x = ("a" f"b{y!r:>{w}}c" "d")\nz = f"{ q = }{d["k"]}"\n'
    tree = parse_source(text)
    spans = [
        (type(n).__name__, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)
        for n in ast.walk(tree)
        if isinstance(n, ast.JoinedStr | ast.FormattedValue | ast.Constant | ast.Name)
    ]
    assert ("JoinedStr", 1, 5, 1, 28) in spans
    assert ("Name", 1, 13, 1, 14) in spans  # y
    assert ("Name", 1, 19, 1, 20) in spans  # w
    assert ("Name", 2, 8, 2, 9) in spans  # q
    assert ("Name", 2, 14, 2, 15) in spans  # d
    assert ("Constant", 2, 16, 2, 19) in spans  # "k"
    (z,) = [n for n in ast.walk(tree) if isinstance(n, ast.Assign) and n.lineno == 2]
    assert isinstance(z.value, ast.JoinedStr)
    debug, shown, item = z.value.values
    assert isinstance(debug, ast.Constant)
    assert debug.value == " q = "
    assert isinstance(shown, ast.FormattedValue)
    assert shown.conversion == ord("r")
    assert isinstance(item, ast.FormattedValue)
    assert isinstance(item.value, ast.Subscript)


def test_a_type_alias_binds_its_name():
    tree = parse_source("type Pair[T] = tuple[T, T]\n")
    (statement,) = tree.body  # type: ignore[attr-defined]
    name = statement.targets[0] if isinstance(statement, ast.Assign) else statement.name
    assert (name.id, name.lineno, name.col_offset, name.end_col_offset) == ("Pair", 1, 5, 9)
    assert (statement.lineno, statement.col_offset, statement.end_col_offset) == (1, 0, 26)
