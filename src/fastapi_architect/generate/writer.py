"""Writing a generated project: formatted in a temporary folder, then moved into place,
so that a failure leaves nothing behind and hand edits are never overwritten: on
regeneration they are merged with the generator's changes, or kept beside the new version."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

from fastapi_architect.generate.merge import Merged, merge_three

LOCK_FILE = "architect.lock.json"
# A regenerated file whose old version was edited by hand, and cannot be merged with it,
# lands beside it with this suffix.
NEW_SUFFIX = ".architect-new"


class GenerateError(Exception):
    """The project cannot be written where it was asked to be."""


@dataclass
class WriteReport:
    """What writing a project did."""

    root: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Files edited by hand since they were generated that could not be merged (no earlier
    # rendering to merge against, or not UTF-8): kept, with the new version beside.
    kept: list[str] = field(default_factory=list)
    # Files edited by hand whose edits and the generator's changes merged cleanly, in place.
    merged: list[str] = field(default_factory=list)
    # Files edited by hand, merged in place with git-style conflict markers left to resolve.
    conflicted: list[str] = field(default_factory=list)
    # Files the generator wrote before and the user deleted since: left deleted.
    deleted: list[str] = field(default_factory=list)
    # Files the previous rendering had and this one does not (a resource renamed or
    # removed): deleted when still as generated, kept when edited by hand (`stale`).
    removed: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def format_tree(root: Path) -> None:
    """Sort imports, drop unused ones and format, with the project's own ruff settings."""
    ruff = find_ruff_bin()
    for command in (
        [ruff, "check", "--fix-only", "--select", "I,F401,UP", "--exit-zero", "--quiet", "."],
        [ruff, "format", "."],
    ):
        completed = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise GenerateError(f"formatting failed: {completed.stderr.strip()}")


def formatted(files: dict[str, str]) -> dict[str, str]:
    """The files after formatting (done in a scratch folder that is always removed)."""
    with tempfile.TemporaryDirectory(prefix="fastapi-architect-") as scratch:
        root = Path(scratch)
        for relative, text in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        format_tree(root)
        return {relative: (root / relative).read_text(encoding="utf-8") for relative in files}


def _is_empty(directory: Path) -> bool:
    return not any(directory.iterdir())


def write_project(
    target: Path,
    files: dict[str, str],
    lock: Mapping[str, object],
    *,
    force: bool,
    base: Mapping[str, str] | None = None,
) -> WriteReport:
    """Write `files` (already formatted) and the lock file under `target`.

    `base` is what the generator wrote last time (the previous rendering), by relative path.
    With it, regenerating merges each hand-edited file with the generator's changes and
    leaves files the user deleted deleted; without it, a hand-edited file is kept and the new
    version lands beside it (*NEW_SUFFIX), and a deleted file is written again.
    """
    target = target.resolve()
    if target.exists() and not target.is_dir():
        raise GenerateError(f"{target} exists and is not a directory")
    # The lock records what the generator wrote (never a merge), so that the next
    # regeneration can again tell which files carry hand edits.
    hashes = {relative: digest(text) for relative, text in files.items()}
    lock_text = json.dumps({**lock, "files": dict(sorted(hashes.items()))}, indent=2) + "\n"
    if not target.exists() or _is_empty(target):
        return _write_fresh(target, {**files, LOCK_FILE: lock_text})
    if not force:
        raise GenerateError(
            f"{target} is not empty; pass --force to regenerate into it (files edited by "
            f"hand are kept, with the new version beside them as *{NEW_SUFFIX})"
        )
    return _regenerate(target, files, lock_text, base)


def _write_fresh(target: Path, files: dict[str, str]) -> WriteReport:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    moved: list[Path] = []
    try:
        for relative, text in files.items():
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if not target.exists():
            staging.rename(target)
            return WriteReport(root=target, written=sorted(files))
        # An existing empty directory keeps its identity: its new entries move into it.
        for entry in sorted(staging.iterdir()):
            destination = target / entry.name
            entry.rename(destination)
            moved.append(destination)
        staging.rmdir()
    except BaseException:
        for destination in moved:
            if destination.is_dir():
                shutil.rmtree(destination, ignore_errors=True)
            else:
                destination.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteReport(root=target, written=sorted(files))


