"""How fast a spec change is planned and generated on the 30-resource spec.

v1 is the 30-resource spec of bench/generate_speed.py; v2 changes every third Thing
resource: a field renamed (`body` to `details`, with `renamed_from`), a new nullable field,
a new required field with a default (and bounds, so a check), a new enum value and a new
filter (an index). Timed separately, in process: the plan alone (`plan_change`), and the
whole `generate` of the change (`evolve_project`: plan, render both specs, format, write
the revision and merge every file) on a fresh copy of a project generated from v1; then
the same `generate` through the command line in a new process (interpreter start and
imports included). Prints best and median of several runs; asserts nothing. The target is
plan + generate under 1 second in process. With --profile, one in-process `generate` is
run under cProfile and the top entries of fastapi_architect by cumulative time are
printed, with the time spent per library, to show where the time goes.

Usage: python bench/evolve_speed.py [--runs N] [--cli-runs N] [--resources N] [--every N]
    [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

# bench/ is the script's directory, so on sys.path: the spec and helpers are shared.
from generate_speed import CLI, figure, large_spec

from fastapi_architect import check_text
from fastapi_architect.evolve.plan import plan_change
from fastapi_architect.evolve.project import evolve_project
from fastapi_architect.generate import SPEC_FILE, generate_project

TARGET_SECONDS = 1.0
PACKAGE = "fastapi_architect"


def changed_spec(v1_text: str, every: int) -> tuple[str, int]:
    """v2: v1 with every `every`-th Thing resource changed; its text and how many."""
    spec = yaml.safe_load(v1_text)
    changed = 0
    for name, resource in spec["resources"].items():
        if not name.startswith("Thing") or int(name.removeprefix("Thing")) % every:
            continue
        fields = resource["fields"]
        fields["details"] = {**fields.pop("body"), "renamed_from": "body"}
        fields["summary"] = {"type": "string", "max_length": 200, "required": False}
        fields["priority"] = {"type": "integer", "min": 1, "max": 5, "default": 3}
        fields["state"]["values"] = [*fields["state"]["values"], "archived"]
        resource["filters"] = [*resource["filters"], "amount"]
        resource["search"] = ["details" if key == "body" else key for key in resource["search"]]
        changed += 1
    return yaml.safe_dump(spec, sort_keys=False), changed


def fresh_copy(template: Path, target: Path, v2_text: str) -> Path:
    """A copy of the v1 project with architect.yaml edited to v2, as a user leaves it."""
    shutil.copytree(template, target)
    (target / SPEC_FILE).write_text(v2_text, encoding="utf-8")
    return target


def measure_plan(v1_text: str, v2_text: str, runs: int) -> tuple[list[float], Counter[str]]:
    seconds = []
    steps: Counter[str] = Counter()
    for _ in range(runs):
        start = time.perf_counter()
        plan = plan_change(v1_text, v2_text)
        seconds.append(time.perf_counter() - start)
        steps = Counter(step.id for step in plan.steps)
        steps["(API changes)"] = len(plan.api)
        steps["(refused)"] = len(plan.refused)
    return seconds, steps


def measure_generate(
    template: Path, v2_text: str, runs: int, workdir: Path
) -> tuple[list[float], str]:
    """`evolve_project` on a fresh copy of the v1 project per run; the copy is not timed."""
    seconds = []
    summary = ""
    for run in range(runs):
        target = fresh_copy(template, workdir / f"evolve-{run}", v2_text)
        start = time.perf_counter()
        report = evolve_project(target, v2_text, SPEC_FILE)
        seconds.append(time.perf_counter() - start)
        written = report.written
        revision = target / (report.revision or "")
        lines = len(revision.read_text(encoding="utf-8").splitlines()) if report.revision else 0
        summary = (
            f"{report.revision} ({lines} lines), {len(written.written)} written, "
            f"{len(written.merged)} merged, {len(written.unchanged)} unchanged"
        )
        shutil.rmtree(target)
    return seconds, summary


def measure_cli(template: Path, v2_text: str, runs: int, workdir: Path) -> list[float]:
    """`fastapi-architect generate DIR` in a new process, wall clock."""
    seconds = []
    for run in range(runs):
        target = fresh_copy(template, workdir / f"cli-{run}", v2_text)
        start = time.perf_counter()
        subprocess.run([*CLI, "generate", str(target)], check=True, capture_output=True)
        seconds.append(time.perf_counter() - start)
        shutil.rmtree(target)
    return seconds


def library(filename: str) -> str:
    """Who a profiled function belongs to: a package under site-packages, the standard
    library module, fastapi_architect's subpackage, or a builtin."""
    path = Path(filename)
    if filename == "~":
        return "builtins (C)"
    if PACKAGE in path.parts:
        parts = path.parts[path.parts.index(PACKAGE) :]
        return "/".join(parts[:2]) if len(parts) > 2 else PACKAGE
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1].removesuffix(".py")
    return f"stdlib {path.stem}"


