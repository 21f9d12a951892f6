"""Review precision on a corpus of real FastAPI applications.

Usage: python bench/review_corpus.py [--split tune|held-out|all] [--app NAME]...
                                     [--cache DIR] [--tree NAME=DIR]... [--unjudged]

The applications are listed in bench/review_corpus/apps.toml, each pinned to a PyPI
release or a GitHub commit. The script downloads each one into a cache directory
(default ~/.cache/fastapi-architect/review-corpus) and unpacks it, runs
`fastapi_architect.review.review` on its code directory, and compares the findings with
the verdicts in bench/review_corpus/judgments.csv (true or false positive, with a
reason). Every error-severity finding is to be judged, and a seeded sample of warnings
(SAMPLE per application, or all of them when fewer).

A verdict applies to a finding with the same application, path and rule, on the same
line or, failing that, within LINE_SLACK lines, so that verdicts survive small changes in
where a rule reports.

It prints, per application: files, lines, seconds, files skipped, findings by severity,
error and warning precision over the judged findings, and how many findings that should
be judged are not; then totals for the tune and held-out splits, and, when the
deliberately vulnerable application of bench/review_corpus/vulnerable.toml is at hand,
which of its documented flaws the review reports. `--unjudged` lists the findings still
to judge with two lines of context. It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import urllib.request
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from fastapi_architect.codebase.files import discover
from fastapi_architect.review import Finding, ReviewConfig, Severity, review

CORPUS = Path(__file__).resolve().parent / "review_corpus"
DEFAULT_CACHE = Path.home() / ".cache" / "fastapi-architect" / "review-corpus"
SAMPLE = 30
SAMPLE_SEED = "review-corpus-1"
LINE_SLACK = 3
CONTEXT = 2
SPLITS = ("tune", "held-out")


@dataclass(frozen=True, slots=True)
class App:
    name: str
    source: str
    code: str
    style: str
    split: str


@dataclass(frozen=True, slots=True)
class Judgment:
    app: str
    path: str
    line: int
    rule: str
    verdict: bool
    reason: str


@dataclass(slots=True)
class Figures:
    """What one application (or a split's total) came to."""

    files: int = 0
    lines: int = 0
    seconds: float = 0.0
    skipped: int = 0
    by_severity: Counter[str] = field(default_factory=Counter)
    errors_true: int = 0
    errors_judged: int = 0
    warnings_true: int = 0
    warnings_judged: int = 0
    unjudged: int = 0
    stale: int = 0

    def add(self, other: Figures) -> None:
        self.files += other.files
        self.lines += other.lines
        self.seconds += other.seconds
        self.skipped += other.skipped
        self.by_severity.update(other.by_severity)
        self.errors_true += other.errors_true
        self.errors_judged += other.errors_judged
        self.warnings_true += other.warnings_true
        self.warnings_judged += other.warnings_judged
        self.unjudged += other.unjudged
        self.stale += other.stale


@dataclass(frozen=True, slots=True)
class Outcome:
    """One application reviewed: its findings, and the verdict each judged one got."""

    app: App
    code_dir: Path
    figures: Figures
    to_judge: tuple[Finding, ...]
    verdicts: dict[Finding, Judgment]
    stale: tuple[Judgment, ...]


# Manifest and judgments


def load_apps(path: Path) -> list[App]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    apps = []
    for entry in data.get("app", []):
        app = App(
            name=str(entry["name"]),
            source=str(entry["source"]),
            code=str(entry.get("code", ".")),
            style=str(entry.get("style", "")),
            split=str(entry["split"]),
        )
        if app.split not in SPLITS:
            raise SystemExit(f"{path}: {app.name}: split must be one of {', '.join(SPLITS)}")
        apps.append(app)
    return apps


def load_judgments(path: Path) -> list[Judgment]:
    if not path.exists():
        return []
    judgments = []
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            verdict = row["verdict"].strip().lower()
            if verdict not in ("true", "false"):
                raise SystemExit(f"{path}:{number}: verdict must be true or false")
            judgments.append(
                Judgment(
                    app=row["app"].strip(),
                    path=row["path"].strip(),
                    line=int(row["line"]),
                    rule=row["rule"].strip(),
                    verdict=verdict == "true",
                    reason=row["reason"].strip(),
                )
            )
    return judgments


# Downloading


def _version_dir(cache: Path, app: App) -> Path:
    digest = hashlib.sha256(app.source.encode()).hexdigest()[:12]
    return cache / f"{app.name}-{digest}"


def _download_pypi(spec: str, target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="review-corpus-") as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--only-binary",
            ":all:",
            "--python-version",
            "3.12",
            "--dest",
            tmp,
            spec,
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=900)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if not wheels:
            raise OSError(f"pip download {spec}: no wheel")
        with zipfile.ZipFile(wheels[0]) as archive:
            archive.extractall(target)


