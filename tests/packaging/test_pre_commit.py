"""The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit on a temporary project:
a finding, a spec problem or a breaking API change refuses the commit; a clean tree passes.

The hook repository is a git repository of the sdist built from this tree, so pre-commit
installs fastapi-architect from a local path (its dependencies from the package index), as it
would from a tag of this repository."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import write_tree
from tests.packaging.conftest import Dist, clean_env
from tests.small_project import APP, INJECTION, SPEC

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("packaging")]
TIMEOUT = 900  # the first run installs the hooks' virtualenv
GIT_ID = {
    "GIT_AUTHOR_NAME": "Ada",
    "GIT_AUTHOR_EMAIL": "ada@example.com",
    "GIT_COMMITTER_NAME": "Ada",
    "GIT_COMMITTER_EMAIL": "ada@example.com",
}


@dataclass
class Project:
    root: Path
    env: dict[str, str]

    def run(self, *args: str) -> tuple[int, str]:
        done = subprocess.run(
            list(args),
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        return done.returncode, done.stdout + done.stderr

    def git(self, *args: str) -> str:
        code, output = self.run("git", *args)
        assert code == 0, output
        return output

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def commit(self, message: str) -> tuple[int, str]:
        self.git("add", "-A")
        return self.run("git", "commit", "-m", message)


def hook_repository(dist: Dist, where: Path, env: dict[str, str]) -> tuple[Path, str]:
    with tarfile.open(dist.sdist) as sdist:
        sdist.extractall(where, filter="data")
    (root,) = where.iterdir()
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "built tree"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    return root, rev


@pytest.fixture(scope="module")
def project(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Project:
    base = tmp_path_factory.mktemp("pre-commit")
    env = clean_env(PRE_COMMIT_HOME=str(base / "cache"), **GIT_ID)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # pre-commit itself
    hooks, rev = hook_repository(dist, base / "hooks", env)
    root = write_tree(
        base / "project",
        {
            "architect.yaml": SPEC,
            "app/__init__.py": "",
            "app/main.py": APP,
            ".pre-commit-config.yaml": (
                "repos:\n"
                f"  - repo: {hooks}\n"
                f"    rev: {rev}\n"
                "    hooks:\n"
                "      - id: fastapi-architect-review\n"
                "      - id: fastapi-architect-check\n"
                "      - id: fastapi-architect-api-diff\n"
                f"        args: [--app, app.main:create_app, --python, {sys.executable}]\n"
            ),
        },
    )
    made = Project(root, env)
    made.git("init", "-q", "-b", "main")
    made.git("add", "-A")
    made.git("commit", "-qm", "the first commit, before the hooks", "--no-verify")
    code, output = made.run("pre-commit", "install")
    assert code == 0, output
    return made


def test_a_clean_tree_passes_every_hook(project: Project) -> None:
    code, output = project.run("pre-commit", "run", "--all-files")
    assert code == 0, output
    for hook in ("review", "check", "api-diff"):
        assert f"fastapi-architect {hook}" in output
    assert output.count("Passed") == 3, output


def test_a_finding_refuses_the_commit_until_it_is_fixed(project: Project) -> None:
    before = project.head()
    (project.root / "app" / "db.py").write_text(INJECTION)
    code, output = project.commit("raw SQL")
    assert code == 1
    assert "fastapi-architect review" in output
    assert "FA104 sql-injection" in output
    assert "app/db.py" in output
    assert project.head() == before
    code, output = project.run("pre-commit", "run", "--all-files")
    assert code == 1
    assert "FA104" in output

    fixed = INJECTION.replace(
        "text(f\"SELECT * FROM items WHERE name = '{name}'\")",
        'text("SELECT * FROM items WHERE name = :name"), {"name": name}',
    )
    (project.root / "app" / "db.py").write_text(fixed)
    code, output = project.commit("bound parameters")
    assert code == 0, output
    assert project.head() != before


def test_a_spec_problem_refuses_the_commit(project: Project) -> None:
    before = project.head()
    (project.root / "architect.yaml").write_text(SPEC.replace("fields:", "fiels:"))
    code, output = project.commit("typo")
    assert code == 1
    assert "architect.yaml:5:5: error: unknown key 'fiels'" in output
    assert project.head() == before
    (project.root / "architect.yaml").write_text(SPEC)
    code, output = project.commit("no typo")
    assert code == 0 or "nothing to commit" in output, output


def test_a_breaking_api_change_refuses_the_commit(project: Project) -> None:
    before = project.head()
    main = project.root / "app" / "main.py"
    main.write_text(APP.replace('    @app.get("/version")', '    @app.get("/v2/version")'))
    code, output = project.commit("move /version")
    assert code == 1
    assert "fastapi-architect api-diff" in output
    assert "GET /version" in output
    assert "ERR" in output or "error" in output
    assert project.head() == before
    main.write_text(
        APP.replace(
            "    return app\n",
            '    @app.get("/ping")\n    async def ping() -> Health:\n        return Health(status="pong")\n\n    return app\n',
        )
    )
    code, output = project.commit("add /ping, compatible")
    assert code == 0, output
