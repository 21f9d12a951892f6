"""A pickled store of per-file results keyed by content hash, so that an unchanged file is
not parsed again. A damaged or outdated store is simply rebuilt."""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

CACHE_VERSION = "16"


def source_hash(text: str) -> str:
    """The key of a file's content."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fastapi-architect"


class Cache:
    """Entries read from `file` (none when it is None); only the entries used or put in this
    run are written back."""

    def __init__(self, file: Path | None) -> None:
        self.file = file
        self.old: dict[tuple[str, ...], object] = {}
        self.new: dict[tuple[str, ...], object] = {}
        if file is not None and file.is_file():
            try:
                data = pickle.loads(file.read_bytes())
                if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
                    self.old = data["entries"]
            except Exception:  # a damaged cache is simply rebuilt
                self.old = {}

    def get(self, key: tuple[str, ...]) -> object | None:
        value = self.old.get(key)
        if value is not None:
            self.new[key] = value
        return value

    def put(self, key: tuple[str, ...], value: object) -> None:
        self.new[key] = value

    def save(self) -> None:
        if self.file is None or self.new.keys() == self.old.keys():
            return
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps({"version": CACHE_VERSION, "entries": self.new}))
            tmp.replace(self.file)
        except OSError:
            pass
