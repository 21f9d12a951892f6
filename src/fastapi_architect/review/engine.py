"""Run the rules over a tree: discover files, parse them in parallel, build the index,
apply suppressions, and cache everything by content hash."""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import io
import os
import pickle
import tokenize
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from fastapi_architect.review.config import ReviewConfig
from fastapi_architect.review.facts import ModuleFacts, extract
from fastapi_architect.review.index import ProjectIndex
from fastapi_architect.review.model import Confidence, Finding, ParseError, ReviewResult
from fastapi_architect.review.rule import FileContext, Rule, all_rules, parse_suppressions

R = TypeVar("R")
CACHE_VERSION = "2"
SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
        ".eggs",
        "build",
        "dist",
    }
)
PARALLEL_THRESHOLD = 48
_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def _is_alembic(directory: Path) -> bool:
    return (directory / "env.py").is_file() and (directory / "versions").is_dir()


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    parts = rel.split("/")
    for pattern in patterns:
        clean = pattern.strip("/")
        if fnmatch.fnmatch(rel, clean) or fnmatch.fnmatch(rel, f"{clean}/*"):
            return True
        if any(fnmatch.fnmatch(part, clean) for part in parts):
            return True
    return False


def discover(root: Path, exclude: Sequence[str] = ()) -> list[Path]:
    """Python files under `root`, skipping virtualenvs, caches and Alembic folders."""
    if root.is_file():
        return [root]
    found: list[Path] = []
    for current, dirs, files in os.walk(root):
        here = Path(current)
        rel_dir = here.relative_to(root).as_posix()
        keep = []
        for name in sorted(dirs):
            child = "" if rel_dir == "." else f"{rel_dir}/"
            if name in SKIP_DIRS or name.endswith(".egg-info"):
                continue
            if _excluded(f"{child}{name}", exclude):
                continue
            if _is_alembic(here / name):
                continue
            keep.append(name)
        dirs[:] = keep
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if not _excluded(rel, exclude):
                found.append(here / name)
    return found


