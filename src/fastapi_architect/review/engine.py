"""Run the rules over a tree: read and index it (`codebase`), run every rule over each
file, apply suppressions, and cache the findings by content hash beside the parsed facts."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from fastapi_architect.codebase.build import parallel_map, parse, read_facts
from fastapi_architect.codebase.cache import (
    CACHE_VERSION,
    Cache,
    default_cache_dir,
    source_hash,
)
from fastapi_architect.codebase.facts import ModuleFacts, ParseError
from fastapi_architect.codebase.files import read_tree
from fastapi_architect.codebase.index import ProjectIndex
from fastapi_architect.review.config import ReviewConfig
from fastapi_architect.review.model import Confidence, Finding, ReviewResult
from fastapi_architect.review.rule import FileContext, Rule, all_rules, parse_suppressions

_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
# Called as the review goes: (phase, files done, files in all); phases "index" (reading what
# each file declares), then "rules".
Progress = Callable[[str, int, int], None]


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


def review_files(
    sources: Mapping[str, str],
    config: ReviewConfig | None = None,
    *,
    root: str = ".",
    cache_file: Path | None = None,
    read_errors: Sequence[ParseError] = (),
    progress: Progress | None = None,
) -> ReviewResult:
    """Review in-memory sources keyed by their relative, `/`-separated paths."""
    config = config or ReviewConfig()
    rules = select_rules(config)
    codes = tuple(r.id for r in rules)
    cache = Cache(cache_file if config.cache else None)
    hashes = {rel: source_hash(text) for rel, text in sources.items()}
    total = len(sources)
    facts, parse_errors = read_facts(
        sources,
        config.jobs,
        cache=cache,
        hashes=hashes,
        progress=(lambda done: progress("index", done, total)) if progress else None,
    )
    errors: list[ParseError] = [*read_errors, *parse_errors]
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{CACHE_VERSION}|{','.join(codes)}|".encode())
    for rel in sorted(facts):
        digest.update(f"{rel}:{hashes[rel]};".encode())
    context = digest.hexdigest()
    findings: list[Finding] = []
    todo: list[tuple[str, str]] = []
    cached_files = 0
    for rel in sorted(facts):
        hit = cache.get(("findings", rel, hashes[rel], context))
        if isinstance(hit, tuple):
            cached_files += 1
            findings.extend(hit[0])
            errors.extend(hit[1])
        else:
            todo.append((rel, sources[rel]))
    done = total - len(todo)
    if progress is not None:
        progress("rules", done, total)
    if todo:
        init = functools.partial(_init_worker, list(facts.values()), codes)
        results = parallel_map(_rules_job, todo, config.jobs, init)
        for (rel, _), found in zip(todo, results, strict=True):
            done += 1
            if progress is not None:
                progress("rules", done, total)
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


def review(
    path: Path | str, config: ReviewConfig | None = None, *, progress: Progress | None = None
) -> ReviewResult:
    """Review every Python file under `path` (a directory or one file); `progress`, when
    given, is told how far it is."""
    config = config or ReviewConfig()
    tree = read_tree(path, config.exclude)
    cache_file = None
    if config.cache:
        key = hashlib.blake2b(str(tree.base.resolve()).encode(), digest_size=8).hexdigest()
        cache_file = (config.cache_dir or default_cache_dir()) / f"review-{key}.pickle"
    return review_files(
        tree.sources,
        config,
        root=str(Path(path)),
        cache_file=cache_file,
        read_errors=tree.errors,
        progress=progress,
    )
