"""docs/ci.md stays true: its pre-commit configurations and this repository's hook manifest
are valid to pre-commit itself, and its GitHub Actions workflow's commands, run here on a
pull request's checkout, write SARIF for code scanning and fail on what they should."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, write_tree
from tests.small_project import APP, INJECTION, SPEC

DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
BLOCKS = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, re.S)]
MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
BIN = Path(sys.executable).parent


def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pre-commit"), *args], capture_output=True, text=True, timeout=60, check=False
    )


def workflow() -> dict[Any, Any]:
    (found,) = [b for b in BLOCKS if isinstance(b, dict) and "jobs" in b]
    return found


def test_the_hook_manifest_and_the_documented_configs_are_valid_to_pre_commit(
    tmp_path: Path,
) -> None:
    checked = pre_commit("validate-manifest", str(ROOT / ".pre-commit-hooks.yaml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    ids = {hook["id"] for hook in MANIFEST}
    assert ids == {
        "fastapi-architect-review",
        "fastapi-architect-check",
        "fastapi-architect-api-diff",
    }
    configs = [b for b in BLOCKS if isinstance(b, dict) and "repos" in b]
    assert len(configs) == 2
    for number, config in enumerate(configs):
        path = tmp_path / f"config-{number}.yaml"
        path.write_text(yaml.safe_dump(config))
        checked = pre_commit("validate-config", str(path))
        assert checked.returncode == 0, checked.stdout + checked.stderr
        for repo in config["repos"]:
            if repo["repo"] != "local":
                assert {hook["id"] for hook in repo["hooks"]} <= ids
    for hook_id in ids:
        assert f"`{hook_id}`" in DOC


def test_the_workflow_uploads_the_review_s_sarif_to_code_scanning() -> None:
    flow = workflow()
    assert flow["permissions"]["security-events"] == "write"
    steps = flow["jobs"]["architect"]["steps"]
    review = next(s for s in steps if "--format sarif" in s.get("run", ""))
    output = re.search(r"--output (\S+)", review["run"])
    assert output is not None
    assert "--fail-on never" in review["run"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload"))
    assert upload["with"]["sarif_file"] == output.group(1)
    assert upload["if"] == "always()"
    assert steps.index(review) < steps.index(upload)


def run_steps(repo: Path, base_ref: str) -> list[tuple[str, int, str]]:
    """The workflow's `run:` steps, in order, as GitHub would run them on a pull request
    against `base_ref`, except the installs (this environment has fastapi-architect and the
    app's dependencies already)."""
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    ran = []
    for step in workflow()["jobs"]["architect"]["steps"]:
        command = step.get("run")
        if command is None or command.startswith("pip install"):
            continue
        command = command.replace("${{ github.base_ref }}", base_ref)
        cwd = repo / step.get("working-directory", ".")
        done = subprocess.run(
            ["bash", "-e", "-c", command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        ran.append((step.get("name", command), done.returncode, done.stdout + done.stderr))
    return ran


@pytest.fixture
def pull_request(tmp_path: Path) -> Path:
    """A repository laid out as `init` and `new` leave it, and a clone of it (the CI
    checkout, `origin/main` its base branch) on a pull request's branch."""
    origin = write_tree(
        tmp_path / "origin",
        {"architect.yaml": SPEC, "backend/app/__init__.py": "", "backend/app/main.py": APP},
    )
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.com",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.com",
    }
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=origin, env=env, check=True, capture_output=True)
    checkout = tmp_path / "checkout"
    subprocess.run(
        ["git", "clone", "-q", str(origin), str(checkout)], env=env, check=True, capture_output=True
    )
    subprocess.run(["git", "checkout", "-qb", "feature"], cwd=checkout, check=True)
    return checkout


def test_the_workflow_passes_a_clean_pull_request(pull_request: Path) -> None:
    ran = run_steps(pull_request, "main")
    assert [name for name, _, _ in ran] == [
        "Check the spec",
        "Review, as SARIF",
        "Fail on error-severity findings",
        "Breaking API changes",
    ]
    assert all(code == 0 for _, code, _ in ran), ran
    sarif = json.loads((pull_request / "review.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"] == []


def test_the_workflow_fails_a_finding_and_a_breaking_change_with_sarif_uploaded(
    pull_request: Path,
) -> None:
    (pull_request / "backend" / "app" / "db.py").write_text(INJECTION)
    main = pull_request / "backend" / "app" / "main.py"
    main.write_text(APP.replace('@app.get("/version")', '@app.get("/v2/version")'))
    ran = {name: (code, output) for name, code, output in run_steps(pull_request, "main")}
    assert ran["Check the spec"][0] == 0
    assert ran["Review, as SARIF"][0] == 0, "the upload must still run"
    assert ran["Fail on error-severity findings"][0] == 1
    assert "FA104 sql-injection" in ran["Fail on error-severity findings"][1]
    code, output = ran["Breaking API changes"]
    assert code == 1
    assert "::error " in output
    assert "GET /version: path removed without being deprecated first" in output
    sarif = json.loads((pull_request / "review.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["FA104"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "backend/app/db.py"  # as in the repository
