"""From source text to the project index: parse each file (in worker processes for a large
tree), extract its facts, reuse the facts of unchanged files from the cache."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

from fastapi_architect.codebase.cache import Cache, source_hash
from fastapi_architect.codebase.extract import extract
from fastapi_architect.codebase.facts import ModuleFacts, ParseError
from fastapi_architect.codebase.files import read_tree
from fastapi_architect.codebase.index import ProjectIndex

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_THRESHOLD = 48


class ScanOptions(Protocol):
    """What to read of a tree: globs of paths to skip, and how many worker processes to use
    (0: one per CPU). `review.ReviewConfig` is one."""

    @property
    def exclude(self) -> Sequence[str]: ...

    @property
    def jobs(self) -> int: ...


def parse(rel: str, text: str) -> ast.Module | ParseError:
    try:
        return ast.parse(text, filename=rel)
    except SyntaxError as exc:
        return ParseError(rel, exc.lineno or 1, exc.offset or 1, f"syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseError(rel, 1, 1, f"cannot parse: {exc}")


def facts_job(item: tuple[str, str]) -> ModuleFacts | ParseError:
    """The facts of one `(relative path, text)`, or why there are none."""
    rel, text = item
    tree = parse(rel, text)
    if isinstance(tree, ParseError):
        return tree
    try:
        return extract(tree, rel)
    except Exception as exc:  # a construct the extractor did not expect must not stop the run
        return ParseError(rel, 1, 1, f"cannot index: {type(exc).__name__}: {exc}")


def parallel_map(
    func: Callable[[T], R],
    items: list[T],
    jobs: int,
    initializer: Callable[[], object] | None = None,
) -> Iterator[R]:
    """`map(func, items)`, in `jobs` worker processes (0: one per CPU) when there are enough
    items. `initializer` (picklable) runs once in each worker, or here when run in-process."""
    workers = jobs or (os.cpu_count() or 1)
    if len(items) < PARALLEL_THRESHOLD or workers < 2:
        if initializer is not None:
            initializer()
        yield from map(func, items)
        return
    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers, initializer=initializer) as pool:
        yield from pool.map(func, items, chunksize=chunk)


def read_facts(
    sources: Mapping[str, str],
    jobs: int = 0,
    *,
    cache: Cache | None = None,
    hashes: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, ModuleFacts], list[ParseError]]:
    """The facts of every source that parses, by path, and the errors of those that do not.

    With a cache, the facts of a source whose content hash (`hashes`, computed when not
    given) is in it are taken from it, and come first; the others are parsed and put in it.
    `progress`, when given, is called with the number of sources done so far.
    """
    facts: dict[str, ModuleFacts] = {}
    errors: list[ParseError] = []
    todo: list[tuple[str, str]] = []
    if cache is not None and hashes is None:
        hashes = {rel: source_hash(text) for rel, text in sources.items()}
    keys = {rel: ("facts", rel, hashes[rel]) for rel in sources} if hashes is not None else {}
    for rel, text in sources.items():
        hit = cache.get(keys[rel]) if cache is not None else None
        if isinstance(hit, ModuleFacts):
            facts[rel] = hit
        elif isinstance(hit, ParseError):
            errors.append(hit)
        else:
            todo.append((rel, text))
    done = len(sources) - len(todo)
    if progress is not None:
        progress(done)
    for (rel, _), result in zip(todo, parallel_map(facts_job, todo, jobs), strict=True):
        done += 1
        if progress is not None:
            progress(done)
        if cache is not None:
            cache.put(keys[rel], result)
        if isinstance(result, ModuleFacts):
            facts[rel] = result
        elif isinstance(result, ParseError):
            errors.append(result)
    return facts, errors


def build_index(path: Path | str, config: ScanOptions | None = None) -> ProjectIndex:
    """The project index of a tree (a directory or one file); files that cannot be read or
    parsed are left out."""
    tree = read_tree(path, config.exclude if config is not None else ())
    facts, _ = read_facts(tree.sources, config.jobs if config is not None else 0)
    return ProjectIndex(facts.values())
