"""The review, rules and rule commands: output and exit codes."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from fastapi_architect.review.cli import register, register_rules

SLEEPY = "import time\n\n\nasync def wait() -> None:\n    time.sleep(1)\n"
SECRET = "SECRET_KEY = 'a8f9c2e4d1b7'\n"


def _app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    register(app)
    register_rules(app)
    return app


def run(*args: str):
    return CliRunner().invoke(_app(), list(args))


def test_exit_code_follows_fail_on(tree):
    root = tree({"app.py": SLEEPY})
    assert run("review", str(root), "--no-cache").exit_code == 0
    assert run("review", str(root), "--no-cache", "--fail-on", "warning").exit_code == 1
    root_err = tree({"app.py": SLEEPY, "config.py": SECRET})
    result = run("review", str(root_err), "--no-cache")
    assert result.exit_code == 1
    assert "config.py" in result.output
    assert "FA105" in result.output
    assert "hardcoded-secret" in result.output
    assert "SECRET_KEY = 'a8f9c2e4d1b7'" in result.output
    assert run("review", str(root_err), "--no-cache", "--fail-on", "never").exit_code == 0


def test_usage_errors_exit_2_without_traceback(tree):
    root = tree({"app.py": SLEEPY})
    for args in (
        ("review", str(root / "missing")),
        ("review", str(root), "--select", "FA999"),
        ("review", str(root), "--format", "xml"),
        ("rule", "no-such-rule"),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_json_and_sarif_reports(tree, tmp_path):
    root = tree({"config.py": SECRET})
    out = json.loads(run("review", str(root), "--no-cache", "-f", "json").stdout)
    (finding,) = out["findings"]
    assert finding["rule_id"] == "FA105"
    assert finding["cwe"] == 798
    assert out["summary"]["error"] == 1
    target = tmp_path / "report.sarif"
    result = run("review", str(root), "--no-cache", "-f", "sarif", "-o", str(target))
    assert result.exit_code == 1
    sarif = json.loads(target.read_text())
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    (res,) = run_["results"]
    assert res["ruleId"] == "FA105"
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 1
    assert region["startColumn"] == 14
    rule = run_["tool"]["driver"]["rules"][res["ruleIndex"]]
    assert rule["id"] == "FA105"
    assert "external/cwe/cwe-798" in rule["properties"]["tags"]


def test_rules_and_rule_print_the_documentation():
    listed = json.loads(run("rules", "--json").stdout)
    assert len(listed) >= 30
    assert {"id": "FA104", "slug": "sql-injection"}.items() <= listed[
        next(i for i, r in enumerate(listed) if r["id"] == "FA104")
    ].items()
    by_slug = run("rule", "sql-injection")
    assert by_slug.exit_code == 0
    for section in ("What it does", "Why is this bad?", "Example", "Use instead"):
        assert section in by_slug.output
