"""Evolving a generated project: the spec it was last generated from (recorded in its lock)
against the spec now, as one new Alembic revision and a three-way merge of every file."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.evolve.model import Plan, Safety
from fastapi_architect.evolve.operations import Code, Operation
from fastapi_architect.evolve.plan import plan_with_operations
from fastapi_architect.generate import (
    GENERATOR_VERSION,
    INITIAL_REVISION,
    LOCK_FILE,
    SPEC_FILE,
    WriteReport,
    lock_record,
    render_files,
)
from fastapi_architect.generate.layout import INITIAL_MIGRATION, REVISION_TEMPLATE, plan
from fastapi_architect.generate.render import render_template
from fastapi_architect.generate.writer import write_project
from fastapi_architect.spec import ResolvedSpec, SpecError, check_text

VERSIONS = "migrations/versions"
_UNFORMATTED_REVISION = "new_revision.py"
# The steps --allow-data-loss lets through; a lossy type change stays refused.
DROPS = frozenset({"drop-column", "drop-table"})
_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(
    r"^down_revision(?:\s*:\s*[^=]+)?\s*=\s*(?:None|['\"]([^'\"]+)['\"])", re.MULTILINE
)


class EvolveError(Exception):
    """The project cannot be evolved as it stands (its lock or migrations); nothing written."""


class PlanRefused(Exception):  # noqa: N818 - it is what happened, not an error in the tool
    """The plan has steps `generate` will not write; nothing written."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        super().__init__("; ".join(step.refused or "" for step in plan.refused))


@dataclass(frozen=True)
class EvolveReport:
    plan: Plan
    # The new revision's path relative to the project, when the change needed one.
    revision: str | None
    written: WriteReport


def refusals(plan: Plan, *, allow_data_loss: bool) -> Plan:
    """The plan's refused steps that still stand once data loss is (or is not) allowed."""
    standing = tuple(step for step in plan.refused if not (allow_data_loss and step.id in DROPS))
    return Plan(steps=standing)


def evolve_project(
    target: Path, spec_text: str, spec_file: str, *, allow_data_loss: bool = False
) -> EvolveReport:
    """Bring the project under `target` to `spec_text`: a new revision for the schema
    change, every other file regenerated with hand edits merged in."""
    target = target.resolve()
    lock = _read_lock(target)
    old_text = lock["spec"]
    try:
        change = plan_with_operations(
            old_text,
            spec_text,
            old_file=f"{target / LOCK_FILE} (previous spec)",
            new_file=spec_file,
        )
    except SpecError:
        if check_text(spec_text, spec_file).ok:
            raise EvolveError(
                f"{target / LOCK_FILE}: the spec recorded there no longer checks with this "
                "version; regenerate the project from it with `new --force` first"
            ) from None
        raise
    plan, ops = change.plan, change.operations
    standing = refusals(plan, allow_data_loss=allow_data_loss)
    if standing.steps:
        raise PlanRefused(standing)
    head = _head(target, str(lock.get("migration_head", INITIAL_REVISION)))
    new_spec, old_spec = change.new, change.old
    revision_path: str | None = None
    new_head = head
    extra: dict[str, str] = {}
    if ops:
        new_head = _next_revision(target)
        revision_path = f"{VERSIONS}/{new_head}_{_slug(ops)}.py"
        # Formatted with the project, under a name its ruff settings do not exclude.
        extra[_UNFORMATTED_REVISION] = _revision(ops, new_head, head)
    files = render_files(new_spec, spec_text, extra=extra)
    del files[INITIAL_MIGRATION]
    if revision_path is not None:
        files[revision_path] = files.pop(_UNFORMATTED_REVISION)
    lock_values = lock_record(new_spec, spec_text, migration_head=new_head)
    base = _PreviousRendering(old_spec, old_text)
    written = write_project(target, files, lock_values, force=True, base=base)
    return EvolveReport(plan=plan, revision=revision_path, written=written)