def decode(data: bytes) -> str:
    """Source bytes to text, honouring a PEP 263 coding line and a BOM."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)


def parse(rel: str, text: str) -> ast.Module | ParseError:
    try:
        return ast.parse(text, filename=rel)
    except SyntaxError as exc:
        return ParseError(rel, exc.lineno or 1, exc.offset or 1, f"syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseError(rel, 1, 1, f"cannot parse: {exc}")


def facts_job(item: tuple[str, str]) -> ModuleFacts | ParseError:
    rel, text = item
    tree = parse(rel, text)
    if isinstance(tree, ParseError):
        return tree
    try:
        return extract(tree, rel)
    except Exception as exc:  # a construct the extractor did not expect must not stop the run
        return ParseError(rel, 1, 1, f"cannot index: {type(exc).__name__}: {exc}")


_WORKER: tuple[ProjectIndex, tuple[Rule, ...]] | None = None


def _init_worker(facts: list[ModuleFacts], codes: tuple[str, ...]) -> None:
    global _WORKER
    by_id = {r.id: r for r in all_rules()}
    _WORKER = (ProjectIndex(facts), tuple(by_id[c] for c in codes))


def _rules_job(item: tuple[str, str]) -> tuple[tuple[Finding, ...], tuple[ParseError, ...]]:
    assert _WORKER is not None
    index, rules = _WORKER
    return run_rules(item[0], item[1], index, rules)


def run_rules(
    rel: str, text: str, index: ProjectIndex, rules: Sequence[Rule]
) -> tuple[tuple[Finding, ...], tuple[ParseError, ...]]:
    """Every rule over one file, with inline suppressions applied."""
    facts = index.modules.get(rel)
    tree = parse(rel, text)
    if facts is None or isinstance(tree, ParseError):
        return (), ()
    ctx = FileContext(rel, text, tree, facts, index)
    findings: list[Finding] = []
    errors: list[ParseError] = []
    for rule in rules:
        try:
            findings.extend(rule.check(ctx))
        except Exception as exc:  # one broken rule must not stop the review
            errors.append(ParseError(rel, 1, 1, f"rule {rule.id} failed: {type(exc).__name__}"))
    suppressions = parse_suppressions(ctx.lines)
    out: list[Finding] = []
    for finding in findings:
        sup = suppressions.get(finding.line)
        if sup is None and finding.line > 1:
            previous = suppressions.get(finding.line - 1)
            if previous is not None and ctx.lines[finding.line - 2].lstrip().startswith("#"):
                sup = previous
        codes = {c.lower() for c in sup.codes} if sup is not None else set()
        if (
            sup is not None
            and finding.rule_id != "FA001"
            and ({finding.rule_id.lower(), finding.slug, "all"} & codes)
        ):
            finding = replace(finding, suppressed=True, suppression_reason=sup.reason or None)
        out.append(finding)
    return tuple(dict.fromkeys(out)), tuple(errors)


def select_rules(config: ReviewConfig) -> tuple[Rule, ...]:
    """The rules that `select` and `ignore` leave on."""

    def matches(rule: Rule, codes: Iterable[str]) -> bool:
        for code in codes:
            low = code.strip().lower()
            if low == "all" or low == rule.slug or rule.id.lower().startswith(low):
                return True
        return False

    return tuple(
        r for r in all_rules() if matches(r, config.select) and not matches(r, config.ignore)
    )


def unknown_codes(codes: Iterable[str]) -> list[str]:
    """Codes that name no rule, slug or id prefix."""
    rules = all_rules()
    out = []
    for code in codes:
        low = code.strip().lower()
        if low == "all":
            continue
        if not any(low == r.slug or r.id.lower().startswith(low) for r in rules):
            out.append(code)
    return out


class _Cache:
    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.old: dict[tuple[str, ...], object] = {}
        self.new: dict[tuple[str, ...], object] = {}
        if file is not None and file.is_file():
            try:
                data = pickle.loads(file.read_bytes())
                if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
                    self.old = data["entries"]
            except Exception:  # a damaged cache is simply rebuilt
                self.old = {}

    def get(self, key: tuple[str, ...]) -> object | None:
        value = self.old.get(key)
        if value is not None:
            self.new[key] = value
        return value

    def put(self, key: tuple[str, ...], value: object) -> None:
        self.new[key] = value

    def save(self) -> None:
        if self.file is None or self.new.keys() == self.old.keys():
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps({"version": CACHE_VERSION, "entries": self.new}))
            tmp.replace(self.file)
        except OSError:
            pass


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fastapi-architect"


def _map(
    func: Callable[[tuple[str, str]], R],
    items: list[tuple[str, str]],
    jobs: int,
    init: tuple[list[ModuleFacts], tuple[str, ...]] | None,
) -> Iterator[R]:
    workers = jobs or (os.cpu_count() or 1)
    if len(items) < PARALLEL_THRESHOLD or workers < 2:
        if init is not None:
            _init_worker(*init)
        yield from map(func, items)
        return
    chunk = max(1, len(items) // (workers * 4))
    if init is None:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(func, items, chunksize=chunk)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=init) as pool:
        yield from pool.map(func, items, chunksize=chunk)


def review_files(
    sources: Mapping[str, str],
    config: ReviewConfig | None = None,
    *,
    root: str = ".",
    cache_file: Path | None = None,
    read_errors: Sequence[ParseError] = (),
) -> ReviewResult:
    """Review in-memory sources keyed by their relative, `/`-separated paths."""
    config = config or ReviewConfig()
    rules = select_rules(config)
    codes = tuple(r.id for r in rules)
    cache = _Cache(cache_file if config.cache else None)
    hashes = {
        rel: hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        for rel, text in sources.items()
    }
    facts: dict[str, ModuleFacts] = {}
    errors: list[ParseError] = list(read_errors)
    todo: list[tuple[str, str]] = []
    for rel, text in sources.items():
        hit = cache.get(("facts", rel, hashes[rel]))
        if isinstance(hit, ModuleFacts):
            facts[rel] = hit
        elif isinstance(hit, ParseError):
            errors.append(hit)
        else:
            todo.append((rel, text))
    for (rel, _), result in zip(todo, _map(facts_job, todo, config.jobs, None), strict=True):
        cache.put(("facts", rel, hashes[rel]), result)
        if isinstance(result, ModuleFacts):
            facts[rel] = result
        elif isinstance(result, ParseError):
            errors.append(result)
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{CACHE_VERSION}|{','.join(codes)}|".encode())
    for rel in sorted(facts):
        digest.update(f"{rel}:{hashes[rel]};".encode())
    context = digest.hexdigest()
    findings: list[Finding] = []
    todo = []
    cached_files = 0
    for rel in sorted(facts):
        hit = cache.get(("findings", rel, hashes[rel], context))
        if isinstance(hit, tuple):
            cached_files += 1
            findings.extend(hit[0])
            errors.extend(hit[1])
        else:
            todo.append((rel, sources[rel]))
    if todo:
        fact_list = list(facts.values())
        results = _map(_rules_job, todo, config.jobs, (fact_list, codes))
        for (rel, _), found in zip(todo, results, strict=True):
            cache.put(("findings", rel, hashes[rel], context), found)
            findings.extend(found[0])
            errors.extend(found[1])
    cache.save()
    floor = _CONFIDENCE_RANK[config.min_confidence]
    kept = [f for f in findings if _CONFIDENCE_RANK[f.confidence] >= floor]
    return ReviewResult(
        root=root,
        files=len(sources),
        findings=tuple(sorted(kept, key=lambda f: f.sort_key)),
        errors=tuple(sorted(set(errors), key=lambda e: (e.path, e.line))),
        cached_files=cached_files,
        rules=codes,
    )


def review(path: Path | str, config: ReviewConfig | None = None) -> ReviewResult:
    """Review every Python file under `path` (a directory or one file)."""
    config = config or ReviewConfig()
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such file or directory")
    base = root.parent if root.is_file() else root
    sources: dict[str, str] = {}
    read_errors: list[ParseError] = []
    for file in discover(root, config.exclude):
        rel = file.relative_to(base).as_posix()
        try:
            sources[rel] = decode(file.read_bytes())
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as exc:
            read_errors.append(ParseError(rel, 1, 1, f"cannot read: {exc}"))
    cache_file = None
    if config.cache:
        key = hashlib.blake2b(str(base.resolve()).encode(), digest_size=8).hexdigest()
        cache_file = (config.cache_dir or default_cache_dir()) / f"review-{key}.pickle"
    return review_files(
        sources, config, root=str(root), cache_file=cache_file, read_errors=read_errors
    )


def build_index(path: Path | str, config: ReviewConfig | None = None) -> ProjectIndex:
    """The project index of a tree, without running any rule (used by `survey`)."""
    config = config or ReviewConfig()
    root = Path(path)
    if not root.exists():
        raise FileNotFoundError(f"{root}: no such file or directory")
    base = root.parent if root.is_file() else root
    items: list[tuple[str, str]] = []
    for file in discover(root, config.exclude):
        try:
            items.append((file.relative_to(base).as_posix(), decode(file.read_bytes())))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError):
            continue
    results = _map(facts_job, items, config.jobs, None)
    return ProjectIndex(r for r in results if isinstance(r, ModuleFacts))