def _download_github(spec: str, target: Path) -> None:
    repo, _, commit = spec.partition("@")
    if not commit:
        raise OSError(f"github:{spec}: pin a commit (OWNER/REPO@COMMIT)")
    url = f"https://codeload.github.com/{repo}/tar.gz/{commit}"
    with urllib.request.urlopen(url, timeout=120) as response:
        data = response.read()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            # Strip the archive's top folder (REPO-COMMIT/).
            _, _, rest = member.name.partition("/")
            if not rest or member.issym() or member.islnk():
                continue
            member.name = rest
            archive.extract(member, target, filter="data")


def fetch(app: App, cache: Path, trees: dict[str, Path]) -> Path:
    """The unpacked application (downloaded once into the cache, or a local copy)."""
    if app.name in trees:
        return trees[app.name]
    root = _version_dir(cache, app)
    tree = root / "tree"
    done = root / "complete"
    if done.exists():
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    kind, _, spec = app.source.partition(":")
    if kind == "pypi":
        _download_pypi(spec, tree)
    elif kind == "github":
        _download_github(spec, tree)
    else:
        raise OSError(f"unknown source kind {kind!r} (pypi: or github:)")
    done.write_text(app.source + "\n", encoding="utf-8")
    return tree


# Reviewing and matching


def sample_key(app: str, finding: Finding) -> str:
    text = f"{SAMPLE_SEED}:{app}:{finding.path}:{finding.rule_id}:{finding.line}"
    return hashlib.sha256(text.encode()).hexdigest()


def to_judge(app: str, findings: list[Finding], sample: int) -> list[Finding]:
    """Every error, and the first `sample` warnings in a seeded order."""
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = sorted(
        (f for f in findings if f.severity is Severity.WARNING),
        key=lambda f: sample_key(app, f),
    )
    return errors + warnings[:sample]


def match(
    findings: list[Finding], judgments: list[Judgment]
) -> tuple[dict[Finding, Judgment], list[Judgment]]:
    """Each finding's verdict: same path and rule, same line first, then the nearest line
    within LINE_SLACK; a verdict serves one finding. Also the verdicts left unused."""
    free: dict[tuple[str, str], list[Judgment]] = {}
    for judgment in judgments:
        free.setdefault((judgment.path, judgment.rule), []).append(judgment)
    verdicts: dict[Finding, Judgment] = {}
    for exact in (True, False):
        for finding in findings:
            if finding in verdicts:
                continue
            candidates = free.get((finding.path, finding.rule_id), [])
            best = None
            for judgment in candidates:
                distance = abs(judgment.line - finding.line)
                if (distance == 0 if exact else distance <= LINE_SLACK) and (
                    best is None or distance < abs(best.line - finding.line)
                ):
                    best = judgment
            if best is not None:
                verdicts[finding] = best
                candidates.remove(best)
    unused = [j for group in free.values() for j in group]
    return verdicts, unused


def count_lines(code_dir: Path) -> tuple[int, int]:
    files = discover(code_dir)
    lines = 0
    for file in files:
        try:
            lines += file.read_bytes().count(b"\n")
        except OSError:
            continue
    return len(files), lines


def run_app(app: App, code_dir: Path, judgments: list[Judgment], sample: int) -> Outcome:
    _, lines = count_lines(code_dir)
    start = time.perf_counter()
    result = review(code_dir, ReviewConfig(cache=False))
    seconds = time.perf_counter() - start
    findings = sorted(result.active, key=lambda f: f.sort_key)
    verdicts, stale = match(findings, [j for j in judgments if j.app == app.name])
    figures = Figures(
        files=result.files,
        lines=lines,
        seconds=seconds,
        skipped=len(result.errors),
        by_severity=Counter(f.severity.value for f in findings),
        stale=len(stale),
    )
    for finding, judgment in verdicts.items():
        if finding.severity is Severity.ERROR:
            figures.errors_judged += 1
            figures.errors_true += judgment.verdict
        elif finding.severity is Severity.WARNING:
            figures.warnings_judged += 1
            figures.warnings_true += judgment.verdict
    wanted = to_judge(app.name, findings, sample)
    figures.unjudged = sum(1 for f in wanted if f not in verdicts)
    return Outcome(app, code_dir, figures, tuple(wanted), verdicts, tuple(stale))


# Printing


def precision(true: int, judged: int) -> str:
    if not judged:
        return "-"
    return f"{true / judged:.2f} ({true}/{judged})"


HEADER = (
    f"{'app':<29} {'split':<8} {'files':>5} {'lines':>7} {'secs':>6} {'skip':>4} "
    f"{'err':>4} {'warn':>4} {'info':>4}  {'error precision':<16} {'warning precision':<18} "
    f"{'unjudged':>8}"
)


def row(name: str, split: str, figures: Figures) -> str:
    severity = figures.by_severity
    return (
        f"{name:<29} {split:<8} {figures.files:>5} {figures.lines:>7} "
        f"{figures.seconds:>6.1f} {figures.skipped:>4} {severity['error']:>4} "
        f"{severity['warning']:>4} {severity['info']:>4}  "
        f"{precision(figures.errors_true, figures.errors_judged):<16} "
        f"{precision(figures.warnings_true, figures.warnings_judged):<18} "
        f"{figures.unjudged:>8}"
    )


