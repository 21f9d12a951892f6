"""From source text to the project index: parse each file once (in worker processes for a
large tree), extract its facts, reuse the facts of unchanged files from the cache; a later
pass over the same files (the review's rules) reads the trees parsed then."""

from __future__ import annotations

import ast
import contextlib
import gc
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TypeVar

from fastapi_architect.codebase.cache import Cache, source_hash
from fastapi_architect.codebase.extract import extract
from fastapi_architect.codebase.facts import ModuleFacts, ParseError
from fastapi_architect.codebase.files import read_tree
from fastapi_architect.codebase.index import ProjectIndex
from fastapi_architect.codebase.parse import parse_source

T = TypeVar("T")
R = TypeVar("R")
PARALLEL_THRESHOLD = 48
Parsed = ast.Module | ParseError
# A pass over parsed files: (state made once per process by its setup, path, text, tree).
Job = Callable[[Any, str, str, Parsed], R]


class ScanOptions(Protocol):
    """What to read of a tree: globs of paths to skip, and how many worker processes to use
    (0: one per CPU). `review.ReviewConfig` is one."""

    @property
    def exclude(self) -> Sequence[str]: ...

    @property
    def jobs(self) -> int: ...


def parse(rel: str, text: str) -> Parsed:
    """The tree of one file, whatever Python 3.8 to 3.14 syntax it uses, or where and why it
    cannot be read."""
    try:
        tree = parse_source(text, rel)
    except SyntaxError as exc:
        return ParseError(rel, exc.lineno or 1, exc.offset or 1, f"syntax error: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseError(rel, 1, 1, f"cannot parse: {exc}")
    assert isinstance(tree, ast.Module)
    return tree


def facts_of(rel: str, tree: Parsed) -> ModuleFacts | ParseError:
    """The facts of one parsed file, or why there are none."""
    if isinstance(tree, ParseError):
        return tree
    try:
        return extract(tree, rel)
    except Exception as exc:  # a construct the extractor did not expect must not stop the run
        return ParseError(rel, 1, 1, f"cannot index: {type(exc).__name__}: {exc}")


def facts_job(item: tuple[str, str]) -> ModuleFacts | ParseError:
    """The facts of one `(relative path, text)`, or why there are none."""
    rel, text = item
    return facts_of(rel, parse(rel, text))


# The most source text (in characters) whose trees one process keeps between passes; a tree
# takes about 25 times the memory of its text. Files past it are parsed again when needed.
KEEP_BUDGET = 16_000_000


class _Files:
    """Some files' texts, and the trees parsed from them not yet used by a pass."""

    def __init__(self, sources: Mapping[str, str], keep: bool) -> None:
        self.sources = sources
        self.budget = KEEP_BUDGET if keep else 0
        self.trees: dict[str, Parsed] = {}
        self.state: object = None

    def facts(self, rel: str) -> ModuleFacts | ParseError:
        text = self.sources[rel]
        tree = parse(rel, text)
        if len(text) <= self.budget:
            self.budget -= len(text)
            self.trees[rel] = tree
        return facts_of(rel, tree)

    def run(self, job: Job[R], rel: str) -> R:
        text = self.sources[rel]
        tree = self.trees.pop(rel, None)
        return job(self.state, rel, text, tree if tree is not None else parse(rel, text))


def _worker(conn: Connection, sources: dict[str, str], keep: bool) -> None:
    """A worker process: answers `facts`, `setup` and `run` requests over its files, one
    message per file, then `None` when a request is done."""
    files = _Files(sources, keep)
    if keep:  # see FilePasses: no cycle collection over the kept trees
        gc.disable()
    try:
        while True:
            request = conn.recv()
            if request is None:
                return
            kind, payload = request
            if kind == "facts":
                for rel in payload:
                    conn.send((rel, files.facts(rel)))
            elif kind == "setup":
                setup, args = payload
                files.state = setup(*args)
            else:
                for rel in payload[1]:
                    conn.send((rel, files.run(payload[0], rel)))
            conn.send(None)
    except (EOFError, KeyboardInterrupt):
        return
    finally:
        conn.close()


class FilePasses:
    """Passes over a tree's files that parse each file at most once.

    `facts` parses files and extracts their facts, keeping each tree (with `keep`); `run`
    then runs a job over files, on the kept trees (a file not parsed yet is parsed then).
    With `jobs` (0: one per CPU) above one and enough files, the files are shared out, by
    size, among worker processes that live as long as this object, so that a file's tree
    stays in the process that parsed it. Use it as a context manager.
    """

    def __init__(self, sources: Mapping[str, str], jobs: int = 0, *, keep: bool = True) -> None:
        self._sources = sources
        self._keep = keep
        self._workers = jobs or (os.cpu_count() or 1)
        self._local: _Files | None = None
        self._conns: list[Connection] = []
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._owner: dict[str, int] = {}
        self._collecting = False
        if len(sources) < PARALLEL_THRESHOLD or self._workers < 2:
            self._local = _Files(sources, keep)
            # Kept trees hold millions of objects without cycles: the cycle collector would
            # walk them again and again as they pile up, so it waits until the passes end.
            self._collecting = keep and gc.isenabled()
            if self._collecting:
                gc.disable()

    def _start(self) -> None:
        """Start the worker processes, on the first request that needs them."""
        if self._local is not None or self._processes:
            return
        sources, keep, workers = self._sources, self._keep, self._workers
        shards: list[dict[str, str]] = [{} for _ in range(workers)]
        loads = [0] * workers
        for rel in sorted(sources, key=lambda r: -len(sources[r])):
            least = loads.index(min(loads))
            shards[least][rel] = sources[rel]
            loads[least] += len(sources[rel]) + 200
            self._owner[rel] = least
        context = multiprocessing.get_context()
        for shard in shards:
            ours, theirs = context.Pipe()
            process = context.Process(target=_worker, args=(theirs, shard, keep), daemon=True)
            process.start()
            theirs.close()
            self._conns.append(ours)
            self._processes.append(process)

    def __enter__(self) -> FilePasses:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the worker processes (when the passes were not all read through, at once)."""
        if self._collecting:
            self._collecting = False
            gc.enable()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for process in self._processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()
        for conn in self._conns:
            conn.close()
        self._conns, self._processes = [], []

    def facts(self, rels: Sequence[str]) -> Iterator[tuple[str, ModuleFacts | ParseError]]:
        """`(path, facts or why there are none)` of each of `rels`, as they come."""
        if self._local is not None:
            local = self._local
            yield from ((rel, local.facts(rel)) for rel in rels)
            return
        yield from self._request(lambda _: ("facts", _), rels)

    def run(
        self,
        setup: Callable[..., object],
        args: tuple[object, ...],
        job: Job[R],
        rels: Sequence[str],
    ) -> Iterator[tuple[str, R]]:
        """`(path, job(setup(*args), path, text, tree))` of each of `rels`, as they come;
        `setup` runs once in each process (picklable, like `job` and `args`)."""
        if self._local is not None:
            local = self._local
            local.state = setup(*args)
            yield from ((rel, local.run(job, rel)) for rel in rels)
            return
        yield from self._request(lambda mine: ("run", (job, mine)), rels, setup=(setup, args))

    def _request(
        self,
        message: Callable[[list[str]], tuple[str, object]],
        rels: Sequence[str],
        *,
        setup: tuple[Callable[..., object], tuple[object, ...]] | None = None,
    ) -> Iterator[tuple[str, Any]]:
        if not rels:
            return
        self._start()
        mine: list[list[str]] = [[] for _ in self._conns]
        for rel in rels:
            mine[self._owner[rel]].append(rel)
        # The setup (the whole project's facts, for the rules) is pickled once for all.
        prepared = None if setup is None else pickle.dumps(("setup", setup))
        for conn, share in zip(self._conns, mine, strict=True):
            if prepared is not None:
                conn.send_bytes(prepared)
            conn.send(message(share))
        pending = {id(conn): 1 if setup is None else 2 for conn in self._conns}
        open_conns = list(self._conns)
        while open_conns:
            for ready in wait(open_conns):
                assert isinstance(ready, Connection)
                try:
                    item = ready.recv()
                except EOFError:
                    self.close()
                    raise RuntimeError(
                        "a worker process ended before its files were read"
                    ) from None
                if item is None:
                    pending[id(ready)] -= 1
                    if pending[id(ready)] == 0:
                        open_conns.remove(ready)
                else:
                    yield item


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
    passes: FilePasses | None = None,
) -> tuple[dict[str, ModuleFacts], list[ParseError]]:
    """The facts of every source that parses, by path, and the errors of those that do not.

    With a cache, the facts of a source whose content hash (`hashes`, computed when not
    given) is in it are taken from it, and come first; the others are parsed and put in it.
    `progress`, when given, is called with the number of sources done so far. `passes`, when
    given, parses the sources (and keeps their trees for a later pass); otherwise they are
    parsed with `jobs` worker processes and their trees dropped.
    """
    facts: dict[str, ModuleFacts] = {}
    errors: list[ParseError] = []
    todo: list[str] = []
    if cache is not None and hashes is None:
        hashes = {rel: source_hash(text) for rel, text in sources.items()}
    keys = {rel: ("facts", rel, hashes[rel]) for rel in sources} if hashes is not None else {}
    for rel in sources:
        hit = cache.get(keys[rel]) if cache is not None else None
        if isinstance(hit, ModuleFacts):
            facts[rel] = hit
        elif isinstance(hit, ParseError):
            errors.append(hit)
        else:
            todo.append(rel)
    done = len(sources) - len(todo)
    if progress is not None:
        progress(done)
    found: dict[str, ModuleFacts | ParseError] = {}
    own_sources = {rel: sources[rel] for rel in todo} if passes is None else {}
    with FilePasses(own_sources, jobs, keep=False) as own:
        for rel, result in (passes or own).facts(todo):
            found[rel] = result
            done += 1
            if progress is not None:
                progress(done)
    for rel in todo:  # in the order of `sources`, whatever order the workers answered in
        result = found[rel]
        if cache is not None:
            cache.put(keys[rel], result)
        if isinstance(result, ModuleFacts):
            facts[rel] = result
        else:
            errors.append(result)
    return facts, errors


def build_index(path: Path | str, config: ScanOptions | None = None) -> ProjectIndex:
    """The project index of a tree (a directory or one file); files that cannot be read or
    parsed are left out."""
    tree = read_tree(path, config.exclude if config is not None else ())
    facts, _ = read_facts(tree.sources, config.jobs if config is not None else 0)
    return ProjectIndex(facts.values())
