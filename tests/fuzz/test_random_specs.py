"""Random specs: specs drawn from the spec format (`tests/fuzz/specs.py`) are checked, and each
one `check` accepts is generated into a project whose own tests must pass.

The property, per draw: `check` never raises (a refusal is a list of located problems);
when it accepts, `new` writes the project without an error, the project's own tests pass on
SQLite (`pytest -x`), it is lint-clean (`ruff check`), it type-checks (`mypy`, strict by its
pyproject) and its initial migration builds what its models say (`alembic upgrade head`,
then a comparison). Every draw runs in one
virtualenv, built once per session (tests/conftest.py): the generated projects'
dependencies do not depend on the spec.

In CI the draws are fixed (derandomized) and few: `CI_EXAMPLES` draws through the generated
tests, `FAST_EXAMPLES` through check and generation only. `make fuzz` draws FUZZ_EXAMPLES
specs (default 200) that check accepts, from a fresh seed, and prints the tally: drawn,
refused by check, accepted, generated, passed, failed. FUZZ_MINUTES bounds the
run; FUZZ_KEEP_GOING=1 records every failure (in FUZZ_FAILURES, default a temporary folder)
and carries on, instead of stopping at the first and shrinking it.

Every failure found is kept in tests/regression_specs/random/ and run through the same
property in CI (a fix may make `check` refuse the spec, or the generated project pass)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, reject, settings

from fastapi_architect import CheckResult, ResolvedSpec, check_text
from fastapi_architect.generate import generate_project
from tests.conftest import REDIS_URL, ROOT, run
from tests.fuzz.specs import Document, spec_documents, to_yaml
from tests.generate.test_generated_backends import COMPARE

REGRESSIONS = ROOT / "tests" / "regression_specs" / "random"
REGRESSION_SPECS = sorted(REGRESSIONS.glob("*.yaml"))

# Draws per CI run: about 1.5 minutes of generated suites on 2 busy cores (5-20 s each; the
# regression specs take as long again), and a few seconds for check and generation only.
CI_EXAMPLES = 8
FAST_EXAMPLES = 40
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)
FUZZ_MINUTES = float(os.environ.get("FUZZ_MINUTES") or 0)
KEEP_GOING = os.environ.get("FUZZ_KEEP_GOING", "") not in {"", "0"}

# A generated test that failed, as pytest's summary names it (its function, without params).
FAILED_TEST = re.compile(r"^FAILED tests/\S+::(\w+)", re.MULTILINE)

slow = pytest.mark.slow
on_generated_backends = pytest.mark.xdist_group("generated-backends")


# ---------------------------------------------------------------- running a draw


@dataclass
class Tally:
    """What a run drew and what became of it."""

    drawn: int = 0
    refused: int = 0
    accepted: int = 0
    passed: int = 0
    generated: int = 0
    failed: int = 0
    shrink_runs: int = 0
    distinct: set[str] = field(default_factory=set)
    failures: list[Path] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    seconds_in_suites: float = 0.0
    suites: bool = True

    def render(self) -> str:
        tested = f"{self.passed} passed their tests" if self.suites else "(their tests not run)"
        lines = [
            f"random specs: {self.drawn} drawn ({len(self.distinct)} distinct), "
            f"{self.refused} refused by check, {self.accepted} accepted, "
            f"{self.generated} generated, {tested}, "
            f"{self.failed} failed, in {time.monotonic() - self.started:.0f} s "
            f"({self.seconds_in_suites:.0f} s in generated suites)"
        ]
        if self.shrink_runs:
            lines.append(f"  then {self.shrink_runs} runs shrinking the failure")
        lines += [f"  failure: {path}" for path in self.failures]
        return "\n".join(lines)


def _redis_env() -> dict[str, str]:
    """The generated rate-limit test shares its counters through Redis when one answers."""
    host, _, port = REDIS_URL.split("//", 1)[1].split("/", 1)[0].partition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port or 6379)), 2):
            return {"TEST_REDIS_URL": REDIS_URL}
    except OSError:
        return {}


class Runner:
    """Checks, generates and tests drawn specs in one shared virtualenv."""

    def __init__(self, venv: Path, installed: set[str], root: Path, failures: Path) -> None:
        self.venv = venv
        self.installed = installed
        self.root = root
        self.failures = failures
        self.env = _redis_env()
        # One mypy cache for every draw: only the modules a draw changes are checked again.
        self.mypy_cache = root / ".mypy_cache"
        self.tally = Tally()
        self.shrinking = False
        # Once a draw failed, shrinking runs only the generated test that failed (`-k`): a
        # smaller draw that passes it counts as passing, which is all shrinking asks.
        self.focus: str | None = None

    def checked(self, text: str) -> CheckResult:
        """`check`'s verdict, which must be an accepted spec or located problems."""
        result = check_text(text)  # a raise is a failure: a spec check must never raise
        assert result.ok or result.problems
        for problem in result.problems:
            assert problem.location.line >= 1, problem.render()
            assert problem.location.column >= 1, problem.render()
        return result

    def generated(self, spec: ResolvedSpec, text: str) -> Path:
        target = self.root / hashlib.sha256(text.encode()).hexdigest()[:12]
        shutil.rmtree(target, ignore_errors=True)
        generate_project(spec, text, target)
        return target

    def install_missing(self, project: Path) -> None:
        """A draw that needs a dependency the examples did not bring installs it once."""
        metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
        wanted = {*metadata["dependencies"], *metadata["optional-dependencies"]["dev"]}
        missing = sorted(wanted - self.installed)
        if missing:
            installed = run(self.venv, project, "python", "-m", "pip", "install", *missing)
            assert installed.returncode == 0, installed.stderr[-2000:]
            self.installed |= set(missing)

    def suite(self, project: Path) -> str | None:
        """Why the project's own tests, its lint or its migration failed; None when all
        pass. With a focus (while shrinking), only what failed first is run."""
        started = time.monotonic()
        try:
            focus = self.focus
            if focus not in {"ruff", "mypy", "migration"}:
                selected = ["-k", focus] if focus else []
                tests = run(
                    self.venv,
                    project,
                    *("pytest", "-q", "-x", "-p", "no:cacheprovider", *selected),
                    env=self.env,
                )
                if tests.returncode not in {0, 5 if selected else 0}:
                    self.refocus(FAILED_TEST.search(tests.stdout))
                    return f"generated tests failed:\n{tests.stdout[-6000:]}{tests.stderr[-2000:]}"
                if focus is not None:
                    return None
            if focus in {None, "ruff"}:
                linted = run(self.venv, project, "ruff", "check", "--no-cache", ".")
                if linted.returncode != 0:
                    self.refocus("ruff")
                    return f"ruff check failed:\n{linted.stdout[-4000:]}"
            if focus in {None, "mypy"}:
                typed = run(
                    self.venv, project, "mypy", "--cache-dir", str(self.mypy_cache), "app", "tests"
                )
                if typed.returncode != 0:
                    self.refocus("mypy")
                    return f"mypy failed:\n{typed.stdout[-4000:]}"
            return self.migration(project) if focus in {None, "migration"} else None
        except subprocess.TimeoutExpired as exc:
            return f"timed out after {exc.timeout} s: {exc.cmd}"
        finally:
            self.tally.seconds_in_suites += time.monotonic() - started

    def migration(self, project: Path) -> str | None:
        """The initial migration, run on a fresh SQLite file, builds what the models say."""
        url = f"sqlite:///{project / 'migrated.db'}"
        env = {"DATABASE_URL": url, "APP_ENV": "test"}
        upgraded = run(self.venv, project, "alembic", "upgrade", "head", env=env)
        if upgraded.returncode != 0:
            self.refocus("migration")
            return f"alembic upgrade head failed:\n{upgraded.stderr[-4000:]}"
        compared = run(self.venv, project, "python", "-c", COMPARE, url)
        last = compared.stdout.strip().splitlines()[-1:] or [""]
        if compared.returncode != 0 or last[0] != "0 differences":
            self.refocus("migration")
            return (
                f"migration and models differ:\n{compared.stdout[-3000:]}{compared.stderr[-3000:]}"
            )
        return None

    def refocus(self, failed: re.Match[str] | str | None) -> None:
        if KEEP_GOING or self.focus is not None:
            return
        self.focus = failed.group(1) if isinstance(failed, re.Match) else failed

    def record(self, text: str, why: str, name: str | None = None) -> Path:
        self.failures.mkdir(parents=True, exist_ok=True)
        name = name or hashlib.sha256(text.encode()).hexdigest()[:12]
        path = self.failures / f"{name}.yaml"
        comment = "\n".join(f"# {line}".rstrip() for line in why.splitlines())
        path.write_text(f"{text}\n{comment}\n", encoding="utf-8")
        if path not in self.tally.failures:
            self.tally.failures.append(path)
        return path

    def draw(self, document: Document, *, run_suite: bool) -> None:
        """The property, for one drawn document. Once a draw failed (without
        FUZZ_KEEP_GOING), hypothesis shrinks it: those runs are counted apart, and each
        smaller failing draw is written to `minimal.yaml` (the last one is the minimum)."""
        text = to_yaml(document)
        note(text)
        tally = self.tally
        if FUZZ_MINUTES and time.monotonic() - tally.started > FUZZ_MINUTES * 60:
            return  # out of time: the remaining draws are not run
        if self.shrinking:
            tally.shrink_runs += 1
        else:
            tally.drawn += 1
            tally.distinct.add(text)
        try:
            result = self.checked(text)
            project = None
            if result.spec is not None:
                tally.accepted += not self.shrinking
                project = self.generated(result.spec, text)
                tally.generated += not self.shrinking
        except Exception as exc:
            self.failed(text, f"check or generation raised {type(exc).__name__}: {exc}")
            return
        if project is None:
            tally.refused += not self.shrinking
            # Only draws that reach the generated tests count towards max_examples there.
            if run_suite:
                reject()
            return
        if run_suite:
            self.install_missing(project)
            why = self.suite(project)
            if why is not None:
                self.failed(text, f"{why}\n(project at {project})")
                return
            if not self.shrinking:
                tally.passed += 1
        shutil.rmtree(project, ignore_errors=True)

    def failed(self, text: str, why: str) -> None:
        """Record a failing draw; raise (for hypothesis to shrink) unless keeping going."""
        if self.shrinking:
            path = self.record(text, why, "minimal")
        else:
            self.tally.failed += 1
            path = self.record(text, why)
            self.shrinking = not KEEP_GOING
        if not KEEP_GOING:
            raise AssertionError(f"{why}\n(spec saved as {path})")