def profile(template: Path, v2_text: str, workdir: Path, top: int) -> None:
    """One `generate` under cProfile: fastapi_architect's top entries by cumulative time,
    then the time spent in each library's own code (tottime)."""
    target = fresh_copy(template, workdir / "profiled", v2_text)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    evolve_project(target, v2_text, SPEC_FILE)
    profiler.disable()
    elapsed = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    ours = sorted(
        (
            (cumulative, total, calls, primitive, key)
            for key, (primitive, calls, total, cumulative, _) in entries.items()
            if PACKAGE in Path(key[0]).parts
        ),
        reverse=True,
    )
    print(
        f"\nprofile of one generate, in process, under cProfile ({elapsed:.2f} s with the "
        f"profiler's overhead): top {top} {PACKAGE} entries by cumulative time"
    )
    print(f"  {'cumulative':>10} {'own':>7} {'calls':>7}  function")
    for cumulative, total, calls, primitive, (filename, line, function) in ours[:top]:
        where = Path(filename).parts
        short = "/".join(where[where.index(PACKAGE) :])
        count = f"{calls}" if calls == primitive else f"{calls}/{primitive}"
        print(
            f"  {cumulative * 1000:8.0f} ms {total * 1000:4.0f} ms {count:>7}  "
            f"{short}:{line}({function})"
        )
    own: Counter[str] = Counter()
    for (filename, _line, function), (_p, _c, total, _cum, _callers) in entries.items():
        name = library(filename)
        if name == "builtins (C)":
            # C functions one by one: waiting for ruff, file system calls, regexes ...
            name = "waiting for subprocesses (ruff)" if "poll" in function else function
        own[name] += total
    print("  time in each library's own code and in each C function (tottime), the largest:")
    for name, total in own.most_common(10):
        print(f"  {total * 1000:8.0f} ms  {name}")
    shutil.rmtree(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="in-process runs per stage")
    parser.add_argument("--cli-runs", type=int, default=3, help="command-line runs")
    parser.add_argument("--resources", type=int, default=30, help="resources in the spec")
    parser.add_argument("--every", type=int, default=3, help="change every N-th resource")
    parser.add_argument("--profile", action="store_true", help="profile one generate")
    parser.add_argument("--top", type=int, default=10, help="profile entries to print")
    options = parser.parse_args()
    v1_text = large_spec(options.resources)
    v2_text, changed = changed_spec(v1_text, options.every)
    spec = check_text(v1_text, "v1.yaml").spec
    if spec is None:
        raise SystemExit("the 30-resource spec does not check")
    print(
        f"evolve speed: {options.resources} resources, {changed} changed (a rename, a nullable "
        f"field, a required field with a default, an enum value, a filter each); "
        f"{options.runs} runs in process, {options.cli_runs} by command line"
    )
    with tempfile.TemporaryDirectory(prefix="evolve-speed-") as scratch:
        workdir = Path(scratch)
        template = workdir / "v1"
        generate_project(spec, v1_text, template)
        plan_seconds, steps = measure_plan(v1_text, v2_text, options.runs)
        generate_seconds, summary = measure_generate(template, v2_text, options.runs, workdir)
        cli_seconds = measure_cli(template, v2_text, options.cli_runs, workdir)
        print("  plan: " + ", ".join(f"{count} {name}" for name, count in sorted(steps.items())))
        print(f"  generate: {summary}")
        print(f"  {'plan alone (plan_change)':<44} {figure(plan_seconds)}")
        print(f"  {'plan + generate (evolve_project)':<44} {figure(generate_seconds)}")
        print(f"  {'command line, new process (generate DIR)':<44} {figure(cli_seconds)}")
        median = statistics.median(generate_seconds)
        verdict = "under" if median < TARGET_SECONDS else "OVER"
        print(
            f"plan + generate: median {median:.2f} s, {verdict} the {TARGET_SECONDS:.0f} s "
            f"target (in process)"
        )
        if options.profile:
            profile(template, v2_text, workdir, options.top)
        elif median >= TARGET_SECONDS:
            print("(run with --profile to see where the time goes)")


if __name__ == "__main__":
    main()
