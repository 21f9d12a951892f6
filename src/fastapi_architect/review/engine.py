"""Run the rules over a tree: read and index it (`codebase`), run every rule over each
file, apply suppressions, and cache the findings by content hash beside the parsed facts."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from fastapi_architect.codebase.build import FilePasses, Parsed, parse, read_facts
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
from fastapi_architect.review.rules.fa000_unreadable_file import UnreadableFile

_CONFIDENCE_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
# Called as the review goes: (phase, files done, files in all); phases "index" (reading what
# each file declares), then "rules".
Progress = Callable[[str, int, int], None]


def _setup(
    facts: list[ModuleFacts], codes: tuple[str, ...]
) -> tuple[ProjectIndex, tuple[Rule, ...]]:
    by_id = {r.id: r for r in all_rules()}
    return ProjectIndex(facts), tuple(by_id[c] for c in codes)


def _rules_job(
    state: tuple[ProjectIndex, tuple[Rule, ...]], rel: str, text: str, tree: Parsed
) -> tuple[tuple[Finding, ...], tuple[ParseError, ...]]:
    index, rules = state
    return run_rules(rel, text, index, rules, tree)


def run_rules(
    rel: str, text: str, index: ProjectIndex, rules: Sequence[Rule], tree: Parsed | None = None
) -> tuple[tuple[Finding, ...], tuple[ParseError, ...]]:
    """Every rule over one file (its `tree` when already parsed), with inline suppressions
    applied."""
    facts = index.modules.get(rel)
    if tree is None:
        tree = parse(rel, text)
    if facts is None or isinstance(tree, ParseError):
        return (), ()
    ctx = FileContext(rel, text, tree, facts, index)
    findings: list[Finding] = []
    errors: list[ParseError] = []
    for rule in rules:
        if ctx.is_test and not rule.reviews_tests:
            continue
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
    findings: list[Finding] = []
    cached_files = 0
    # One parse per file: the trees read for the facts are the ones the rules check.
    with FilePasses(sources, config.jobs) as passes:
        facts, parse_errors = read_facts(
            sources,
            cache=cache,
            hashes=hashes,
            progress=(lambda done: progress("index", done, total)) if progress else None,
            passes=passes,
        )
        errors: list[ParseError] = [*read_errors, *parse_errors]
        unreadable = next((r for r in rules if isinstance(r, UnreadableFile)), None)
        if unreadable is not None:
            findings.extend(unreadable.unreadable(e) for e in errors)
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{CACHE_VERSION}|{','.join(codes)}|".encode())
        for rel in sorted(facts):
            digest.update(f"{rel}:{hashes[rel]};".encode())
        context = digest.hexdigest()
        todo: list[str] = []
        for rel in sorted(facts):
            hit = cache.get(("findings", rel, hashes[rel], context))
            if isinstance(hit, tuple):
                cached_files += 1
                findings.extend(hit[0])
                errors.extend(hit[1])
            else:
                todo.append(rel)
        done = total - len(todo)
        if progress is not None:
            progress("rules", done, total)
        results = passes.run(_setup, (list(facts.values()), codes), _rules_job, todo)
        for rel, found in results:
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