class _PreviousRendering(Mapping[str, str]):
    """What the generator wrote last time (the previous spec rendered again, revisions
    aside): its paths at once, its texts only when a file edited by hand needs them."""

    def __init__(self, spec: ResolvedSpec, spec_text: str) -> None:
        self.spec, self.spec_text = spec, spec_text
        self.paths = [item.path for item in plan(spec) if item.path != INITIAL_MIGRATION]
        self.paths.append(SPEC_FILE)
        self._texts: dict[str, str] | None = None

    def __getitem__(self, path: str) -> str:
        if self._texts is None:
            self._texts = render_files(self.spec, self.spec_text)
        return self._texts[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def _read_lock(target: Path) -> dict[str, str]:
    path = target / LOCK_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvolveError(
            f"{path}: no lock file, so the spec the project was generated from is unknown; "
            "generate it with `fastapi-architect new`"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EvolveError(f"{path}: unreadable lock file ({exc})") from None
    if not isinstance(data, dict):
        raise EvolveError(f"{path}:1:1: the lock file is not a JSON object")
    version = str(data.get("generator_version", "0"))
    if _version(version) > _version(GENERATOR_VERSION):
        raise EvolveError(
            f"{path}: written by fastapi-architect {version}, newer than this "
            f"{GENERATOR_VERSION}; upgrade fastapi-architect"
        )
    if not isinstance(data.get("spec"), str):
        raise EvolveError(
            f"{path}: the lock does not record the spec the project was generated from "
            "(an older fastapi-architect wrote it); run `fastapi-architect new SPEC -o "
            f"{target} --force` with that spec once, then change the spec"
        )
    return {key: value for key, value in data.items() if isinstance(value, str)}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)) or (0,)


def _revisions(target: Path) -> dict[str, str | None]:
    """Every revision in the project: its id and the one it follows."""
    chain: dict[str, str | None] = {}
    for path in sorted((target / VERSIONS).glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        revision, down = _REVISION.search(text), _DOWN.search(text)
        if revision is None or down is None:
            continue
        chain[revision.group(1)] = down.group(1)
    return chain


def _head(target: Path, recorded: str) -> str:
    """The revision the new one follows: the single head, which must be or follow the
    head the lock recorded (revisions written by hand on top are kept and followed)."""
    chain = _revisions(target)
    heads = sorted(set(chain) - {down for down in chain.values() if down})
    where = target / VERSIONS
    if recorded not in chain:
        raise EvolveError(
            f"{where}: the lock's head revision {recorded} is missing; restore it, or "
            "regenerate with `new --force`"
        )
    if len(heads) != 1:
        raise EvolveError(
            f"{where}: {len(heads)} head revisions ({', '.join(heads)}); merge them "
            "(`alembic merge heads`) before changing the spec"
        )
    head = heads[0]
    walk: str | None = head
    while walk is not None and walk != recorded:
        walk = chain.get(walk)
    if walk is None:
        raise EvolveError(
            f"{where}: the head revision {head} does not follow the lock's head {recorded}"
        )
    return head


def _next_revision(target: Path) -> str:
    numbers = [int(rev) for rev in _revisions(target) if rev.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def _slug(ops: tuple[Operation, ...]) -> str:
    tables = sorted({op.step.table for op in ops if op.step.table})
    slug = "_".join(tables[:3]) + ("_and_more" if len(tables) > 3 else "")
    return slug or "change"


def _revision(ops: tuple[Operation, ...], revision: str, down_revision: str) -> str:
    upgrade, downgrade = Code(), Code()
    for op in ops:
        op.upgrade(upgrade)
    for op in reversed(ops):
        op.downgrade(downgrade)
    causes = list(dict.fromkeys(op.step.cause for op in ops))
    unsafe = [op.step for op in ops if op.step.safety is not Safety.SAFE]
    summary = [
        textwrap.fill(line, width=96, subsequent_indent="  ")
        for line in causes + [f"{step.safety.description}: {step.subject}" for step in unsafe]
    ]
    tables = sorted({op.step.table for op in ops if op.step.table})
    return render_template(
        REVISION_TEMPLATE,
        message=f"Spec change: {', '.join(tables)}.",
        summary=summary,
        revision=revision,
        down_revision=down_revision,
        backfills=upgrade.backfills,
        upgrade=upgrade.body(),
        downgrade=downgrade.body(),
    )


__all__ = ["EvolveError", "EvolveReport", "PlanRefused", "evolve_project", "refusals"]
