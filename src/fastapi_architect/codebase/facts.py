"""What one module declares, as plain frozen dataclasses.

The facts of every module are combined by `index.ProjectIndex`; being frozen and plain, they
can be cached by content hash and sent between processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class DepRef:
    """A dependency: the callable given to `Depends`/`Security`, as a dotted name."""

    target: str
    security: bool
    line: int
    arguments: str = ""
    """The arguments of a dependency made by a factory, as written:
    `Depends(is_user_in(GroupType.admin))` gives `GroupType.admin`."""


@dataclass(frozen=True, slots=True)
class ParamFact:
    """One parameter of a route handler or dependency function."""

    name: str
    annotation: str | None
    type_name: str | None
    is_list: bool
    dep: DepRef | None
    kind: str
    upper_bound: bool | None
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class RouteFact:
    """A path operation declared with a router or app decorator."""

    owner: str
    methods: tuple[str, ...]
    path: str
    handler: str
    qualname: str
    line: int
    col: int
    end_line: int
    end_col: int
    decorator_line: int
    decorator_col: int
    is_async: bool
    params: tuple[ParamFact, ...]
    deps: tuple[DepRef, ...]
    status_code: int | None
    response_model: str | None
    response_model_type: str | None
    response_model_is_list: bool
    response_model_none: bool
    return_annotation: str | None
    return_type: str | None
    return_is_list: bool
    response_class: str | None
    rate_limited: bool


@dataclass(frozen=True, slots=True)
class RouterFact:
    """A `FastAPI()` app or `APIRouter()` assigned to a name."""

    qualname: str
    kind: str
    prefix: str
    deps: tuple[DepRef, ...]
    line: int
    col: int
    prefix_dynamic: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IncludeFact:
    """`parent.include_router(child, prefix=..., dependencies=...)`."""

    parent: str
    child: str
    child_is_call: bool
    prefix: str
    deps: tuple[DepRef, ...]
    line: int
    prefix_dynamic: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionFact:
    """Any function: used to resolve dependencies and what handlers call."""

    qualname: str
    name: str
    line: int
    is_async: bool
    params: tuple[ParamFact, ...]
    returns_router: str | None
    calls: tuple[str, ...]
    mutates: tuple[str, ...] = ()
    """Parameters changed in place, or stored on an object that is changed."""
    returns_param: tuple[str, ...] = ()
    """Parameters returned or yielded as they are."""
    forwards: tuple[tuple[str, str, str], ...] = ()
    """(parameter, callee, keyword or positional index) for each parameter handed on."""
    capped: tuple[str, ...] = ()
    """Parameters given an upper bound in the body: `min(limit, MAX)`, `if limit > MAX`."""
    returns_value: bool = True
    """Some `return` (or `yield`) in the body gives a value other than `None`."""


@dataclass(frozen=True, slots=True)
class AliasFact:
    """`CurrentUser = Annotated[User, Depends(get_current_user)]`."""

    qualname: str
    type_name: str | None
    dep: DepRef | None


@dataclass(frozen=True, slots=True)
class ColumnFact:
    """A mapped column of a table model."""

    name: str
    type_name: str
    line: int
    col: int
    end_line: int
    end_col: int
    primary_key: bool
    foreign_key: str | None
    index: bool
    unique: bool
    is_string: bool
    has_length: bool


@dataclass(frozen=True, slots=True)
class RelationFact:
    """A `Relationship()`/`relationship()` attribute."""

    name: str
    target: str
    line: int
    many: bool
    eager: bool


@dataclass(frozen=True, slots=True)
class ClassFact:
    """A class: a table model, a schema, or anything else with fields."""

    qualname: str
    name: str
    line: int
    col: int
    bases: tuple[str, ...]
    is_table: bool
    tablename: str | None
    fields: tuple[str, ...]
    columns: tuple[ColumnFact, ...]
    relations: tuple[RelationFact, ...]
    indexed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModuleFacts:
    """Everything extracted from one module."""

    path: str
    module: str
    imports: tuple[tuple[str, str], ...]
    imported_modules: tuple[str, ...]
    routers: tuple[RouterFact, ...] = ()
    includes: tuple[IncludeFact, ...] = ()
    routes: tuple[RouteFact, ...] = ()
    functions: tuple[FunctionFact, ...] = ()
    aliases: tuple[AliasFact, ...] = ()
    classes: tuple[ClassFact, ...] = ()
    instances: tuple[tuple[str, str], ...] = field(default=())
    aware_columns: tuple[str, ...] = ()
    """Columns declared timezone-aware (`DateTime(timezone=True)`), by attribute name."""
    naive_columns: tuple[str, ...] = ()
    """Columns declared `DateTime` without a time zone, or whose own default is a naive
    clock (`default_factory=datetime.now`)."""
    browser_credentials: bool = False
    """The module handles cookies, sessions or HTTP Basic: credentials a browser sends."""
    cross_site_credentials: bool = False
    """The module sets a cookie or session with `samesite="none"`, or takes HTTP Basic:
    credentials a browser sends on cross-site requests too."""
    databases: tuple[str, ...] = ()
    """Databases named by URL literals in the module (`sqlite`, `postgresql`, `mysql`)."""
    filtered: tuple[str, ...] = ()
    """Columns a query filters on: `Model.column` in `where()`/`filter()`, `*.column` for a
    keyword of `filter_by()`."""
    shared_params: tuple[tuple[str, bool, bool], ...] = ()
    """Parameter declarations kept in module names for many routes to share
    (`LimitParam = Query(20, ge=1, le=100)`): the name, whether it sets an upper bound,
    and whether its default is None."""
    constructed: tuple[tuple[str, int, tuple[str, ...] | None], ...] = ()
    """Calls of what looks like a class (`Task(title=..., created_at=...)`): the callee as
    the module names it, the line, and the keywords given (None when `**kwargs` or
    positional arguments hide which fields are set)."""


@dataclass(frozen=True, slots=True)
class ParseError:
    """A file that could not be read or parsed; it is skipped and the rest goes on."""

    path: str
    line: int
    col: int
    message: str