def print_unjudged(outcome: Outcome) -> None:
    missing = [f for f in outcome.to_judge if f not in outcome.verdicts]
    if not missing:
        return
    print(f"\n## {outcome.app.name} ({outcome.code_dir})")
    cache: dict[str, list[str]] = {}
    for finding in missing:
        lines = cache.get(finding.path)
        if lines is None:
            try:
                text = (outcome.code_dir / finding.path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            lines = cache[finding.path] = text.splitlines()
        print(
            f"{finding.path}:{finding.line} {finding.rule_id} {finding.severity.value} "
            f"{finding.message}"
        )
        first = max(1, finding.line - CONTEXT)
        for number in range(first, min(len(lines), finding.line + CONTEXT) + 1):
            mark = ">" if number == finding.line else " "
            print(f"  {mark}{number:>5} | {lines[number - 1]}")


def print_stale(outcomes: list[Outcome]) -> None:
    stale = [(o.app.name, j) for o in outcomes for j in o.stale]
    if not stale:
        return
    gone_true = [(name, j) for name, j in stale if j.verdict]
    print(
        f"\nverdicts that match no current finding: {len(stale)} "
        f"({len(stale) - len(gone_true)} false positives gone, "
        f"{len(gone_true)} true positives no longer reported)"
    )
    for name, judgment in gone_true:
        print(f"  lost: {name} {judgment.path}:{judgment.line} {judgment.rule} {judgment.reason}")


def check_vulnerable(cache: Path, trees: dict[str, Path]) -> None:
    """Which documented flaws of the deliberately vulnerable application are reported."""
    manifest = CORPUS / "vulnerable.toml"
    if not manifest.exists():
        return
    data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    app = App(
        name=str(data["name"]),
        source=str(data["source"]),
        code=str(data.get("code", ".")),
        style="",
        split="tune",
    )
    try:
        code_dir = fetch(app, cache, trees) / app.code
    except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
        print(f"\nvulnerable app {app.name}: unavailable ({exc})")
        return
    findings = review(code_dir, ReviewConfig(cache=False)).active
    flaws = data.get("flaw", [])
    expected = [f for f in flaws if f.get("rule", "no rule yet") != "no rule yet"]
    print(
        f"\nvulnerable app {app.name}: {len(flaws)} documented flaws, {len(expected)} a rule covers"
    )
    found = 0
    for flaw in expected:
        rules = {r.strip() for r in str(flaw["rule"]).split(",")}
        line = int(flaw.get("line", 0))
        hit = any(
            f.rule_id in rules
            and f.path == flaw["file"]
            and (not line or abs(f.line - line) <= LINE_SLACK)
            for f in findings
        )
        found += hit
        where = f"{flaw['file']}:{line}" if line else str(flaw["file"])
        print(f"  {'found ' if hit else 'MISSED'} {flaw['rule']:<12} {where:<40} {flaw['flaw']}")
    print(f"  reported: {found}/{len(expected)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="all")
    parser.add_argument("--app", action="append", default=[], help="only these apps")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="use a local copy of an app (the unpacked wheel or repository)",
    )
    parser.add_argument("--sample", type=int, default=SAMPLE, help="warnings judged per app")
    parser.add_argument("--unjudged", action="store_true", help="list findings to judge")
    args = parser.parse_args()

    trees: dict[str, Path] = {}
    for item in args.tree:
        name, _, directory = item.partition("=")
        trees[name] = Path(directory)
    apps = [
        app
        for app in load_apps(CORPUS / "apps.toml")
        if (args.split == "all" or app.split == args.split)
        and (not args.app or app.name in args.app)
    ]
    judgments = load_judgments(CORPUS / "judgments.csv")

    outcomes: list[Outcome] = []
    unavailable: list[str] = []
    for app in apps:
        try:
            code_dir = fetch(app, args.cache, trees) / app.code
        except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
            unavailable.append(f"{app.name}: {app.source}: {exc}")
            continue
        if not code_dir.is_dir():
            unavailable.append(f"{app.name}: no folder {app.code} in {app.source}")
            continue
        outcomes.append(run_app(app, code_dir, judgments, args.sample))

    print(HEADER)
    for outcome in outcomes:
        print(row(outcome.app.name, outcome.app.split, outcome.figures))
    print()
    for split in SPLITS:
        total = Figures()
        chosen = [o for o in outcomes if o.app.split == split]
        for outcome in chosen:
            total.add(outcome.figures)
        if chosen:
            print(row(f"total ({len(chosen)} apps)", split, total))
    for line in unavailable:
        print(f"unavailable: {line}")
    print_stale(outcomes)
    if args.unjudged:
        for outcome in outcomes:
            print_unjudged(outcome)
    if args.split == "all" and not args.app:
        check_vulnerable(args.cache, trees)


if __name__ == "__main__":
    main()
