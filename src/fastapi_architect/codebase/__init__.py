"""The static model of a FastAPI codebase, shared by `review`, `survey` and
`design --from-code`.

The code is parsed, never imported or run. Each module gives its facts (`facts`, extracted
by `extract`): routers and `include_router` calls, routes and their parameters, dependencies
including `Annotated` aliases, functions, and classes (table models with their columns and
relations, schemas, settings). `ProjectIndex` combines them: it resolves names across files,
follows include chains to each route's full path and effective dependencies, and places each
module in a layer. `build_index` reads a tree into an index.
"""

from fastapi_architect.codebase.build import (
    ScanOptions,
    build_index,
    facts_job,
    parallel_map,
    parse,
    read_facts,
)
from fastapi_architect.codebase.cache import Cache, default_cache_dir, source_hash
from fastapi_architect.codebase.extract import extract
from fastapi_architect.codebase.facts import (
    AliasFact,
    ClassFact,
    ColumnFact,
    DepRef,
    FunctionFact,
    IncludeFact,
    ModuleFacts,
    ParamFact,
    ParseError,
    RelationFact,
    RouteFact,
    RouterFact,
)
from fastapi_architect.codebase.files import SourceTree, decode, discover, read_tree
from fastapi_architect.codebase.index import Mount, ProjectIndex, Route
from fastapi_architect.codebase.layers import layer_of

__all__ = [
    "AliasFact",
    "Cache",
    "ClassFact",
    "ColumnFact",
    "DepRef",
    "FunctionFact",
    "IncludeFact",
    "ModuleFacts",
    "Mount",
    "ParamFact",
    "ParseError",
    "ProjectIndex",
    "RelationFact",
    "Route",
    "RouteFact",
    "RouterFact",
    "ScanOptions",
    "SourceTree",
    "build_index",
    "decode",
    "default_cache_dir",
    "discover",
    "extract",
    "facts_job",
    "layer_of",
    "parallel_map",
    "parse",
    "read_facts",
    "read_tree",
    "source_hash",
]
