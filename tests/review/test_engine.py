"""The engine: discovery, parse errors, selection, configuration, suppressions, cache."""

from __future__ import annotations

import pytest

from fastapi_architect.review import ConfigError, ReviewConfig, load_config, review
from fastapi_architect.review.model import Severity

SLEEPY = """
    import time
    async def wait() -> None:
        time.sleep(1)
"""


def test_a_file_that_does_not_parse_is_an_error_finding_at_the_syntax_error(tree):
    root = tree({"broken.py": "def (:\n", "ok.py": SLEEPY})
    result = review(root, ReviewConfig(cache=False))
    assert [(e.path, e.line, e.col) for e in result.errors] == [("broken.py", 1, 5)]
    assert "syntax error" in result.errors[0].message
    assert [(f.rule_id, f.path, f.line, f.col, f.severity) for f in result.active] == [
        ("FA000", "broken.py", 1, 5, Severity.ERROR),
        ("FA201", "ok.py", 3, 5, Severity.WARNING),
    ]


def test_undecodable_and_null_byte_files_do_not_stop_the_review(tree):
    root = tree({"ok.py": SLEEPY})
    (root / "latin.py").write_bytes(b"x = '\xff\xfe'\n")
    (root / "nul.py").write_bytes(b"x = 1\x00\n")
    result = review(root, ReviewConfig(cache=False))
    assert {e.path for e in result.errors} == {"latin.py", "nul.py"}
    assert [(f.rule_id, f.path) for f in result.active] == [
        ("FA000", "latin.py"),
        ("FA000", "nul.py"),
        ("FA201", "ok.py"),
    ]


def test_alembic_folders_and_virtualenvs_are_excluded(tree):
    root = tree(
        {
            "migrations/env.py": SLEEPY,
            "migrations/versions/0001_init.py": SLEEPY,
            ".venv/lib/site.py": SLEEPY,
            "app/main.py": SLEEPY,
        }
    )
    result = review(root, ReviewConfig(cache=False))
    assert result.files == 1
    assert {f.path for f in result.active} == {"app/main.py"}


def test_select_and_ignore_accept_ids_slugs_and_prefixes(tree):
    root = tree({"app.py": SLEEPY + "\n    SECRET_KEY = 'a8f9c2e4d1b7'\n"})
    every = {f.rule_id for f in review(root, ReviewConfig(cache=False)).active}
    assert every == {"FA201", "FA105"}
    only = review(root, ReviewConfig(select=("blocking-call-in-async",), cache=False))
    assert {f.rule_id for f in only.active} == {"FA201"}
    prefix = review(root, ReviewConfig(select=("FA1",), cache=False))
    assert {f.rule_id for f in prefix.active} == {"FA105"}
    ignored = review(root, ReviewConfig(ignore=("FA105",), cache=False))
    assert {f.rule_id for f in ignored.active} == {"FA201"}


def test_config_is_read_from_pyproject(tree):
    root = tree(
        {
            "pyproject.toml": """
                [tool.fastapi-architect]
                ignore = ["FA201"]
                exclude = ["legacy"]
                fail-on = "warning"
            """,
            "app.py": SLEEPY,
            "legacy/old.py": "SECRET_KEY = 'a8f9c2e4d1b7'\n",
        }
    )
    config = load_config(root)
    assert config.ignore == ("FA201",)
    result = review(root, config.merged(cache=False))
    assert result.active == ()
    assert result.files == 1


def test_bad_config_is_a_clear_error(tree):
    root = tree({"pyproject.toml": '[tool.fastapi-architect]\nselekt = ["FA1"]\n'})
    with pytest.raises(ConfigError, match=r"unknown key.*selekt"):
        load_config(root)


def test_suppression_by_id_or_slug_keeps_the_reason(tree):
    root = tree(
        {
            "app.py": """
                import time
                async def a() -> None:
                    time.sleep(1)  # architect: ignore[FA201] warm-up before serving
                async def b() -> None:
                    # architect: ignore[blocking-call-in-async] measured: 1 ms
                    time.sleep(0.001)
                async def c() -> None:
                    time.sleep(1)  # architect: ignore[FA201]
            """
        }
    )
    result = review(root, ReviewConfig(cache=False))
    assert [(f.rule_id, f.suppression_reason) for f in result.suppressed] == [
        ("FA201", "warm-up before serving"),
        ("FA201", "measured: 1 ms"),
        ("FA201", None),
    ]
    assert [(f.rule_id, f.line) for f in result.active] == [("FA001", 8)]


def test_second_run_on_an_unchanged_tree_comes_from_the_cache(tree, tmp_path):
    files = {f"app/m{i}.py": SLEEPY for i in range(60)}
    root = tree(files)
    config = ReviewConfig(cache_dir=tmp_path / "cache", jobs=2)
    cold = review(root, config)
    warm = review(root, config)
    assert cold.cached_files == 0
    assert warm.cached_files == 60
    assert warm.findings == cold.findings
    assert len(cold.active) == 60
    (root / "app/m0.py").write_text("x = 1\n")
    changed = review(root, config)
    assert len(changed.active) == 59


def test_parallel_and_serial_runs_agree(tree):
    root = tree({f"pkg/m{i}.py": SLEEPY for i in range(50)})
    serial = review(root, ReviewConfig(cache=False, jobs=1))
    parallel = review(root, ReviewConfig(cache=False, jobs=2))
    assert serial.findings == parallel.findings


def test_suppression_text_inside_a_string_is_not_a_suppression(tree):
    root = tree(
        {
            "app.py": '''
                import time
                DOC = """time.sleep(1)  # architect: ignore[FA201]"""
                async def a() -> None:
                    time.sleep(1); note = "# architect: ignore[FA201] not a comment"
            '''
        }
    )
    result = review(root, ReviewConfig(cache=False))
    assert [(f.rule_id, f.line) for f in result.active] == [("FA201", 4)]
    assert result.suppressed == ()
