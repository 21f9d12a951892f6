"""How fast a backend is generated: the three examples and a 30-resource spec.

For each spec it times, in process, what `fastapi-architect new` does: check (parse,
validate, resolve), render the templates, format the tree with ruff, and write it into a
fresh directory; then the same through the command line in a new process (interpreter
start and imports included). Prints best and median of several runs; asserts nothing.
The target is a 30-resource spec in under 2 seconds.

Usage: python bench/generate_speed.py [--runs N] [--resources N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from fastapi_architect import check_text
from fastapi_architect.generate import GENERATOR_VERSION, generate_project
from fastapi_architect.generate.render import render_project
from fastapi_architect.generate.writer import formatted
from fastapi_architect.spec.model import ResolvedSpec

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0
CLI = [sys.executable, "-c", "from fastapi_architect.cli import main; main()"]


def large_spec(resources: int) -> str:
    """A spec of `resources` owned, soft-deleted resources with several fields, a
    many-to-one and a many-to-many relation, filters, sorts and search; a third of them
    audited; a shared Label resource is the target of the many-to-many relations."""
    lines = [
        "project: {name: large, title: Large API, description: Thirty resources}",
        "api: {prefix: /api/v1, pagination: cursor, max_page_size: 100, ids: uuid}",
        "auth: {mode: builtin, roles: [user, admin], default_role: user}",
        "rate_limits: {login: 5/minute, default: 120/minute}",
        "resources:",
        "  Label:",
        "    owned: true",
        "    fields:",
        "      name: {type: string, min_length: 1, max_length: 40}",
        "    unique: [[owner, name]]",
    ]
    for number in range(resources - 1):
        lines += [
            f"  Thing{number}:",
            "    owned: true",
            "    soft_delete: true",
            f"    audit: {'true' if number % 3 == 0 else 'false'}",
            "    fields:",
            "      title: {type: string, min_length: 1, max_length: 200}",
            "      body: {type: text, required: false, max_length: 10000}",
            "      state: {type: enum, values: [new, active, closed], default: new}",
            "      score: {type: integer, min: 0, max: 100, default: 0}",
            "      amount: {type: decimal, precision: 10, scale: 2, min: 0, default: 0}",
            "      done: {type: boolean, default: false}",
            "      due: {type: datetime, required: false}",
            "      link: {type: url, required: false}",
            "    relations:",
            "      labels: {to: Label, kind: many_to_many}",
        ]
        if number:
            lines.append(
                f"      parent: {{to: Thing{number - 1}, required: false, on_delete: set_null}}"
            )
        lines += [
            "    filters: [state, score, done, due]",
            "    sort: [created_at, score, due]",
            "    search: [title, body]",
            "    access: {read: [owner, admin], update: owner, delete: [owner, admin]}",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Timings:
    """Seconds per phase, one entry per run."""

    phases: dict[str, list[float]] = field(default_factory=dict)
    files: int = 0

    def add(self, phase: str, seconds: float) -> None:
        self.phases.setdefault(phase, []).append(seconds)


def resolved(text: str, name: str) -> ResolvedSpec:
    result = check_text(text, f"{name}.yaml")
    if result.spec is None or result.problems:
        raise SystemExit(f"{name}: the spec does not check: {result.problems}")
    return result.spec


def measure_in_process(name: str, text: str, runs: int, workdir: Path) -> Timings:
    """Per run: check, then render + format + write as `new` does (check through write is
    the total); render and format are then timed again on their own for the breakdown."""
    timings = Timings()
    for run in range(runs):
        target = workdir / f"{name}-{run}"
        start = time.perf_counter()
        spec = resolved(text, name)
        checked = time.perf_counter()
        generate_project(spec, text, target)
        written = time.perf_counter()
        timings.add("check", checked - start)
        timings.add("render+format+write", written - checked)
        timings.add("total", written - start)
        timings.files = sum(1 for path in target.rglob("*") if path.is_file())
        shutil.rmtree(target)
        start = time.perf_counter()
        files = render_project(spec, GENERATOR_VERSION)
        rendered = time.perf_counter()
        formatted(files)
        timings.add("render", rendered - start)
        timings.add("format", time.perf_counter() - rendered)
    return timings


def measure_cli(name: str, spec_path: Path, runs: int, workdir: Path) -> list[float]:
    """`fastapi-architect new SPEC -o DIR` in a new process, wall clock."""
    seconds = []
    for run in range(runs):
        target = workdir / f"{name}-cli-{run}"
        start = time.perf_counter()
        subprocess.run(
            [*CLI, "new", str(spec_path), "-o", str(target)], check=True, capture_output=True
        )
        seconds.append(time.perf_counter() - start)
        shutil.rmtree(target)
    return seconds


def figure(values: list[float]) -> str:
    return f"best {min(values) * 1000:7.0f} ms  median {statistics.median(values) * 1000:7.0f} ms"


def report(name: str, text: str, runs: int, cli_runs: int, workdir: Path) -> float:
    spec_path = workdir / f"{name}.yaml"
    spec_path.write_text(text, encoding="utf-8")
    timings = measure_in_process(name, text, runs, workdir)
    cli = measure_cli(name, spec_path, cli_runs, workdir)
    spec = resolved(text, name)
    declared = sum(1 for resource in spec.resources if not resource.builtin)
    print(
        f"{name}: {declared} resources (+ users), {len(spec.tables)} tables, "
        f"{len(text.splitlines())} spec lines -> {timings.files} files"
    )
    for phase in ("check", "render", "format", "render+format+write", "total"):
        label = "total (check+render+format+write)" if phase == "total" else phase
        print(f"  {label:<36} {figure(timings.phases[phase])}")
    print(f"  {'command line, new process':<36} {figure(cli)}")
    return statistics.median(timings.phases["total"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="in-process runs per spec")
    parser.add_argument("--cli-runs", type=int, default=3, help="command-line runs per spec")
    parser.add_argument("--resources", type=int, default=30, help="resources in the large spec")
    options = parser.parse_args()
    print(f"generate speed: {options.runs} runs in process, {options.cli_runs} by command line")
    with tempfile.TemporaryDirectory(prefix="generate-speed-") as scratch:
        workdir = Path(scratch)
        for path in sorted((ROOT / "examples").glob("*.yaml")):
            report(
                path.stem, path.read_text(encoding="utf-8"), options.runs, options.cli_runs, workdir
            )
        name = f"{options.resources}-resources"
        median = report(
            name, large_spec(options.resources), options.runs, options.cli_runs, workdir
        )
    verdict = "under" if median < TARGET_SECONDS else "OVER"
    print(
        f"{name}: median total {median:.2f} s, {verdict} the {TARGET_SECONDS:.0f} s target "
        f"(in process)"
    )


if __name__ == "__main__":
    main()
