"""Load the labelled api-diff corpus: tests/apidiff/corpus/manifest.yaml and its case folders."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = CORPUS / "manifest.yaml"
CASES_DIR = CORPUS / "cases"
RULES_TSV = CORPUS / "oasdiff_rules.tsv"

Verdict = Literal["breaking", "compatible"]
ExpectedLevel = Literal["ERR", "WARN", "INFO", "none"]
VERDICTS: tuple[Verdict, ...] = ("breaking", "compatible")
LEVELS: tuple[ExpectedLevel, ...] = ("ERR", "WARN", "INFO", "none")
# Where a case comes from, by the first word of its `source`.
SOURCE_PREFIXES = ("oasdiff/oasdiff ", "OpenAPITools/openapi-diff ", "fastapi-app ")


@dataclass(frozen=True)
class Case:
    """One labelled pair of OpenAPI documents."""

    name: str
    base: Path  # base.yaml or base.json
    revision: Path  # revision.yaml or revision.json
    verdict: Verdict  # "breaking" when any change must be an ERR
    level: ExpectedLevel  # the highest level expected, "none" when no change is expected
    ids: tuple[str, ...]  # oasdiff ids expected among the reported changes
    holdout: bool  # kept out of tuning; see is_holdout
    source: str  # "<repository> <file> <test>" or "fastapi-app base_app.py revision_app.py"
    note: str
    # Set when the upstream verdict and oasdiff's classification of the same change disagree:
    # what oasdiff says. `verdict` keeps the upstream test's word; `level` and `ids` are oasdiff's.
    disputed: str | None = None

    @property
    def directory(self) -> Path:
        return self.base.parent

    @property
    def origin(self) -> Literal["oasdiff", "openapi-diff", "fastapi"]:
        if self.source.startswith("oasdiff/oasdiff "):
            return "oasdiff"
        if self.source.startswith("OpenAPITools/openapi-diff "):
            return "openapi-diff"
        return "fastapi"


def is_holdout(name: str) -> bool:
    """The fixed holdout rule: the first hex digit of sha256(name) is below 5 (about 31 %)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[0], 16) < 5


def _document(directory: Path, stem: str) -> Path:
    for suffix in (".yaml", ".json"):
        path = directory / f"{stem}{suffix}"
        if path.is_file():
            return path
    return directory / f"{stem}.yaml"  # absent; the manifest test reports it


def _case(entry: dict[str, Any]) -> Case:
    name = str(entry["name"])
    directory = CASES_DIR / name
    verdict, level = entry["verdict"], entry["level"]
    if verdict not in VERDICTS:
        raise ValueError(f"{name}: verdict {verdict!r} is not one of {VERDICTS}")
    if level not in LEVELS:
        raise ValueError(f"{name}: level {level!r} is not one of {LEVELS}")
    disputed = entry.get("disputed")
    return Case(
        name=name,
        base=_document(directory, "base"),
        revision=_document(directory, "revision"),
        verdict=verdict,
        level=level,
        ids=tuple(str(i) for i in entry.get("ids") or ()),
        holdout=bool(entry["holdout"]),
        source=str(entry["source"]),
        note=str(entry.get("note", "")),
        disputed=str(disputed) if disputed else None,
    )


@cache
def _load() -> tuple[Case, ...]:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return tuple(_case(entry) for entry in manifest["cases"])


def load_cases(*, holdout: bool | None = None) -> list[Case]:
    """Every case in manifest order; only the holdout (True) or tuning (False) ones when asked."""
    return [c for c in _load() if holdout is None or c.holdout == holdout]


def load_document(path: Path) -> Any:
    """Parse a corpus document (YAML, or JSON, which YAML reads too)."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Rule:
    """One of oasdiff's checks, as listed in oasdiff_rules.tsv."""

    id: str
    level: Literal["ERR", "WARN", "INFO"]
    direction: Literal["request", "response", "none"]
    meaning: str


@cache
def load_rules() -> dict[str, Rule]:
    """oasdiff's check ids with their default level, by id."""
    lines = [
        line
        for line in RULES_TSV.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    rows = list(csv.DictReader(lines, delimiter="\t"))
    return {
        row["id"]: Rule(row["id"], row["level"], row["direction"], row["meaning"])  # type: ignore[arg-type]
        for row in rows
    }
