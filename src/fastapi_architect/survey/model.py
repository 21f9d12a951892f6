"""What a codebase is: its routes, models, relations and layering, from the project index."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from fastapi_architect.codebase.build import ScanOptions, build_index
from fastapi_architect.codebase.facts import ClassFact
from fastapi_architect.codebase.index import ProjectIndex
from fastapi_architect.codebase.syntax import last_name


@dataclass(frozen=True, slots=True)
class RouteRow:
    method: str
    path: str
    handler: str
    location: str
    auth: str | None
    response_model: str | None
    status_code: int | None


@dataclass(frozen=True, slots=True)
class ColumnRow:
    name: str
    type: str
    primary_key: bool
    foreign_key: str | None
    index: bool
    unique: bool


@dataclass(frozen=True, slots=True)
class RelationRow:
    name: str
    target: str
    many: bool


@dataclass(frozen=True, slots=True)
class ModelRow:
    name: str
    table: str
    location: str
    columns: tuple[ColumnRow, ...]
    relations: tuple[RelationRow, ...]


@dataclass(frozen=True, slots=True)
class LayerEdge:
    source: str
    target: str
    imports: int


@dataclass(frozen=True, slots=True)
class Survey:
    """The survey of one tree."""

    root: str
    files: int
    routes: tuple[RouteRow, ...]
    models: tuple[ModelRow, ...]
    layers: tuple[tuple[str, int], ...]
    edges: tuple[LayerEdge, ...]


def table_name(cls: ClassFact) -> str:
    if cls.tablename and cls.tablename != "?":
        return cls.tablename
    return cls.name.lower()


def survey_index(index: ProjectIndex, root: str = ".") -> Survey:
    """Build the survey from an already built project index."""
    routes = []
    for route in sorted(index.routes, key=lambda r: (r.full_path, r.fact.methods)):
        fact = route.fact
        response = fact.response_model or fact.return_annotation
        for path in route.full_paths:
            routes.append(
                RouteRow(
                    method="/".join(fact.methods),
                    path=path,
                    handler=fact.handler,
                    location=f"{route.path}:{fact.line}",
                    auth=last_name(route.auth_via) if route.auth_via else None,
                    response_model=response,
                    status_code=fact.status_code,
                )
            )
    models = []
    for cls in sorted(index.tables, key=lambda c: c.name):
        columns = tuple(
            ColumnRow(c.name, c.type_name, c.primary_key, c.foreign_key, c.index, c.unique)
            for c in index.all_columns(cls)
        )
        relations = tuple(RelationRow(r.name, r.target, r.many) for r in index.all_relations(cls))
        models.append(
            ModelRow(
                cls.name,
                table_name(cls),
                f"{index.class_paths.get(cls.qualname, '?')}:{cls.line}",
                columns,
                relations,
            )
        )
    layer_counts = Counter(layer for layer in index.layers.values() if layer is not None)
    edges: Counter[tuple[str, str]] = Counter()
    for path, facts in index.modules.items():
        source = index.layers.get(path)
        if source is None:
            continue
        targets = set()
        for name in facts.imported_modules:
            target = index.by_module.get(name)
            if target is None:
                continue
            layer = index.layers.get(target.path)
            if layer is not None and layer != source:
                targets.add(layer)
        for layer in targets:
            edges[(source, layer)] += 1
    return Survey(
        root=root,
        files=len(index.modules),
        routes=tuple(routes),
        models=tuple(models),
        layers=tuple(sorted(layer_counts.items())),
        edges=tuple(LayerEdge(s, t, n) for (s, t), n in sorted(edges.items())),
    )


def survey(path: Path | str, config: ScanOptions | None = None) -> Survey:
    """Survey the FastAPI codebase under `path` (parsed, never imported).

    `config` says which paths to skip (a `review.ReviewConfig` read from pyproject.toml is one).
    """
    return survey_index(build_index(path, config), str(path))