def _settings(examples: int) -> settings:
    fuzzing = FUZZ_EXAMPLES > 0
    return settings(
        max_examples=FUZZ_EXAMPLES if fuzzing else examples,
        derandomize=not fuzzing,
        database=None,
        deadline=None,
        print_blob=fuzzing,
        # The explain phase runs the failing draw many more times, each a generated suite.
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )


def _report(tally: Tally, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        sys.stdout.write(f"\n{tally.render()}\n")


@pytest.fixture(scope="module")
def installed_requirements(venv: Path, projects: dict[str, Path]) -> set[str]:
    """What the shared virtualenv was installed with (see tests/conftest.py)."""
    requirements: set[str] = set()
    for project in projects.values():
        metadata = tomllib.loads(project.joinpath("pyproject.toml").read_text())["project"]
        requirements |= {*metadata["dependencies"], *metadata["optional-dependencies"]["dev"]}
    return requirements


def _failures_dir(tmp: Path) -> Path:
    configured = os.environ.get("FUZZ_FAILURES")
    return Path(configured) if configured else tmp / "failures"


# ---------------------------------------------------------------- the properties


def test_random_specs_check_and_generate(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fast half: check never raises, and what it accepts generates."""
    root = tmp_path_factory.mktemp("random-specs-fast")
    runner = Runner(Path(sys.prefix), set(), root, _failures_dir(root))
    runner.tally.suites = False

    @_settings(FAST_EXAMPLES)
    @given(spec_documents())
    def draws(document: Document) -> None:
        runner.draw(document, run_suite=False)

    try:
        draws()
    finally:
        _report(runner.tally, capsys)
    assert not runner.tally.failures, runner.tally.render()


@slow
@on_generated_backends
def test_random_specs_generate_passing_projects(
    venv: Path,
    installed_requirements: set[str],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole property: what check accepts generates a project whose tests pass."""
    root = tmp_path_factory.mktemp("random-specs")
    runner = Runner(venv, set(installed_requirements), root, _failures_dir(root))

    @_settings(CI_EXAMPLES)
    @given(spec_documents())
    def draws(document: Document) -> None:
        runner.draw(document, run_suite=True)

    try:
        draws()
    finally:
        _report(runner.tally, capsys)
    assert not runner.tally.failures, runner.tally.render()


# ---------------------------------------------------------------- regressions


@pytest.mark.parametrize("spec", REGRESSION_SPECS, ids=lambda spec: spec.stem)
def test_regression_spec_generates(spec: Path, tmp_path: Path) -> None:
    """Each spec that once failed: check refuses it with located problems, or `new`
    generates it (a fix may go either way: see the property)."""
    runner = Runner(Path(sys.prefix), set(), tmp_path, tmp_path / "failures")
    text = spec.read_text(encoding="utf-8")
    result = runner.checked(text)
    if result.spec is not None:
        runner.generated(result.spec, text)


@slow
@on_generated_backends
@pytest.mark.parametrize("spec", REGRESSION_SPECS, ids=lambda spec: spec.stem)
def test_regression_spec_passes(
    spec: Path, venv: Path, installed_requirements: set[str], tmp_path: Path
) -> None:
    """... and when it is accepted, the generated project's own tests pass."""
    runner = Runner(venv, set(installed_requirements), tmp_path, tmp_path / "failures")
    text = spec.read_text(encoding="utf-8")
    result = runner.checked(text)
    if result.spec is None:
        return  # refused, with located problems: the property holds
    project = runner.generated(result.spec, text)
    runner.install_missing(project)
    why = runner.suite(project)
    assert why is None, why
