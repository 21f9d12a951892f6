"""Review settings: command-line options merged over `[tool.fastapi-architect]`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi_architect.review.model import Confidence, Severity


class ConfigError(ValueError):
    """A setting that cannot be used; the message says which and why."""


@dataclass(frozen=True, slots=True)
class ReviewConfig:
    """What to review and how. Codes are rule ids, slugs or id prefixes (`FA1`), or `ALL`."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    min_confidence: Confidence = Confidence.LOW
    cache: bool = True
    cache_dir: Path | None = None
    jobs: int = 0

    def merged(self, **options: object) -> ReviewConfig:
        """A copy with every option that is not None replaced."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})  # type: ignore[arg-type]


_KEYS = {"select", "ignore", "exclude", "extend-exclude", "fail-on", "min-confidence"}


def _codes(table: dict[str, object], key: str, source: Path) -> tuple[str, ...] | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: [tool.fastapi-architect] {key} must be a list of strings")
    return tuple(str(v) for v in value)


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start`."""
    current = start if start.is_dir() else start.parent
    for directory in (current, *current.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path, pyproject: Path | None = None) -> ReviewConfig:
    """Read `[tool.fastapi-architect]` from the nearest pyproject.toml (defaults if none)."""
    source = pyproject or find_pyproject(start.resolve())
    if source is None:
        return ReviewConfig()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read: {exc}") from exc
    tool = data.get("tool", {})
    table = tool.get("fastapi-architect") if isinstance(tool, dict) else None
    if table is None:
        return ReviewConfig()
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.fastapi-architect] must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) in [tool.fastapi-architect]: {', '.join(unknown)}; "
            f"expected {', '.join(sorted(_KEYS))}"
        )
    config = ReviewConfig()
    select = _codes(table, "select", source)
    ignore = _codes(table, "ignore", source)
    exclude = (_codes(table, "exclude", source) or ()) + (
        _codes(table, "extend-exclude", source) or ()
    )
    fail_on = table.get("fail-on")
    min_confidence = table.get("min-confidence")
    try:
        return config.merged(
            select=select,
            ignore=ignore,
            exclude=exclude or None,
            fail_on=Severity(fail_on) if fail_on is not None else None,
            min_confidence=Confidence(min_confidence) if min_confidence is not None else None,
        )
    except ValueError as exc:
        raise ConfigError(f"{source}: [tool.fastapi-architect] {exc}") from exc