def _regenerate(
    target: Path, files: dict[str, str], lock_text: str, base: Mapping[str, str] | None
) -> WriteReport:
    lock_path = target / LOCK_FILE
    generated_before = _recorded_hashes(lock_path)
    report = WriteReport(root=target)
    plan: dict[Path, str] = {}
    for relative, new_text in sorted(files.items()):
        path = target / relative
        if not path.resolve().is_relative_to(target):
            raise GenerateError(f"{path} leads outside {target} (a symbolic link?); not writing")
        if not path.exists():
            if base is not None and relative in generated_before:
                # The generator wrote it and the user removed it since: that choice stands.
                report.deleted.append(relative)
            else:
                plan[path] = new_text
                report.written.append(relative)
            continue
        on_disk = _read_utf8(path)
        if on_disk is None:
            # Not text the generator wrote, and nothing a line merge can handle.
            plan[path.with_name(path.name + NEW_SUFFIX)] = new_text
            report.kept.append(relative)
            continue
        # Compared as Python reads text, so a checkout's CRLF line endings are no hand edit.
        as_read = _universal_newlines(on_disk)
        if as_read == new_text:
            report.unchanged.append(relative)
        elif (
            generated_before.get(relative) == digest(as_read)
            or (
                # Read from `base` only here: a lazy base renders on first use.
                previous_text := None if base is None else base.get(relative)
            )
            == as_read
        ):
            plan[path] = new_text
            report.written.append(relative)
        elif previous_text is None:
            plan[path.with_name(path.name + NEW_SUFFIX)] = new_text
            report.kept.append(relative)
        else:
            merged = _merge_hand_edits(previous_text, on_disk, new_text, relative)
            if merged.text == on_disk:
                # The hand edit already holds the generator's change.
                report.unchanged.append(relative)
            else:
                plan[path] = merged.text
                (report.conflicted if merged.conflicts else report.merged).append(relative)
    obsolete = _obsolete(target, files, base if base is not None else {}, generated_before, report)
    plan[lock_path] = lock_text
    _replace_all(plan)
    for path in obsolete:
        path.unlink(missing_ok=True)
    return report


def _obsolete(
    target: Path,
    files: Mapping[str, str],
    base: Mapping[str, str],
    generated_before: Mapping[str, str],
    report: WriteReport,
) -> list[Path]:
    """Files generated last time that this rendering no longer has: those still as
    generated, to delete once everything else is in place."""
    obsolete: list[Path] = []
    for relative in sorted(set(base) - set(files)):
        path = target / relative
        on_disk = _read_utf8(path) if path.is_file() else None
        if on_disk is None:
            continue
        as_read = _universal_newlines(on_disk)
        if generated_before.get(relative) == digest(as_read) or as_read == base[relative]:
            obsolete.append(path)
            report.removed.append(relative)
        else:
            report.stale.append(relative)
    return obsolete


def _recorded_hashes(lock_path: Path) -> dict[str, str]:
    """The lock's map of each file the generator wrote last time to its sha256."""
    if not lock_path.is_file():
        return {}
    try:
        recorded = json.loads(lock_path.read_text(encoding="utf-8")).get("files", {})
        return {str(relative): str(sha) for relative, sha in recorded.items()}
    except (ValueError, AttributeError):
        return {}


def _read_utf8(path: Path) -> str | None:
    """The file's text exactly as stored (line endings included), or None if not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return None


def _universal_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _merge_hand_edits(previous_text: str, on_disk: str, new_text: str, relative: str) -> Merged:
    ours_label, theirs_label = f"{relative} (yours)", f"{relative} (generated)"
    # A file whose lines all end in CRLF (a git checkout on Windows) would differ from the LF
    # renderings on every line; it is merged as LF and given its CRLF endings back.
    if _all_crlf(on_disk) and "\r" not in previous_text + new_text:
        merged = merge_three(
            previous_text,
            on_disk.replace("\r\n", "\n"),
            new_text,
            ours_label=ours_label,
            theirs_label=theirs_label,
        )
        return Merged(text=merged.text.replace("\n", "\r\n"), conflicts=merged.conflicts)
    return merge_three(
        previous_text, on_disk, new_text, ours_label=ours_label, theirs_label=theirs_label
    )


def _all_crlf(text: str) -> bool:
    return "\r\n" in text and text.count("\n") == text.count("\r\n")


def _replace_all(plan: Mapping[Path, str]) -> None:
    """Stage every file beside its destination first, then rename all of them into place:
    a failure while staging leaves the project as it was (staged files and new folders go)."""
    staged: list[tuple[Path, Path]] = []
    created: list[Path] = []
    try:
        for destination, text in plan.items():
            _make_folders(destination.parent, created)
            handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", dir=destination.parent)
            # Listed before it is written, so that a failed write is cleaned up too.
            staged.append((Path(name), destination))
            with _open_for_writing(handle) as stream:
                stream.write(text)
        for temporary, destination in staged:
            temporary.replace(destination)
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):  # not empty: something was renamed into it
                folder.rmdir()
        raise


def _make_folders(folder: Path, created: list[Path]) -> None:
    """Make `folder` and its missing parents, listing each one made (outermost first)."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        each.mkdir()
        created.append(each)


def _open_for_writing(handle: int) -> TextIO:
    try:
        return os.fdopen(handle, "w", encoding="utf-8", newline="\n")
    except BaseException:
        os.close(handle)
        raise
