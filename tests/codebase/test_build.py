"""Reading a tree into the model: discovery, options, the parse cache, worker processes, and
what the model does not depend on."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass

from fastapi_architect.codebase import (
    Cache,
    ModuleFacts,
    ParseError,
    build_index,
    read_facts,
    read_tree,
    source_hash,
)
from fastapi_architect.review import ReviewConfig

ROUTER = """
    from fastapi import APIRouter
    router = APIRouter(prefix="/items")

    @router.get("/")
    def list_items() -> list[dict]: ...
"""


@dataclass(frozen=True)
class Options:
    exclude: tuple[str, ...] = ()
    jobs: int = 0


def test_excluded_unreadable_and_broken_files_are_left_out(tree):
    root = tree(
        {
            "app/items.py": ROUTER,
            "app/legacy/old.py": ROUTER.replace("/items", "/old"),
            "app/broken.py": "def (:\n",
            "migrations/env.py": ROUTER,
            "migrations/versions/0001.py": ROUTER,
        }
    )
    (root / "app" / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    read = read_tree(root, ("legacy",))
    assert sorted(read.sources) == ["app/broken.py", "app/items.py"]
    assert [e.path for e in read.errors] == ["app/latin.py"]
    for options in (Options(exclude=("legacy",)), ReviewConfig(exclude=("legacy",))):
        index = build_index(root, options)
        assert sorted(index.modules) == ["app/items.py"]
        assert [r.full_path for r in index.routes] == ["/items/"]
    assert len(build_index(root).routes) == 2


def test_facts_come_from_the_cache_when_the_text_is_unchanged(tmp_path):
    file = tmp_path / "cache.pickle"
    sources = {"a.py": "x = 1\n", "b.py": "def (:\n"}
    cache = Cache(file)
    facts, errors = read_facts(sources, 1, cache=cache)
    assert list(facts) == ["a.py"]
    assert [(e.path, e.line) for e in errors] == [("b.py", 1)]
    cache.save()
    again = Cache(file)
    changed = {"c.py": "y = 2\n", **sources}
    facts, errors = read_facts(changed, 1, cache=again)
    # Cached facts come first; only c.py was parsed, and the parse error was cached too.
    assert list(facts) == ["a.py", "c.py"]
    assert isinstance(errors[0], ParseError)
    assert set(again.new) - set(again.old) == {("facts", "c.py", source_hash("y = 2\n"))}
    assert all(isinstance(v, ModuleFacts | ParseError) for v in again.new.values())


def test_worker_processes_build_the_same_index(tree):
    files = {f"app/r{i:02}.py": ROUTER.replace("/items", f"/r{i:02}") for i in range(50)}
    root = tree(files)
    serial = build_index(root, Options(jobs=1))
    parallel = build_index(root, Options(jobs=2))
    assert list(serial.modules) == list(parallel.modules)
    assert [r.full_paths for r in serial.routes] == [r.full_paths for r in parallel.routes]
    assert len(serial.routes) == 50


def _loaded_after(imports: str) -> list[str]:
    code = f"import sys\nimport {imports}\nprint(*sorted(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return result.stdout.split()


def test_the_model_survey_and_design_from_code_do_not_load_review():
    loaded = _loaded_after(
        "fastapi_architect.codebase, fastapi_architect.survey, fastapi_architect.survey.model, "
        "fastapi_architect.design.from_code"
    )
    assert "fastapi_architect.survey.model" in loaded
    assert [m for m in loaded if m.startswith("fastapi_architect.review")] == []


def test_the_command_line_loads_the_survey_only_when_it_runs():
    loaded = _loaded_after("fastapi_architect.cli")
    assert "fastapi_architect.survey.cli" in loaded
    assert "fastapi_architect.survey.model" not in loaded
    assert "fastapi_architect.survey.render" not in loaded


def test_the_command_line_starts_without_the_spec_language_schema_tools_or_databases():
    # every command pays for what the command line imports before it runs
    loaded = _loaded_after("fastapi_architect.cli")
    assert "fastapi_architect.cli" in loaded
    heavy = ("fastapi_architect.spec.", "fastapi_architect.evolve.", "sqlalchemy", "pydantic")
    assert [m for m in loaded if m.startswith(heavy)] == ["fastapi_architect.evolve.cli"]
