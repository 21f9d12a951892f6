"""The architectural layer of a module (api, services, repositories, models, schemas, core),
from the names of its file and folders."""

from __future__ import annotations

from collections.abc import Iterable

_LAYER_PARTS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "api",
        frozenset({"api", "routers", "router", "routes", "endpoints", "views", "controllers"}),
    ),
    ("services", frozenset({"services", "service", "usecases", "use_cases", "interactors"})),
    (
        "repositories",
        frozenset({"repositories", "repository", "repos", "repo", "crud", "dal", "dao", "stores"}),
    ),
    ("models", frozenset({"models", "model", "entities", "tables", "orm"})),
    ("schemas", frozenset({"schemas", "schema", "dto", "dtos", "serializers"})),
    ("core", frozenset({"core", "config", "settings", "db", "database", "deps"})),
)


def _layer_name(part: str) -> str | None:
    for layer, names in _LAYER_PARTS:
        if part.lower() in names:
            return layer
    return None


def layer_of(path: str, containers: frozenset[str] = frozenset()) -> str | None:
    """The architectural layer a file belongs to, from its own name or its folders.

    A folder that holds other layers (`fides/api/` holding `models/` and `service/`) is a
    package, not a layer, and is passed in `containers`.
    """
    parts = path.removesuffix(".py").split("/")
    for i in range(len(parts) - 1, -1, -1):
        if i < len(parts) - 1 and "/".join(parts[: i + 1]) in containers:
            continue
        layer = _layer_name(parts[i])
        if layer is not None:
            return layer
    return None


def layer_containers(paths: Iterable[str]) -> frozenset[str]:
    """Folders named like a layer that contain a differently named layer folder."""
    out: set[str] = set()
    for path in paths:
        dirs = path.split("/")[:-1]
        named = [(i, _layer_name(d)) for i, d in enumerate(dirs)]
        layered = [(i, n) for i, n in named if n is not None]
        for i, layer in layered:
            if any(j > i and other != layer for j, other in layered):
                out.add("/".join(dirs[: i + 1]))
    return frozenset(out)
